"""Settings for the portal, read from the environment through django-environ.

Kept as one piece: Django reads one settings module, and an operator looking for what a
variable of `.env.example` does finds it here, next to the others it depends on.

Every service is one URL in the environment. Without any environment the portal still starts
with embedded first-run defaults: SQLite, email printed to the console, Celery tasks run eagerly
in the web process. `.env.example` lists every variable.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# DJANGO_ENV=production switches on the deployment settings at the end of this file and makes
# them refuse to start with development defaults.
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}.")

DEBUG = False if PRODUCTION else env.bool("DEBUG", default=True)
LOCAL_SECRET_KEY = "django-insecure-local-development-key-change-me"  # noqa: S105 (refused in production) # nosec B105
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else LOCAL_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == LOCAL_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production."
    )
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the portal's host names in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "csp",
    # The REST API of universities' systems, its OpenAPI schema and the Swagger UI's own files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The portal's own apps, from the bottom layer up (README, "The map").
    "core",
    "notifications",
    "accounts",
    "universities",
    "rules",
    "cases",
    "documents",
    "permits",
    "applications",
    "reports",
    "appointments",
    "officers",
    "university_office",
]

MIDDLEWARE = [
    # First, so that every later middleware's log lines carry the request id; then the
    # metrics, so a request's time includes all the middleware after it.
    "portal.observability.request_id.RequestIdMiddleware",
    "portal.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry the same headers as pages.
    "csp.middleware.CSPMiddleware",
    "portal.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff: two-factor sign-in before any page, and a short idle timeout.
    "accounts.middleware.StaffSessionMiddleware",
]

ROOT_URLCONF = "portal.urls"

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
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

FORM_RENDERER = "portal.forms_rendering.PortalFormRenderer"

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A streaming read replica of the primary. Only views that opt in read from it (the supervisor
# dashboard, the CSV exports, the data export: core/replica.py); every write, and every other
# read, stays on default. MIRROR: tests make no database of their own for it.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login; an address must be verified before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"

# Throttling, counted by allauth in the shared cache (CACHES below): per address ("ip") and per
# account ("key", the email address). LOGIN_LOCKOUT_FAILURES failed sign-ins of one account
# within LOGIN_LOCKOUT_MINUTES lock it until the oldest of them is that old, even for the right
# password (a password reset unlocks it); the same count applies to wrong two-factor codes.
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": f"10/m/ip,{LOGIN_LOCKOUT_FAILURES}/{LOGIN_LOCKOUT_MINUTES}m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/h/key",  # a rate, not a password # nosec B105
    "reset_password_from_key": "20/m/ip",  # nosec B105
    # Sending a verification email: at most one per address every 3 minutes.
    "confirm_email": "1/3m/key",
}

# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes. Officers,
# supervisors and admin users must pass it (accounts/middleware.py); students may add it.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Student permit portal"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Staff sessions end this many seconds after their last request; students keep Django's default.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)

# Azerbaijani first: the students read Azerbaijani; officers work in Turkish.
LANGUAGE_CODE = "az"
LANGUAGES = [
    ("az", _("Azerbaijani")),
    ("tr", _("Turkish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# English dates day-first or ISO (portal/formats/en/formats.py); az and tr keep Django's own.
FORMAT_MODULE_PATH = ["portal.formats"]
# Permit dates are legal calendar dates in Türkiye.
TIME_ZONE = "Europe/Istanbul"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry at set-up (package.json); only its dist is served.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Documents are personal data: stored outside any public URL, served only through a view that
# checks permissions.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private")))
# DOCUMENT_STORAGE=s3 keeps them in an S3-compatible bucket instead, so that web and worker
# processes on several machines share them; the bucket must not be public (files are never
# given a URL, they are streamed by the same views).
DOCUMENT_STORAGE = env.str("DOCUMENT_STORAGE", default="local")
if DOCUMENT_STORAGE == "s3":
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default="private"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
elif DOCUMENT_STORAGE != "local":
    raise ImproperlyConfigured("DOCUMENT_STORAGE must be local or s3.")
# Upload rules (documents/validation.py): size per file, and the pixel limit that stops
# decompression bombs before an image is decoded.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
DOCUMENT_MAX_PIXELS = env.int("DOCUMENT_MAX_PIXELS", default=40_000_000)
# All current documents of one application together (bytes); a file that would pass it is refused.
APPLICATION_MAX_BYTES = env.int("APPLICATION_MAX_BYTES", default=25 * 1024 * 1024)

# Personal data at rest (passport numbers, FINs; see core/crypto.py).
# FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys; the first encrypts, every one decrypts. To
# rotate, put a new key first, run `manage.py rotate_field_keys`, then drop the old key.
# FIELD_HASH_KEY: HMAC-SHA256 key of the exact-match search hashes (changing it needs
# `rotate_field_keys` too, which recomputes them).
# The LOCAL_* values are published in this repository: for development and tests ONLY, and
# refused in production (like the local SECRET_KEY): there they would encrypt nothing.
LOCAL_FIELD_ENCRYPTION_KEY = "pxWQ9rJDOazS2XBO-LN7ET-pIZXSH1V-U7p4kXzKa7o="
LOCAL_FIELD_HASH_KEY = "local-only-field-hash-key-54DjIgKymLq67oeA_OGN2coZyXi9KIgl9YZEoZg6yfE"
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[] if PRODUCTION else [LOCAL_FIELD_ENCRYPTION_KEY]
)
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default="" if PRODUCTION else LOCAL_FIELD_HASH_KEY)
# The published key may still follow as a decrypt-only key while rows are rotated away from it.
if PRODUCTION and (
    not FIELD_ENCRYPTION_KEYS
    or FIELD_ENCRYPTION_KEYS[0].strip() == LOCAL_FIELD_ENCRYPTION_KEY
    or FIELD_HASH_KEY in ("", LOCAL_FIELD_HASH_KEY)
):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set to the deployment's own keys in "
        "production; the local ones are published in this repository."
    )
# Django would otherwise spill bigger uploads to a temporary file; the limit above is checked
# first, so keeping them in memory up to a little more than it is safe.
FILE_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Inactive drafts are deleted after this many days (KVKK: keep only what the purpose needs).
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=60)
# Decided and withdrawn applications keep their personal data this many years after the
# decision, then a nightly task anonymises them (the reference, statuses and dates remain).
DECIDED_RETENTION_YEARS = env.int("DECIDED_RETENTION_YEARS", default=5)
# ...and their owner is reminded this many days after the last change.
DRAFT_REMINDER_DAYS = env.int("DRAFT_REMINDER_DAYS", default=53)

# Shared cache (rate limits, allauth's throttling): Redis in production so every web process
# counts the same requests; an in-process cache is enough for a first run and for tests.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis outage gives cache misses, not error pages (core/cache.py), and a probe of a
    # Redis that drops packets gives up within a second instead of hanging.
    CACHES["default"]["BACKEND"] = "core.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

# The officer workspace: the internal target for deciding an application (the legal limit,
# LFIP Art. 21(5), is 90 days).
OFFICER_SLA_TARGET_DAYS = env.int("OFFICER_SLA_TARGET_DAYS", default=30)
# The portal's public address, printed on decision letters (verification link and QR code).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Public permit verification: requests per address per minute.
VERIFY_RATE_PER_MINUTE = env.int("VERIFY_RATE_PER_MINUTE", default=20)
# Public eligibility JSON API: requests per address per minute.
ELIGIBILITY_API_RATE_PER_MINUTE = env.int("ELIGIBILITY_API_RATE_PER_MINUTE", default=60)

# The REST API of universities' systems (/api/v1/, university_office/api/): a university's
# token (Bearer) is the only way in, never a session, so no CSRF applies; every token has its own
# rate. The public eligibility API (/api/eligibility/) opts out of both (rules/views.py). JSON
# only in production; in development the browsable API renders too.
UNIVERSITY_API_RATE_PER_MINUTE = env.int("UNIVERSITY_API_RATE_PER_MINUTE", default=120)
# The offices' CSV uploads (university_office/bulk/): the largest file and row count accepted,
# and from how many rows a file is applied by a Celery task with a progress bar.
UNIVERSITY_BULK_MAX_BYTES = env.int("UNIVERSITY_BULK_MAX_BYTES", default=2 * 1024 * 1024)
UNIVERSITY_BULK_MAX_ROWS = env.int("UNIVERSITY_BULK_MAX_ROWS", default=2000)
UNIVERSITY_BULK_ASYNC_ROWS = env.int("UNIVERSITY_BULK_ASYNC_ROWS", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "university_office.api.authentication.UniversityTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["university_office.api.permissions.IsUniversityToken"],
    "DEFAULT_THROTTLE_CLASSES": ["university_office.api.throttling.UniversityTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"university-token": f"{UNIVERSITY_API_RATE_PER_MINUTE}/min"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION or not DEBUG else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every error, whatever raised it, as {"errors": {field or "__all__": [messages]}}: the
    # shape the eligibility API has always answered with.
    "EXCEPTION_HANDLER": "university_office.api.exceptions.api_exception_handler",
    "NON_FIELD_ERRORS_KEY": "__all__",
}
# The OpenAPI schema (/api/schema/) and its Swagger UI (/api/docs/), whose script, styles and
# icon come from drf-spectacular-sidecar through our own static files: never a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Azerbaijan–Türkiye student permit portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The public eligibility check (no authentication), and the API of universities' own "
        "systems: their students' cases, enrolment confirmations, document checks and ends of "
        "studies. A university's international office creates a token on its API tokens page "
        "and sends it as `Authorization: Bearer <token>`; a token sees its own university's "
        'students only. Errors always answer `{"errors": {"<field or __all__>": '
        '["message"]}}`, in the language of `Accept-Language` (az, tr, en).'
    ),
    "SCHEMA_PATH_PREFIX": r"/api/(v[0-9]+/)?",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the docs page loads nothing from another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Several choice sets share a field name ("status", "kind"): each gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "university_office.api.serializers.CASE_STATUSES",
        "CaseKindEnum": "applications.models.Kind",
        "EnrolmentStatusEnum": "applications.models.EnrolmentStatus",
        "PermitStatusEnum": "permits.models.PermitStatus",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "DocumentKindEnum": "university_office.api.serializers.DOCUMENT_KINDS",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Student permits <no-reply@localhost>")

# Celery: with no broker configured, tasks run eagerly in-process (first-run default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Redis: a message a worker took but never acknowledged (the whole worker was killed) goes back
# to the queue after this many seconds. (A killed pool process is requeued at once: acks_late
# with reject_on_worker_lost.) Tasks must finish well within it: the time limit is 120 s.
# RabbitMQ (amqp://) has no such timeout: it requeues such a message as soon as the worker's
# connection drops. There publisher confirms make .delay() wait until the broker has the message,
# so a publish it refused fails (the row then waits for the sweep) instead of vanishing.
if CELERY_BROKER_URL.partition(":")[0] in ("amqp", "amqps", "pyamqp"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Outbox delivery: attempts before a notice is marked failed, and the first retry delay
# (doubled after each failure).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)

# SMS, the second channel of the outbox (notifications/sms/): "console" prints each SMS (make
# run), "http" posts it to the provider (production), or a backend class's dotted path. The
# provider's URL and key come from the environment; its delivery reports are signed with
# SMS_CALLBACK_SECRET (HMAC-SHA256). SMS_SENDER is the sender name the provider shows.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_PROVIDER_URL = env.str("SMS_PROVIDER_URL", default="")
SMS_PROVIDER_KEY = env.str("SMS_PROVIDER_KEY", default="")
SMS_PROVIDER_TIMEOUT_SECONDS = env.float("SMS_PROVIDER_TIMEOUT_SECONDS", default=10.0)
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
SMS_SENDER = env.str("SMS_SENDER", default="AZTR")
if (
    PRODUCTION
    and SMS_BACKEND == "http"
    and not (SMS_PROVIDER_URL and SMS_PROVIDER_KEY and len(SMS_CALLBACK_SECRET) >= 32)
):
    raise ImproperlyConfigured(
        "SMS_BACKEND=http needs SMS_PROVIDER_URL, SMS_PROVIDER_KEY and an SMS_CALLBACK_SECRET "
        "of at least 32 characters in production."
    )

# Demo accounts created by `manage.py seed_demo`.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-portal-2026")
# ...and the authenticator-app secret (base32) of the demo officer and supervisor.
DEMO_TOTP_SECRET = env.str("DEMO_TOTP_SECRET", default="PORTALDEMOTOTPSECRETAZTRSTUDENTS")

# The operators' view (portal/observability/). LOG_FORMAT=json writes one JSON object a line
# (production: for the log collector); text is for people (make run). Either way every line
# carries the request id (X-Request-ID), in web and worker processes alike.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty: there is no /metrics.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.observability.logs.JSONFormatter"},
        "text": {"()": "portal.observability.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint and fontTools narrate every PDF at INFO; only their problems matter.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# Security headers on every response, error pages and static files included.
# No inline script or style anywhere: the templates use only files under /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form icons with data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features the portal never uses are switched off for it and anything it could embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of the portal reads the CSRF cookie (forms carry the token), so no script may.
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz/ is probed over plain HTTP inside the platform.
    # The probes and the metrics scrape come over the internal network, by plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^livez/$", r"^readyz/$", r"^metrics$"]
