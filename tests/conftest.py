"""Shared fixtures, and the rule for tests that need real services: a test marked `postgres`
runs when the default database is PostgreSQL, `redis` when the broker is a reachable Redis,
`browser` when Debian's Chromium is installed, `imap` when Debian's dovecot-imapd is (the test
starts a private Dovecot). Otherwise it is skipped with the reason, except
for the markers listed in REQUIRE_SERVICES (CI sets e.g. "postgres,redis,browser"), where a
missing service fails the test instead."""

import os
import shutil
import socket
import tempfile
from importlib import import_module
from pathlib import Path
from urllib.parse import urlparse

import freezegun
import hypothesis
import pytest
from django.conf import settings

from tests.servers import DOVECOT, Dovecot, SmtpServer, WebhookServer

# Property tests judge behaviour, never speed: on a busy machine Hypothesis' timing checks
# (deadline, too_slow) would fail a correct test.
hypothesis.settings.register_profile(
    "portal", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("portal")

# freezegun swaps the time functions of every loaded module it does not ignore, pytest's own
# timer too: a test that froze time during setup was reported as lasting 57 years. Leave
# pytest's clock alone, so `--durations` tells the truth. (Read by freeze_time() when called,
# so this must run before the test modules are imported, as a root conftest does.)
freezegun.configure(extend_ignore_list=["_pytest.timing"])

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _redis_reachable() -> bool:
    url = urlparse(settings.CELERY_BROKER_URL)
    if url.scheme not in ("redis", "rediss"):
        return False
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        if not _redis_reachable():
            return "needs Redis: set CELERY_BROKER_URL=redis://... to a reachable server"
    elif marker == "browser" and not CHROMIUM:
        return "needs Debian's Chromium (apt-get install chromium)"
    elif marker == "imap" and not DOVECOT:
        return "needs Debian's Dovecot (apt-get install dovecot-imapd)"
    return None


def pytest_collection_modifyitems(items):
    """A browser test is a slow test (`make test-fast` leaves both out)."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item):
    required = {m.strip() for m in os.environ.get("REQUIRE_SERVICES", "").split(",") if m.strip()}
    for marker in ("postgres", "redis", "browser", "imap"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason is None:
            continue
        if marker in required:
            pytest.fail(f"REQUIRE_SERVICES names {marker}, but this test {reason}")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The factories set a password on every user; the default PBKDF2 hasher would make each
    test that creates a few users take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads of a test go to its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True, scope="session")
def _site_imported_before_any_freeze():
    """Import the whole site (the URLconf imports every view, the API and the admin) before a
    test can freeze time: DRF's throttles take `timer = time.time` when their module is
    imported, and imported inside a freeze_time they would keep freezegun's fake for the rest
    of the run and fail the token endpoint with a TypeError (test_permissions did, alone)."""
    import_module(settings.ROOT_URLCONF)


@pytest.fixture(autouse=True, scope="session")
def _in_memory_broker():
    """A task queued by a test goes to an in-memory broker that nothing consumes: no test
    writes to var/ or needs a running broker; tests run tasks by calling them."""
    from config.celery import app

    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}


@pytest.fixture(autouse=True)
def _no_login_throttle_by_default(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_schedules():
    """Schedules are cached by calendar id and last change; a rolled-back test can leave the same
    id and time to the next one, so each test starts with an empty cache."""
    from contracts.schedule import schedule_cache_clear

    schedule_cache_clear()


@pytest.fixture(autouse=True)
def _force_login_completes_two_factor(monkeypatch):
    """`client.force_login(user)` stands for a finished login: for staff with a confirmed
    authenticator (the factories give engineers and managers one), the session is marked
    verified as the two-factor page would. Tests of the second factor itself log in through
    the real forms."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives; Django sends to
    it for the duration of the test."""
    server = SmtpServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


@pytest.fixture
def webhook_server():
    """A local HTTP server that answers like the chat robots and records every call."""
    server = WebhookServer().start()
    yield server
    server.stop()


@pytest.fixture
def dovecot():
    """A private Dovecot (IMAP, no TLS) with its own configuration in a temporary folder."""
    base = Path(tempfile.mkdtemp(prefix="dovecot-", dir="/tmp"))
    server = Dovecot(base).start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
