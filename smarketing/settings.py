"""Smarketing settings: one module, read from environment variables.

Production sets everything through the environment. Every default below is the local
choice, so a fresh clone runs with no services: SQLite, Celery tasks executed inline,
e-mail printed to the console. README.md and .env.example list every variable.
"""

from pathlib import Path

import environ
import plotly
from celery.schedules import crontab
from kombu import Queue

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-not-a-secret")
else:
    # Required in production: fail loudly at start rather than run with a guessable key.
    SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "events",
    "accounts",
    "leads",
    "sla",
    "campaigns",
    "feedback",
    "kpis",
    "meetings",
    "integrations",
    "home",
]

MIDDLEWARE = [
    "smarketing.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Safe retries of API writes (accounts/idempotency.py); after authentication, so a
    # signed-in user's keys are theirs.
    "accounts.idempotency.IdempotencyKeyMiddleware",
]

ROOT_URLCONF = "smarketing.urls"
WSGI_APPLICATION = "smarketing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
            # {% load slots %}: areas above add their part to a page (smarketing/slots.py).
            "libraries": {"slots": "smarketing.slots"},
        },
    },
]

# --- Data stores -------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the embedded Celery worker share one SQLite file. IMMEDIATE
    # transactions take the write lock up front, so two writers queue behind the busy
    # timeout instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Auth --------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
# The zone in which periods (months, quarters) begin and end on dashboards and in the API.
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js comes from the installed plotly package, so the browser always gets the
    # version the Python side was written for, and no CDN is ever needed.
    ("vendor/plotly", Path(plotly.__file__).parent / "package_data"),
]
# Locally (and in tests) serve straight from the app folders; production serves the
# compressed, fingerprinted copies that `collectstatic` writes to STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------

# EMAIL_URL: smtp://user:password@host:587/?tls=True in production; the console locally.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# filemail:// writes each message to a file in this folder (make run's default).
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / ".mail"))
# A mail server that hangs must not hold a worker (or a request) for ever.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Smarketing <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------

# No broker configured means "run tasks inline": the same code path, no worker needed.
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One queue per kind of work, so each can get its own workers (docs/SCALING.md). A worker
# started without -Q consumes them all (make run does).
SMARKETING_QUEUES = ("default", "notifications", "imports", "detection", "webhooks", "scoring")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in SMARKETING_QUEUES]
CELERY_TASK_ROUTES = {"sla.tasks.*": {"queue": "detection"}}
# Publishing never waits long on a broker that is down: one quick retry, then the relay
# leaves the event in the outbox for the sweep (events/relay.py), and the request that
# recorded it answers as usual.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, float | str | bool] = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_connect_timeout": 2, "socket_timeout": 10}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker of `make run`: messages are files in one folder, shared by the
    # web process (which sends) and the worker (which receives). No server to install.
    _broker_folder = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(BASE_DIR / ".broker")))
    _broker_folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_folder),
        "data_folder_out": str(_broker_folder),
        "control_folder": str(_broker_folder / "control"),
        "processed_folder": str(_broker_folder / "processed"),
        "store_processed": False,
    }
# The schedule is versioned with the code; django-celery-beat's database scheduler reads
# it on start. Each app adds its periodic jobs here, each also runnable as a command.
CELERY_BEAT_SCHEDULE = {
    "sweep-events": {"task": "events.tasks.sweep_events", "schedule": 60},
    "purge-events": {"task": "events.tasks.purge_events", "schedule": crontab(minute=15, hour=3)},
    "detect-breaches": {"task": "sla.tasks.detect_breaches", "schedule": 5 * 60},
    "weekly-brief": {
        "task": "meetings.tasks.send_weekly_brief",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "kpi-snapshot": {"task": "kpis.tasks.snapshot_kpis", "schedule": crontab(minute=30, hour=0)},
    "purge-idempotency-keys": {
        "task": "accounts.tasks.purge_idempotency_keys",
        "schedule": crontab(minute=45, hour=3),
    },
    "send-webhooks": {"task": "integrations.tasks.sweep_webhooks", "schedule": 15},
    "purge-webhook-deliveries": {
        "task": "integrations.tasks.purge_webhook_deliveries",
        "schedule": crontab(minute=30, hour=3),
    },
}

# --- Domain events (the outbox) --------------------------------------------------------

# How long handled events stay readable in the changes feed.
EVENTS_RETENTION_DAYS = env.int("EVENTS_RETENTION_DAYS", default=30)
# The sweep relays events the relay missed once they are this old…
EVENTS_RELAY_GRACE_SECONDS = env.int("EVENTS_RELAY_GRACE_SECONDS", default=10)
# …and re-sends handlers that have not finished this long after dispatch.
EVENTS_REDELIVER_AFTER_SECONDS = env.int("EVENTS_REDELIVER_AFTER_SECONDS", default=600)

# --- CRM sync: safe retries, webhooks (accounts/idempotency.py, integrations/) ----------

# How long an Idempotency-Key is remembered, and how long a second request with a key
# still in use waits before it answers 409.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_WAIT_MS = env.int("IDEMPOTENCY_WAIT_MS", default=100)
# A webhook receiver must answer within this many seconds (else the attempt failed).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# How many deliveries one worker sends at the same time (slow receivers wait in parallel).
WEBHOOKS_SEND_CONCURRENCY = env.int("WEBHOOKS_SEND_CONCURRENCY", default=8)
# An endpoint whose deliveries all failed for this long is disabled, its owner told.
WEBHOOKS_DISABLE_AFTER_HOURS = env.int("WEBHOOKS_DISABLE_AFTER_HOURS", default=24)
# After a secret rotation, the old secret keeps signing beside the new one this long.
WEBHOOKS_SECRET_OVERLAP_HOURS = env.int("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24)
# Webhook URLs must be https:// (http:// is for local receivers in development).
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=not DEBUG)
# Private, loopback and link-local addresses are refused (SSRF) except these addresses
# or networks, e.g. "127.0.0.1" or "10.0.0.0/8,fd00::/8" for receivers on your network.
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = env.list("WEBHOOKS_ALLOWED_PRIVATE_NETWORKS", default=[])

# --- API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.HasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "smarketing.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "smarketing.schema.AutoSchema",
    "EXCEPTION_HANDLER": "smarketing.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Smarketing API",
    "DESCRIPTION": (
        "Leads, SLAs, campaigns, feedback and shared KPIs for marketing and sales. "
        "Authenticate with `Authorization: Bearer <token>`; a token acts with its user's "
        "role, narrowed by its scopes (`<area>:read`, `<area>:write`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Enum components named after their choices, not after the field that shows them: the
    # areas share field names ("stage", "kind", "status", "action", "period") with other
    # values, and a name derived from the field would change whenever another area added
    # one (spectacular warns, and `check --deploy` fails on warnings).
    "ENUM_NAME_OVERRIDES": {
        "LeadStageEnum": "leads.models.Stage",
        "LeadMoveActionEnum": "leads.lifecycle.ACTIONS",
        "LeadStageChangeActionEnum": "leads.models.ChangeAction",
        "TouchKindEnum": "leads.models.TouchKind",
        "CampaignTypeEnum": "campaigns.models.CampaignType",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "CampaignMoveActionEnum": "campaigns.lifecycle.ACTION_LABELS",
        "SlaVersionStatusEnum": "sla.models.VersionStatus",
        "SignatoryRoleEnum": "sla.models.SignatoryRole",
        "KpiMeasureEnum": "kpis.models.Measure",
        "KpiUnitEnum": "kpis.models.Unit",
        "KpiPeriodEnum": "kpis.models.Period",
        "EventTypeEnum": "integrations.api.EVENT_TYPE_CHOICES",
    },
}

# --- Security (production) ---------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Smarketing --------------------------------------------------------------------------

# Where links in e-mails point to.
SMARKETING_BASE_URL = env("SMARKETING_BASE_URL", default="http://127.0.0.1:8000")
