"""Minqing settings: one file, read from the environment, safe defaults for the embedded demo."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MINQING_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", "pytest" in sys.modules)
# `make demo` sets MINQING_DEMO=1: production-like serving (DEBUG off, gunicorn, whitenoise, a worker) on
# plain HTTP at 127.0.0.1 with a throwaway key and SQLite. `check --deploy` fails while it is on
# (minqing/demo/checks.py), so a server can never be left running in demo mode by accident.
DEMO = env_bool("MINQING_DEMO", False)
# The embedded demo and the tests run with a throwaway key; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-key-only-for-demo-and-tests" if DEBUG or TESTING or DEMO else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or MINQING_DEMO=1 for the demo).")
# Encryption at rest of ID numbers, phones and certificate numbers (minqing/core/fieldcrypt.py): master keys
# "id:base64,…", the first encrypts, all decrypt. `manage.py rotate_field_keys --new-key` makes one. The demo
# and the tests derive a key from SECRET_KEY; production must set its own and keep it apart from backups.
FIELD_ENCRYPTION_KEYS = os.environ.get("FIELD_ENCRYPTION_KEYS", "")
FIELD_ENCRYPTION_CIPHER = os.environ.get("FIELD_ENCRYPTION_CIPHER", "aes-gcm")  # or "sm4-gcm" (国密)
if not FIELD_ENCRYPTION_KEYS and not (DEBUG or TESTING or DEMO):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (see docs/operations.md)."
    )
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    # Two-factor login (minqing/accounts/otp.py): phone authenticator apps (TOTP) and recovery codes.
    # Before the project's apps, so that accounts/admin.py can take their admin pages away (secrets).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "minqing.core",
    "minqing.areas",
    "minqing.accounts",
    "minqing.registry",
    "minqing.tags",
    "minqing.search",
    "minqing.visits",
    "minqing.assistance",
    "minqing.checkins",
    "minqing.compliance",
    "minqing.tickets",
    "minqing.desk",
    "minqing.exports",
    "minqing.api",
    "minqing.jobs",
    "minqing.home",
    "minqing.ops",
    "minqing.privacy",
    "minqing.demo",
]

MIDDLEWARE = [
    # django-prometheus's pair stays first and last: the whole stack is timed and counted.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "minqing.core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY below; static files get it too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching), before everything that may answer itself.
    "minqing.core.no_store.NoStoreMiddleware",
    "minqing.core.statement_timeout.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minqing.core.sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the gate: users who must pass the second factor reach nothing else.
    "django_otp.middleware.OTPMiddleware",
    "minqing.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minqing.core.middleware.RequestContextMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

FORM_RENDERER = "minqing.core.form_renderer.FastRenderer"  # selects and inputs without a template per option
ROOT_URLCONF = "minqing.urls"
WSGI_APPLICATION = "minqing.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "minqing" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "minqing.core.context_processors.navigation",
                "minqing.assistance.context_processors.pairing_navigation",
                "minqing.tickets.context_processors.ticket_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'minqing.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0" if TESTING else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short interactive queries: PostgreSQL's JIT compile (~80 ms) costs more than it saves here.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# PostgreSQL: each SQL statement of a web request may run at most this long (0 = no limit). Workers and
# commands keep no limit. A request cut off answers a Chinese "narrow the search" page (503).
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "10000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Passwords and login security (等保2.0 level 3 practice).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15
# An API token (POST /api/v1/auth/token/) answers for this many hours after it was issued, then 401; a
# password change or a disabled account ends it at once (minqing/accounts/tokens.py).
API_TOKEN_LIFETIME_HOURS = float(os.environ.get("API_TOKEN_LIFETIME_HOURS", "8"))
# Two-factor login (README "Two-factor login"): users whose roles may reveal, export or manage, superusers
# and staff must enter a code from a phone authenticator (or a recovery code) after the password. On in
# production, off for DEBUG, the tests and the demo (whose published logins work with the password alone).
OTP_REQUIRED = env_bool("MINQING_OTP_REQUIRED", not DEBUG and not TESTING and not DEMO)
OTP_TOTP_ISSUER = "民情"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the device admins are unregistered anyway (accounts/admin.py)
# django-otp's per-device delays would refuse a right code shortly after a wrong one; wrong codes count
# towards the account lockout instead (LOGIN_MAX_FAILURES, services.otp_verify).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Login attempts (login page, admin login, POST /api/v1/auth/token/) per client address (ip_of) and
# window; more answer 429 (0 = no limit). Counted in the cache: set REDIS_URL when several processes serve.
# Off in the tests, whose logins all come from 127.0.0.1 into one cache; the tests of the limit turn it on.
LOGIN_RATE_PER_IP = int(os.environ.get("LOGIN_RATE_PER_IP", "0" if TESTING else "20"))
LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("LOGIN_RATE_WINDOW_SECONDS", "600"))
SESSION_COOKIE_AGE = 30 * 60  # idle sessions end after 30 minutes ...
SESSION_TOUCH_SECONDS = 60  # ... counted from the last request, saved at most once a minute (core.sessions)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# The demo answers on plain HTTP at 127.0.0.1: no secure-only cookies, no redirect to HTTPS, no HSTS.
SESSION_COOKIE_SECURE = not DEBUG and not TESTING and not DEMO and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING and not DEMO)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG or DEMO else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the application (nginx: 1). The client address is
# the one the outermost of them saw: the TRUSTED_PROXY_COUNT-th X-Forwarded-For entry from the right.
# 0 = the socket's address (REMOTE_ADDR), the header is ignored. The audit trail, the login log, the
# request log and the API throttles all read it (minqing/core/middleware.py ip_of). Too high a value lets
# a client choose its address: count only proxies that set or append the header themselves.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Links to other sites get no Referer (our URLs carry household and person ids); ours keep it.
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4, csp.middleware.CSPMiddleware) on every response: pages, API, errors,
# the admin and the API docs alike. No 'unsafe-inline', no 'unsafe-eval': templates carry no inline
# script, event handler, <style> or style="" (core/tests/test_csp.py scans them); code lives in
# minqing/static/minqing/*.js and data travels in data-* attributes or json_script blocks. ECharts draws
# on canvas, Bootstrap and charts.js set styles through the CSSOM (allowed), htmx's indicator <style> is
# turned off in base.html's htmx-config meta. data:/blob: images are ECharts' "save as image" and icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Django's defaults, stated: a cross-site POST or embed carries neither cookie.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Every other response says `Cache-Control: no-store, private` (minqing/core/no_store.py); static files
# never get there (WhiteNoise answers first). These public paths keep their own headers.
NO_STORE_EXEMPT_PATHS = ["/healthz", "/readyz", "/metrics"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "minqing" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATICFILES_DIRS = [BASE_DIR / "minqing" / "static", BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "private"  # never served directly: files go through access-checked views
# `manage.py backup` writes its archives here unless given --dest (docs/operations.md "Backups");
# in production put it on another disk than VAR_DIR.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# Attachments: allowed types are checked by content (magic bytes / Pillow), not by the file name.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENT_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Visit log (minqing/visits): minutes during which an entry's author may still revise or withdraw it; photos
# per entry; the longest side of a stored photo (re-encoded as JPEG on the server).
VISIT_GRACE_MINUTES = int(os.environ.get("VISIT_GRACE_MINUTES", "30"))
VISIT_MAX_PHOTOS = 9
VISIT_PHOTO_MAX_PX = 1600
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Excel exports: small ones are written in the request; larger ones are background tasks (see TASKS).
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "2000"))
EXPORTS_KEEP_DAYS = 7
# Per-user limits on looks at personal data (README "Limits"; 0 = no limit). Past them the page and the API
# answer 429, one audit row is written per user and window, and the user's area supervisors are alerted.
REVEAL_LIMIT_PER_HOUR = int(os.environ.get("REVEAL_LIMIT_PER_HOUR", "60"))
EXPORT_LIMIT_PER_DAY = int(os.environ.get("EXPORT_LIMIT_PER_DAY", "20"))
EXPORT_ROWS_PER_DAY = int(os.environ.get("EXPORT_ROWS_PER_DAY", "200000"))

# Background tasks (docs/operations.md): the database is the queue (django-tasks-db, no broker; SQLite and
# PostgreSQL alike) and `manage.py run_worker` runs it. Tests run tasks at once in the caller
# (ImmediateBackend); the tests of the worker switch to the database backend themselves.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A RUNNING task whose worker has not beaten for this long was lost: failed, or re-enqueued if retry-safe.
JOBS_HEARTBEAT_SECONDS = 5
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", "120"))
JOBS_KEEP_DAYS = 30
# Periodic work, run by `manage.py run_periodic` (a systemd timer or cron every 5 minutes): name → the
# dotted path of a callable taking no arguments (it may return a one-line summary) and its schedule,
# {"daily": "HH:MM"} (local time) or {"every_minutes": N}. One run of a name at a time (a lease row).
PERIODIC_JOBS = {
    "refresh_tags": {"callable": "minqing.tags.periodic.refresh_tags", "schedule": {"daily": "02:00"}},
    "compliance_reconcile": {
        "callable": "minqing.compliance.periodic.compliance_reconcile",
        "schedule": {"daily": "02:30"},
    },
    "purge_exports": {"callable": "minqing.exports.services.jobs_purge", "schedule": {"every_minutes": 60}},
    "tickets_sweep": {"callable": "minqing.tickets.periodic.tickets_sweep", "schedule": {"daily": "08:00"}},
    "prune_tasks": {"callable": "minqing.jobs.services.tasks_prune", "schedule": {"daily": "03:30"}},
    "purge_username_locks": {
        "callable": "minqing.accounts.services.username_locks_purge",
        "schedule": {"daily": "04:00"},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous API call answers 401 with a WWW-Authenticate header.
        "minqing.accounts.tokens.ExpiringTokenAuthentication",
        # DRF's session authentication, with its CSRF failure in the API's one Chinese error shape.
        "minqing.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only outside DEBUG: DRF's browsable pages carry inline styles the CSP refuses; /api/docs/ is the
    # interactive documentation.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # DRF's parsers, with a JSON body too deeply nested for the decoder answered 400 (minqing.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "minqing.api.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "minqing.api.pagination.NoCountPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "minqing.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
    # Our throttles take the client address from core.middleware.ip_of; DRF's own, if ever used, agree.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Minqing 民情 API",
    "DESCRIPTION": "一户一档 registry, visits and requests. Every endpoint is scoped to the caller's areas.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page describe every endpoint and field: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error statuses, in the one error shape (minqing/api/schema.py).
    # One schema name per code table used under several field names or beside other "kind"/"status" fields.
    "ENUM_NAME_OVERRIDES": {
        "RiskTypeEnum": "minqing.core.codes.local.RiskType",
        "VisitKindEnum": "minqing.visits.models.VisitKind",
        "MeasureKindEnum": "minqing.assistance.models.MeasureKind",
        "MeasureStatusEnum": "minqing.assistance.models.MeasureStatus",
        "HouseholdStatusEnum": "minqing.core.codes.HouseholdStatus",
        "TicketStatusEnum": "minqing.tickets.models.Status",
        "TicketKindEnum": "minqing.tickets.models.Kind",
        "TicketLevelEnum": "minqing.tickets.models.Level",
        "TicketChannelEnum": "minqing.tickets.models.Channel",
        "TicketUrgencyEnum": "minqing.tickets.models.Urgency",
        "HandlerRoleEnum": "minqing.tickets.models.HandlerRole",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "minqing.api.schema.document_errors",
    ],
}

# Every app logs as ``minqing.<app>`` (``logging.getLogger(__name__)``), so the one ``minqing`` logger
# sets the level for all of them. Records propagate to the root's console handler (one handler, so
# nothing prints twice and pytest's caplog still sees them); third-party libraries stay at WARNING.
# Django's request errors (4xx/5xx) and security events (bad hosts, CSRF failures) are shown too.
# LOG_FORMAT=json (default when DEBUG and the demo are off) writes one JSON object per line; text is for
# people at a terminal. Both redact ID-number- and phone-like digit runs (minqing/core/logs.py).
# `minqing.request` writes one line per request (minqing/core/request_log.py), except successful ones
# under REQUEST_LOG_QUIET_PATHS (static files, probes, metrics).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG or DEMO else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
REQUEST_LOG_QUIET_PATHS = ["/" + STATIC_URL.lstrip("/"), "/favicon.ico", "/healthz", "/readyz", "/metrics"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "minqing.core.logs.JsonFormatter"},
        "text": {"()": "minqing.core.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "minqing.core.logs.StderrHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "minqing": {"level": LOG_LEVEL},
        # Replaces Django's default handlers (a DEBUG-only console, mail_admins) with the root's console.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"level": "WARNING"},
        "django.security": {"level": "INFO"},
    },
}

# Audit log (docs/operations.md "Audit log"): rows are hash-chained with this algorithm ("sha256" or the
# national standard "sm3"); each hash names its algorithm, so switching keeps older rows verifiable.
# `manage.py purge_audit` deletes rows older than AUDIT_RETENTION_DAYS (at least 180: 网络安全法 Art. 21).
AUDIT_HASH_ALGORITHM = os.environ.get("AUDIT_HASH_ALGORITHM", "sha256").strip().lower()
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))
if AUDIT_HASH_ALGORITHM not in {"sha256", "sm3"} or AUDIT_RETENTION_DAYS < 180:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("AUDIT_HASH_ALGORITHM must be sha256 or sm3; AUDIT_RETENTION_DAYS >= 180.")

# Observability (docs/operations.md "Observability"). /readyz fails when a check crosses its threshold.
READYZ_DISK_MIN_FREE_MB = int(os.environ.get("READYZ_DISK_MIN_FREE_MB", "1024"))
READYZ_DISK_MIN_FREE_PERCENT = float(os.environ.get("READYZ_DISK_MIN_FREE_PERCENT", "5"))
READYZ_WORKER_MAX_AGE_SECONDS = int(os.environ.get("READYZ_WORKER_MAX_AGE_SECONDS", "120"))
READYZ_QUEUE_MAX_AGE_SECONDS = int(os.environ.get("READYZ_QUEUE_MAX_AGE_SECONDS", "600"))
# /metrics answers a direct connection from these addresses or networks, or a request carrying
# `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 404. Proxied requests need the token.
METRICS_ALLOWED_IPS = [
    a.strip() for a in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if a.strip()
]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# django-prometheus: request metrics only; its database and cache wrappers are not used (DATABASES stay
# plain Django backends). Several gunicorn processes: set PROMETHEUS_MULTIPROC_DIR (docs/operations.md).
PROMETHEUS_EXPORT_MIGRATIONS = False

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    class UndefinedTemplateVariable(str):
        """In tests ``{{ typo }}`` fails instead of rendering as "" (``{% if %}`` and ``{% for %}`` still may test)."""

        def __mod__(self, name: object) -> str:
            from django.template import TemplateSyntaxError

            raise TemplateSyntaxError(f"undefined template variable: {name}")

    TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = UndefinedTemplateVariable("%s")  # type: ignore[index]
