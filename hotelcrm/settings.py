"""HotelCRM settings. Deploy-specific values come from the environment (see README)."""

import importlib
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hotelcrm import embedded
from hotelcrm.config import env_bool, env_int, env_limits, env_list, env_str, env_url, fernet_keys

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = embedded.default_data_dir()

DEBUG = env_bool("DEBUG", False)

# --- Services: real servers when configured, the embedded default otherwise -----------------
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql"))
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
USES_EMBEDDED_SERVICES = DATABASE_URL is None or REDIS_URL is None
# Local mode: the embedded default or DEBUG. Only here may secrets be generated for us.
LOCAL_MODE = DEBUG or USES_EMBEDDED_SERVICES

if DATABASE_URL is None:
    DATABASE_URL = embedded.ensure_postgres(DATA_DIR)
if REDIS_URL is None:
    REDIS_URL = embedded.ensure_redis(DATA_DIR)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Requests and tasks run as this role, which row-level security binds (hotelcrm/rls.py); the
# login role of DATABASE_URL owns the tables and runs migrations and management commands.
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", "hotelcrm_app")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,55}", DATABASE_APP_ROLE):
    raise ImproperlyConfigured(
        "DATABASE_APP_ROLE must be a plain lower-case PostgreSQL role name of at most 56"
        " characters, such as hotelcrm_app."
    )
# The dispatchers' "every organization" context runs as this second role (hotelcrm/rls.py).
DATABASE_SYSTEM_ROLE = f"{DATABASE_APP_ROLE}_system"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _local_secret(filename, make):
    """A secret generated once per local install and kept in the data folder (never in git)."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not LOCAL_MODE:
        raise ImproperlyConfigured("SECRET_KEY is not set: it is required when DATABASE_URL and REDIS_URL are set.")
    SECRET_KEY = _local_secret("secret_key", lambda: secrets.token_urlsafe(50))
elif len(SECRET_KEY) < 32 and not LOCAL_MODE:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 32 random characters.")

_raw_encryption_keys = env_str("FIELD_ENCRYPTION_KEYS")
if _raw_encryption_keys is None:
    if not LOCAL_MODE:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: it is required when DATABASE_URL and REDIS_URL are set."
        )
    _raw_encryption_keys = _local_secret("field_encryption_keys", _new_fernet_key)
FIELD_ENCRYPTION_KEYS = fernet_keys("FIELD_ENCRYPTION_KEYS", _raw_encryption_keys)

BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY")
if BLIND_INDEX_KEY is None:
    if not LOCAL_MODE:
        raise ImproperlyConfigured(
            "BLIND_INDEX_KEY is not set: it is required when DATABASE_URL and REDIS_URL are set."
        )
    BLIND_INDEX_KEY = _local_secret("blind_index_key", lambda: secrets.token_urlsafe(48))
elif len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("BLIND_INDEX_KEY is too short: use at least 32 random characters.")

# Phone numbers written without a country code are read as numbers of this region.
DEFAULT_PHONE_REGION = env_str("DEFAULT_PHONE_REGION", "CN")

# Stays every path refuses (PMS API, imports, forms): longer than STAY_MAX_NIGHTS, arriving more
# than STAY_PAST_YEARS ago or leaving more than STAY_FUTURE_YEARS ahead (a PMS sending 1900-2100).
STAY_MAX_NIGHTS = env_int("STAY_MAX_NIGHTS", 366, minimum=1)
STAY_PAST_YEARS = env_int("STAY_PAST_YEARS", 30, minimum=1)
STAY_FUTURE_YEARS = env_int("STAY_FUTURE_YEARS", 5, minimum=1)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if LOCAL_MODE else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names this site is served under.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "axes",
    "django_countries",
    "hotelcrm.apps.CoreConfig",
    "guests",
    "complaints",
    "loyalty",
    "care",
    "reports",
    "notifications",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hotelcrm.security_middleware.SecurityHeadersMiddleware",
    "hotelcrm.api.middleware.ApiUrlLengthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hotelcrm.security_middleware.StrictFormEncodingMiddleware",  # before anything reads request.POST
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hotelcrm.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hotelcrm.security_middleware.SessionIdleTimeoutMiddleware",
    "hotelcrm.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it is the first to see a view's exception: a lost database connection answers 503.
    "hotelcrm.faults.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "hotelcrm.urls"
WSGI_APPLICATION = "hotelcrm.wsgi.application"

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
                "hotelcrm.context_processors.tenancy",
                "hotelcrm.faults.degraded_mode",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Guardian: no anonymous user row; object permissions are for staff only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Login throttling: 5 failures for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Wider locks (hotelcrm.login_throttle): one address failing across many usernames (spraying),
# one username failing from many addresses (a botnet). Counted over the same cool-off window.
AXES_HANDLER = "hotelcrm.login_throttle.HotelCRMAxesHandler"
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 30, minimum=1)
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20, minimum=1)


def _two_factor_roles():
    # "none" turns the requirement off (the test suite does, see pyproject.toml); superusers always need it.
    raw = env_list("TWO_FACTOR_REQUIRED_ROLES", ["manager", "group_admin"])
    if [item.lower() for item in raw] == ["none"]:
        return []
    allowed = {"front_desk", "guest_relations", "manager", "group_admin"}
    unknown = [item for item in raw if item not in allowed]
    if unknown:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_REQUIRED_ROLES has unknown roles {', '.join(unknown)}: use {', '.join(sorted(allowed))} or none."
        )
    return raw


# Staff holding one of these roles at any hotel must pass TOTP two-factor at every log-in (hotelcrm.twofactor).
TWO_FACTOR_REQUIRED_ROLES = _two_factor_roles()
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0) or None

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# Our own date, date-time and number formats per language (hotelcrm/formats/<locale>/formats.py).
FORMAT_MODULE_PATH = ["hotelcrm.formats"]

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Locally, files are served straight from static/; deployments run collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL_MODE
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL_MODE
if LOCAL_MODE:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving from finders
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"

# --- Cache and Celery on Redis ---------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "hotelcrm"),
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}
# Database sessions that store a digest of the key, not the key (hotelcrm/sessions.py).
SESSION_ENGINE = "hotelcrm.sessions"


def _celery_url(redis_url):
    # kombu names the unix-socket transport redis+socket://
    return "redis+socket://" + redis_url[len("unix://") :] if redis_url.startswith("unix://") else redis_url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
# The queue tasks go to and workers read by default; a separate name keeps two installations
# (or a load test beside a test suite) sharing one Redis database from taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_DEFAULT_QUEUE", "celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that dies (SIGKILL, power loss) is handed out again after this long;
# acks-late plus idempotent tasks make the second run finish the work without doubling it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] < 60:
    # A short timeout is only useful if abandoned tasks are also looked for often.
    CELERY_BROKER_TRANSPORT_OPTIONS.update(unacked_restore_interval=1, unacked_restore_throttle=1)
# With Redis down, queuing a job gives up after about a second instead of holding the page.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# How often a web process re-checks Redis for the "background jobs are paused" banner.
REDIS_CHECK_INTERVAL_SECONDS = env_int("REDIS_CHECK_INTERVAL_SECONDS", 10, minimum=0)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Lets /healthz tell whether beat is alive; the domain dispatchers join this schedule.
    "record-beat-heartbeat": {
        "task": "hotelcrm.tasks.record_beat_heartbeat_task",
        "schedule": float(env_int("BEAT_HEARTBEAT_SECONDS", 60, minimum=1)),
    },
}
# Each domain app keeps its own beat entries in <app>/schedule.py.
for _app in ("guests", "complaints", "loyalty", "care", "notifications", "integrations", "reports"):
    CELERY_BEAT_SCHEDULE.update(importlib.import_module(f"{_app}.schedule").BEAT_SCHEDULE)

# --- Email -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on: choose one.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HotelCRM <no-reply@localhost>")
# Links in emails (notifications, unsubscribe, survey) are absolute: the address staff and guests reach the site at.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_BACKEND"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
elif EMAIL_HOST is None and LOCAL_MODE:
    # Locally, mail lands as files in the data folder so a password reset can be followed.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"

# /healthz details (database, Redis, worker, beat) for a monitor without a session: send this
# value in the X-Health-Token header. Unset: only signed-in staff see them; anonymous callers
# always get the overall status alone.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")
if HEALTHZ_TOKEN and len(HEALTHZ_TOKEN) < 16:
    raise ImproperlyConfigured("HEALTHZ_TOKEN must be at least 16 characters long.")

# A longer API URL (path and query, in characters) answers 414: long input belongs in a body.
API_MAX_URL_LENGTH = env_int("API_MAX_URL_LENGTH", 2048, minimum=256)

# --- Points limits ---------------------------------------------------------------------------
# Hard limits on discretionary points (awards and adjustments), whatever the path (UI, API,
# import, admin, command): (most points in one request, most points in any 24 hours) per API key
# and per staff role. Above them loyalty.services.adjustment_request refuses and writes nothing;
# below them, amounts above the program's approval threshold still wait for a second manager.
LOYALTY_POINTS_LIMITS = env_limits(
    "LOYALTY_POINTS_LIMITS",
    {
        "api_key": (50_000, 200_000),
        "front_desk": (5_000, 20_000),
        "guest_relations": (20_000, 100_000),
        "manager": (100_000, 500_000),
        "group_admin": (100_000, 1_000_000),
        "system": (100_000, 1_000_000),  # no staff role: demo data, commands run by the operator
    },
)

# --- REST framework --------------------------------------------------------------------------
# Where the API base (hotelcrm.api.base.idempotent) keeps first answers; owned by the API app.
API_IDEMPOTENCY_MODEL = "integrations.IdempotencyRecord"
REST_FRAMEWORK = {
    # Session first: an anonymous call answers 403 (not 401), as the UI's API always has.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "integrations.api.authentication.IntegrationKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "hotelcrm.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "hotelcrm.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per key (each key has its own rate) or per staff member; counted in the Redis cache. Every
    # API view names hotelcrm.api.base.KeyRateThrottle (PmsApiView, the account views, the schema).
    "DEFAULT_THROTTLE_RATES": {"integration_key": env_str("API_RATE_PER_STAFF", "600/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HotelCRM API",
    "DESCRIPTION": (
        "The PMS API of HotelCRM. Authenticate with `Authorization: Bearer <key>` (a hotel's integration key) "
        "or a staff session. Every error has the shape {type, title, detail, field_errors}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hotelcrm.api.schema.add_common_responses",
    ],
}

# --- Security --------------------------------------------------------------------------------
# Behind HTTPS unless running locally; HTTPS=0 turns it off for a plain-HTTP test deploy.
USES_HTTPS = env_bool("HTTPS", not LOCAL_MODE)
SESSION_COOKIE_SECURE = USES_HTTPS
CSRF_COOKIE_SECURE = USES_HTTPS
SECURE_SSL_REDIRECT = USES_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if USES_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = USES_HTTPS
SECURE_HSTS_PRELOAD = USES_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# A session left idle this long is logged out (hotelcrm.security_middleware); 0 turns it off.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=0) * 60
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The Content-Security-Policy sent with every page (hotelcrm.security_middleware.DEFAULT_CSP
# when unset): no inline script anywhere; downloads get a stricter, sandboxed policy.
if env_str("CONTENT_SECURITY_POLICY"):
    CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
