"""IPM Portal settings: one module, configured from environment variables only.

DEBUG is off unless DEBUG=true: then the safe production defaults apply (HTTPS only, secure
cookies, HSTS, a SECRET_KEY that must be given). With DEBUG on, the embedded default needs
nothing: SQLite, tasks in-process, e-mail printed on the console.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
# Behind a TLS-terminating proxy (docker-compose, a load balancer) that sets X-Forwarded-Proto
# and appends the client's address to X-Forwarded-For. Off: those headers are not trusted.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)

SECRET_KEY = env_secret("SECRET_KEY")
# Without a key and with DEBUG off, the key stays empty (never a default): Django refuses to sign
# anything with it, the web and worker processes refuse to start (core/checks.py), and
# `manage.py check` reports it; commands that sign nothing (makemigrations, makemessages) run.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # intcomma: large counts grouped the way the reader's language writes them (12,345 or 12 345).
    "django.contrib.humanize",
    # Full-text search and trigram lookups on PostgreSQL (search/); inert on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "axes",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "uploads",
    "jobs",
    "brands",
    "authentication_guides",
    "applications",
    "alerts",
    "notifications",
    "webhooks",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ipm_portal.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come pre-compressed), above what writes the body.
    "ipm_portal.middleware.CompressTextMiddleware",
    # Below WhiteNoise: static files keep their own caching and need no policy.
    "csp.middleware.CSPMiddleware",
    "ipm_portal.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.AccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipm_portal.urls"
WSGI_APPLICATION = "ipm_portal.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL in production and tests, SQLite as the embedded default.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_JIT_OFF", default=True):
    # PostgreSQL's JIT compiles each search statement (its plan cost crosses jit_above_cost) for
    # 80-125 ms, for queries that run in a few: off for the portal's connections (docs/PERFORMANCE.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (API throttles, search's guide lists, job progress) and Celery broker. With
# Redis away the cache is a miss, throttles count per process and nothing answers 500
# (core/cache.py): each call waits at most CACHE_SOCKET_TIMEOUT seconds, then the process
# leaves Redis alone for CACHE_SKIP_SECONDS. Sign-in lock-out (django-axes) is in the database.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ipm"),
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "skip_seconds": env.float("CACHE_SKIP_SECONDS", default=5.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: through the broker whenever one is configured, in-process otherwise.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Webhook attempts wait on other people's servers: they have a queue of their own (WEBHOOKS_QUEUE),
# so that no receiver can delay in-app or e-mail delivery. A worker started without -Q serves
# both queues (one machine, one worker); production runs one worker per queue (docker-compose).
WEBHOOKS_QUEUE = env.str("WEBHOOKS_QUEUE", default="webhooks")
CELERY_TASK_ROUTES = ("ipm_portal.celery.route_task",)
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, WEBHOOKS_QUEUE)]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# max_retries 0: a task sent while the broker is down fails at once (kombu otherwise retries the
# connection for about 6 s inside the request, even with retry=False); the sweepers send it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "max_retries": 0}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "purge-expired-api-tokens": {"task": "accounts.tasks.purge_expired_tokens", "schedule": 6 * 3600},
    "sweep-jobs": {"task": "jobs.tasks.sweep_jobs", "schedule": 5 * 60},
    "expire-alerts": {"task": "alerts.tasks.expire_alerts", "schedule": 15 * 60},
    "case-deadlines": {"task": "alerts.tasks.case_deadlines", "schedule": 15 * 60},
    # Deconfliction hits whose announcing task never ran (broker down at the save's commit).
    "announce-deconfliction-hits": {"task": "alerts.tasks.announce_deconfliction_hits", "schedule": 60},
    # Events never dispatched or left half-done are finished from the database.
    "sweep-notifications": {"task": "notifications.tasks.sweep", "schedule": 60},
    # Daily digests go out after NOTIFICATIONS_DIGEST_HOUR (UTC), once per person per day.
    "send-notification-digests": {"task": "notifications.tasks.send_digests", "schedule": 10 * 60},
    # Webhook deliveries whose next attempt is due (retries with backoff), from the database.
    "retry-webhooks": {"task": "webhooks.tasks.retry_due", "schedule": 30},
    # Right holders whose brands were kept customs-only are told once that they may widen them.
    "tell-widen-possible": {"task": "brands.tasks.tell_widen_possible", "schedule": 15 * 60},
    # The search change log's rows older than SEARCH_CHANGE_LOG_DAYS (a node that far behind rebuilds).
    "prune-search-change-log": {"task": "search.tasks.prune_change_log", "schedule": 3600},
    # Applications for action: expiry, extension reminders and trade mark expiry reminders, each once.
    "application-reminders": {"task": "applications.tasks.application_reminders", "schedule": 3600},
}

# --- Notifications: recipients per delivery task (in-app rows in one insert; e-mails over one
# SMTP connection) and the hour (UTC) from which the daily digests go out.
NOTIFICATIONS_CHUNK_SIZE = env.int("NOTIFICATIONS_CHUNK_SIZE", default=2000)
NOTIFICATIONS_EMAIL_CHUNK_SIZE = env.int("NOTIFICATIONS_EMAIL_CHUNK_SIZE", default=200)
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=6)
# A chunk is held by one task at a time, under a lease renewed as it works (a killed worker's
# chunk is taken up by the sweeper once the lease runs out), and one task spends at most the
# budget on it (below CELERY_TASK_SOFT_TIME_LIMIT) before a fresh task goes on with the rest.
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=120)
NOTIFICATIONS_CHUNK_BUDGET_SECONDS = env.int("NOTIFICATIONS_CHUNK_BUDGET_SECONDS", default=120)

# --- Webhooks (webhooks/): the wall-clock deadline of one attempt (lookup, connect, TLS, send
# and read together), attempts per delivery (30 s doubling, capped at an hour), consecutive
# failures before an endpoint is disabled, the ports endpoints may use ("*": any). Their queue,
# WEBHOOKS_QUEUE, is with Celery's settings above. Private, loopback and
# link-local targets and plain http:// are for tests and local development only.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_ALLOWED_PORTS = env.list("WEBHOOKS_ALLOWED_PORTS", default=["443"])
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=12)
WEBHOOKS_DISABLE_AFTER = env.int("WEBHOOKS_DISABLE_AFTER", default=10)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=30)
WEBHOOKS_RETRY_MAX_SECONDS = env.int("WEBHOOKS_RETRY_MAX_SECONDS", default=3600)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)

# --- Accounts, sign-in and two-factor.
AUTH_USER_MODEL = "accounts.User"
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations create its default token table even when the model is swapped for ours.
MIGRATION_MODULES = {"knox": None}
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in once an account is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# Two-factor (TOTP) is enforced for platform admins and enforcement coordinators when true.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "IPM Portal"

# Sign-in lock-out (django-axes): after AXES_FAILURE_LIMIT failures for one account, sign-in
# is refused for AXES_COOLOFF_TIME, whatever the address (a customs office shares one IP).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.authentication.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.authentication.lockout_response"
AXES_VERBOSE = False
# axes.W006 asks to lock out by IP too: a whole customs office behind one address would be
# locked out by one person's typos. The per-IP API throttle limits password spraying instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The platform organization that superusers belong to.
PLATFORM_ORGANIZATION_NAME = env.str("PLATFORM_ORGANIZATION_NAME", default="IPM Platform")
PLATFORM_ORGANIZATION_COUNTRY = env.str("PLATFORM_ORGANIZATION_COUNTRY", default="BE")

# --- API.
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="600/min")
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/min")
# Photo searches per user (API and scan page together), counted apart from the rest of the API:
# decoding a photo costs a worker far more than any other request.
API_THROTTLE_PHOTO = env.str("API_THROTTLE_PHOTO", default="30/min")
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApprovedTokenAuthentication",
        "accounts.authentication.ApprovedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsApprovedUser"],
    # DRF's parsers; the JSON one refuses bodies nested past 64 levels (400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.UserThrottle",
        "core.api.AnonIPThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 25,
    # The client's address for throttling: REMOTE_ADDR, or the one our proxy appended. Never
    # the whole X-Forwarded-For, which the client writes.
    "NUM_PROXIES": 1 if BEHIND_TLS_PROXY else 0,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.renderers.BrowsableAPIRenderer",
    ],
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS) if API_TOKEN_TTL_DAYS else None,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IPM Portal API",
    "DESCRIPTION": "Anti-counterfeit product authentication portal: brands, guides, alerts and cases.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator.swagger.io: no third-party request (and the CSP).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.OrganizationKind",
        "AgencyKindEnum": "core.roles.AGENCY_CHOICES",
        "RegistrableKindEnum": "accounts.models.REGISTRABLE_KIND_CHOICES",
        "StatusEnum": "accounts.models.Status",
        "RoleEnum": "accounts.models.Role",
        "CountryEnum": "core.api.COUNTRY_CHOICES",
        "CategoryEnum": "brands.models.Category",
        "SubjectKindEnum": "alerts.subjects.SubjectKind",
        "PictureViewEnum": "brands.models.ImageCaption",
        "IndicatorKindEnum": "authentication_guides.models.IndicatorKind",
        "FeedbackKindEnum": "authentication_guides.models.FeedbackKind",
        "CaseVerdictEnum": "alerts.models.CaseVerdictKind",
    },
}

# --- Internationalization.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files: served by the app (WhiteNoise), never from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"  # never served publicly: media go through authenticated views.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    # Any S3-compatible store (AWS, MinIO, Ceph...): private objects, short-lived signed URLs.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- The search engine (issue 15, search/engine.py): each node's own Tantivy index, kept in step
# with the database's change log by `manage.py search_indexer` (search/follow.py).
SEARCH_INDEX_DIR = env.path("SEARCH_INDEX_DIR", default=BASE_DIR / "var" / "search-index")
# "tantivy" (the default): searches are answered by that index (the database backend while it is
# not built, with a warning); "database": by PostgreSQL's full text or SQLite's FTS5
# (search/backends.py), for a node that runs no indexer.
SEARCH_ENGINE = env.str("SEARCH_ENGINE", default="tantivy")
# `make run`: the development server follows the change log itself (search/apps.py).
SEARCH_INDEXER_IN_PROCESS = env.bool("SEARCH_INDEXER_IN_PROCESS", default=False)
# Days the change log keeps; a node whose index is further behind rebuilds it (search/tasks.py).
SEARCH_CHANGE_LOG_DAYS = env.int("SEARCH_CHANGE_LOG_DAYS", default=7)

# --- Uploads (the uploads app): limits on pictures, and how protected media are delivered.
# Larger files are refused before decoding; set the reverse proxy's body limit a little above.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=15 * 1024 * 1024)
# Refused from the image header, before decoding (also Pillow's process-wide limit).
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
# Photo search: a PNG or WebP (which cannot be decoded at a reduced scale, unlike JPEG) above this
# is refused from its header; a 12-megapixel phone photo (4032 x 3024) passes.
PHOTO_SEARCH_MAX_PIXELS = env.int("PHOTO_SEARCH_MAX_PIXELS", default=16_000_000)
# Local storage behind nginx: e.g. "/protected-media/", an `internal` location aliasing MEDIA_ROOT.
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_ACCEL_REDIRECT_PREFIX", default="")
# Local storage behind Apache mod_xsendfile or lighttpd: e.g. "X-Sendfile".
MEDIA_SENDFILE_HEADER = env.str("MEDIA_SENDFILE_HEADER", default="")
THUMBNAIL_SIZES = (320, 1280)
# Files in one request (Django's default is 100): enough for a form with a formset of pictures.
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=30)
# --- End of uploads

# --- E-mail.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="IPM Portal <no-reply@ipm-portal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Security: safe by default; relaxed only with DEBUG on.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Our 403 page, not Django's (whose inline styles the Content-Security-Policy refuses).
CSRF_FAILURE_VIEW = "ipm_portal.views.csrf_failure"
# Content-Security-Policy (django-csp): our own scripts, styles, fonts and connections only, no
# inline code, no third party (no CDN: DESIGN.md). img-src data: and blob: for SVG icons and
# camera frames, worker-src and manifest-src for a service worker and a web app manifest.
# Relaxed per response only where a third-party page needs it (the browsable API's styles:
# core/renderers.py). Media files carry their own sandboxing policy (uploads/serving.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One handler for Django's own messages (its default adds a second console handler).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # Celery's "Task … succeeded" lines: one per task is too chatty for the console.
        "celery.app.trace": {"level": "WARNING"},
    },
}
