"""Settings, all read from the environment (see .env.example for every variable).

The defaults serve a laptop with nothing but Python: SQLite and a file-system Celery broker under
var/, e-mail to the console. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
DJANGO_DEBUG defaults to false, so a deployment that forgets it fails closed: it refuses to start
without a secret key and allowed hosts, and runs with HTTPS-only cookies, HSTS and the SSL
redirect. The Makefile, .env.example and the tests' settings turn DEBUG on for a laptop.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Local state of a laptop install: the SQLite file, the file-system broker, private uploads.
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-development-key-only")
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )
else:
    # No defaults in production: a misconfigured deploy must fail loudly, not run insecurely.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS to be set."
        )

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "core.admin_config.SupportAdminConfig",  # django.contrib.admin, for staff with a role and 2FA
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens that expire, stored hashed
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI for /api/docs/ without a CDN
    "accounts.apps.AxesConfig",  # django-axes, under a translated name
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "core",
    "accounts",
    "sla",
    "contracts",
    "tickets",
    "tickets.notifications",
    "portal",
    "ops",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer before sessions, hosts and logins.
    "ops.middleware.OperationsMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte or an undecodable query is never valid input: 400 before any view or database.
    "core.middleware.RejectInvalidInputMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff who must use two-factor authentication reach nothing but its page until verified.
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lock-outs into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.support_contact",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file. Django's default deferred transactions make
    # a reader that later writes fail with "database is locked"; IMMEDIATE takes the write lock
    # up front and the busy timeout makes concurrent writers queue instead of failing. WAL lets
    # readers proceed while one process writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # On disk, not in memory, so that tests can start worker processes that share it; one file
    # per test run, so that two runs at once do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A stuck or unreachable database never holds a request or a worker for long: connect and
    # statement timeouts, and TCP keepalives that notice a dead server.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
            "options": "-c statement_timeout={}".format(
                env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=30000)
            ),
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 first (Django's recommendation, and a fraction of PBKDF2's CPU per login); hashes made
# with the others are still accepted and re-hashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

# How many reverse proxies in front of the app append to X-Forwarded-For. The client's address
# is the one the outermost trusted proxy saw (the N-th from the right); 0 means the socket's
# address and X-Forwarded-For is ignored. Shared by django-axes and DRF's throttles.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Failed logins lock out, separately, an e-mail address (lower-cased: letter case is no way
# around it) from anywhere, and a client address whatever the e-mail (one password tried on
# many accounts). django-axes keeps the counts in the database, not the cache.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The login form posts the e-mail address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "accounts.auth.LockoutHandler"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "portal/lockout.html"

# Password reset e-mails: at most this many per address and per client address an hour.
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="3/h")
PASSWORD_RESET_CLIENT_RATE = env.str("PASSWORD_RESET_CLIENT_RATE", default="10/h")

# Two-factor authentication (TOTP, django-otp): always for support managers and superusers,
# for engineers when this is true.
OTP_REQUIRED_FOR_ENGINEERS = env.bool("OTP_REQUIRED_FOR_ENGINEERS", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Support portal")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploaded proofs, logs and archives are private: no MEDIA_URL serves them; downloads go
# through views that check who may see the file.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=50 * 1024 * 1024)
PROOF_MAX_BYTES = env.int("PROOF_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Connect and read timeout of the SMTP connection (seconds): a hung mail server fails a
# delivery, which is tried again later, instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Where replies to notifications go: plus-addressed per ticket with a signed token
# (support+t12-<token>@example.com), so the mailbox must deliver plus-addresses to it.
SUPPORT_REPLY_ADDRESS = env.str("SUPPORT_REPLY_ADDRESS", default="support@example.com")
# The mailbox polled by the e-mail channel, e.g. imaps://user:password@host:993/INBOX (empty:
# no polling; the MTA pipe `manage.py ingest_email` works either way).
IMAP_URL = env.str("IMAP_URL", default="")
# Move processed mail to this folder (empty: mark it seen and leave it in place).
IMAP_PROCESSED_FOLDER = env.str("IMAP_PROCESSED_FOLDER", default="")
IMAP_TIMEOUT = env.int("IMAP_TIMEOUT", default=30)
# Messages one sender may send per hour before the channel stops taking them.
INGEST_RATE_LIMIT_PER_HOUR = env.int("INGEST_RATE_LIMIT_PER_HOUR", default=30)
# Chat webhooks: connect and read timeout (seconds).
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)

# Shown in the portal footer and in every notification.
SUPPORT_HOTLINE = env.str("SUPPORT_HOTLINE", default="+86 400 000 0000")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@example.com")

# --- SLA --------------------------------------------------------------------------------------
# Share of a target's service time after which a clock is "at risk".
SLA_AT_RISK_RATIO = env.float("SLA_AT_RISK_RATIO", default=0.75)
SLA_RECOMPUTE_BATCH_SIZE = env.int("SLA_RECOMPUTE_BATCH_SIZE", default=500)
# The zone in which the back office reads and shows the on-call rota.
SUPPORT_TIME_ZONE = env.str("SUPPORT_TIME_ZONE", default="Asia/Shanghai")

# --- Notification outbox ------------------------------------------------------------------------
# How many drain tasks may send at once (each holds a slot; see tickets/notifications/slots.py).
OUTBOX_DRAIN_SLOTS = env.int("OUTBOX_DRAIN_SLOTS", default=4)
# Seconds a sender holds one row: a crash strands that row for at most this long.
OUTBOX_CLAIM = env.int("OUTBOX_CLAIM", default=60)
# Seconds a drain slot stays taken without being renewed (a lost task message frees it then).
OUTBOX_SLOT_LEASE = env.int("OUTBOX_SLOT_LEASE", default=90)
# Seconds one drain task sends before it hands over to a fresh one.
OUTBOX_DRAIN_BUDGET = env.int("OUTBOX_DRAIN_BUDGET", default=240)
# Seconds before the first retry of a failed delivery, doubled each time up to the maximum.
OUTBOX_RETRY_BASE = env.int("OUTBOX_RETRY_BASE", default=60)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=3600)
# /readyz fails when a due row has waited longer than this (seconds): sending is stuck.
OUTBOX_MAX_LAG = env.int("OUTBOX_MAX_LAG", default=120)
# When a due row has waited that long, the SLA sweep itself sends for at most this many seconds
# a minute (a safety net for stuck or swamped senders; it ends well before the next sweep).
OUTBOX_RESCUE_BUDGET = env.int("OUTBOX_RESCUE_BUDGET", default=15)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport: a queue in a folder, shared by every process on this machine.
    _broker_dir = VAR_DIR / "celery-broker"
    _control_dir = VAR_DIR / "celery-control"
    for _folder in (_broker_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)  # kombu does not create them
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    # Publishing a task never blocks a request for long when the broker is down: short socket
    # timeouts and few retries (the outbox in the database keeps the work; beat restarts it).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Breach detection has a queue of its own so that sending can never delay it; the outbox
# drains have theirs; everything else goes to the default queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "tickets.tasks.evaluate_clocks": {"queue": "sla"},
    "tickets.tasks.drain_outbox": {"queue": "outbox"},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# ops.watchdog: a worker whose consumer stops fetching (a known Celery-on-Redis failure after the
# broker comes back) restarts itself. Off with the file-system broker of `make run`, which has
# no such failure and whose single process nothing would restart.
WORKER_WATCHDOG_INTERVAL = env.float(
    "WORKER_WATCHDOG_INTERVAL",
    default=0.0 if CELERY_BROKER_URL.startswith("filesystem://") else 10.0,
)
WORKER_WATCHDOG_MISSES = env.int("WORKER_WATCHDOG_MISSES", default=3)
WORKER_WATCHDOG_GRACE = env.float("WORKER_WATCHDOG_GRACE", default=60)
# Each worker also consumes a queue of its own (the watchdog's pings travel through it).
CELERY_WORKER_DIRECT = WORKER_WATCHDOG_INTERVAL > 0
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A static schedule. Each sweep expires before the next tick, so after an outage the workers do
# not replay a backlog of stale sweeps: the next one looks at state and catches up on its own.
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "tickets.tasks.evaluate_clocks",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "sla-report-figures": {
        "task": "tickets.tasks.refresh_sla_figures",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "mailbox-poll": {
        "task": "tickets.tasks.poll_mailbox",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "contracts-daily": {
        "task": "contracts.tasks.daily_contract_jobs",
        "schedule": crontab(minute=5, hour=0),
        "options": {"expires": 3600},
    },
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api_pagination.ApiPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_THROTTLE", default="10/min")},
}
# API tokens (django-rest-knox): each login makes a new one, valid this many hours; a password
# change or reset and a deactivation revoke every token of the user.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Support portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}

# One JSON object per line (LOG_FORMAT=json, the default) with the request id that follows
# the work into Celery; LOG_FORMAT=text for reading on a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ops.logging.RequestIdFilter"},
        "quiet_pings": {"()": "ops.logging.QuietPingsFilter"},
    },
    "formatters": {
        "json": {"()": "ops.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id", "quiet_pings"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Our own request line replaces Django's per-request log.
        "django.server": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
    },
}

# --- Security headers and cookies -------------------------------------------------------------
# Behind the TLS-terminating proxy, which sets X-Forwarded-Proto (README "Deploy").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Operations -------------------------------------------------------------------------------
# /metrics: with a token, scrapers send `Authorization: Bearer <token>`; without one, only
# requests from the loopback address are answered.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

if not DEBUG:
    _secure_cookies = env.bool("DJANGO_SECURE_COOKIES", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = _secure_cookies
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

# Content Security Policy (django-csp): scripts, styles, images and fonts from this site only;
# no inline script or style anywhere (templates load static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
