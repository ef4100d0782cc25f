"""Settings come from the environment only, and production refuses to start half-configured."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _settings_subprocess(code: str = "print('started')", **env):
    """Import the settings in a fresh interpreter with `env` on top of a clean environment, then
    run `code`."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_environment_variable_is_listed_in_env_example():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.[a-z_]+\(\s*"([A-Z_]+)"', source))
    example = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "no variables found in settings.py"
    assert read - example == set()


@pytest.mark.slow
def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = _settings_subprocess(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "started" not in result.stdout


@pytest.mark.slow
def test_production_starts_with_secret_key_and_hosts():
    result = _settings_subprocess(
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="support.example.com"
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_sqlite_default_uses_immediate_transactions_and_a_busy_timeout():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the default database is not SQLite in this run")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_languages_are_chinese_and_english():
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


@pytest.mark.slow
def test_the_worker_watchdog_runs_on_redis_and_not_on_the_laptops_file_system_broker():
    code = (
        "from django.conf import settings as s; "
        "print(s.WORKER_WATCHDOG_INTERVAL, s.CELERY_WORKER_DIRECT)"
    )

    def watchdog(broker: str) -> str:
        result = _settings_subprocess(code, DJANGO_DEBUG="true", CELERY_BROKER_URL=broker)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert watchdog("redis://127.0.0.1:6379/0") == "10.0 True"
    assert watchdog("filesystem://") == "0.0 False"
