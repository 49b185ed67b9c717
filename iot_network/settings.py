"""Settings for the IoT Network portal, driven by environment variables.

With nothing set but DEBUG=1 (what ``make run`` does), the portal runs with embedded defaults:
an SQLite file under var/, Celery tasks in-process, mail to the console. In production set
DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and EMAIL_URL. Every variable is listed in README.md.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from iot_network.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_required,
    env_str,
    parse_database_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-local-development-only"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = "Institutes of Technology Network"
CONTACT_EMAIL = env_str("CONTACT_EMAIL") or "hello@example.org"
SECURITY_CONTACT_EMAIL = env_str("SECURITY_CONTACT_EMAIL") or CONTACT_EMAIL
SECURITY_POLICY_URL = env_str("SECURITY_POLICY_URL")
# Public pages for visitors without a session are cached this many seconds (0: off).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 60)
# Parts of pages that are the same for every visitor ({% shared_fragment %}: the home page's lists
# and map, ...) are kept this many seconds for everyone, signed in or not (0: off).
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 0 if DEBUG else 60)
# Off only for load tests that send every request from one address (benchmarks/).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
# Shows a banner saying that courses, events and partners are made up (the demo data).
SHOW_DEMO_BANNER = env_bool("SHOW_DEMO_BANNER", DEBUG)
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "iot_network.portal.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "iot_network.accounts",
    "iot_network.notifications",
    "iot_network.web",
    "iot_network.staff",
    "iot_network.equality",
    "institutes",
    "courses",
    "partners",
    "events",
    "iot_network.impact",
    "stories",
    "newsletter",
    "iot_network.portal",
]

MIDDLEWARE = [
    "iot_network.web.security.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "iot_network.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "iot_network.api.middleware.OpenDataApiMiddleware",  # outside the page cache: see its doc
    "iot_network.web.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "iot_network.staff.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "iot_network.urls"
WSGI_APPLICATION = "iot_network.wsgi.application"
ASGI_APPLICATION = "iot_network.asgi.application"

_template_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iot_network.web.context_processors.site",
                "iot_network.web.context_processors.shortlist",
            ],
            # Cached with DEBUG on too: parsing every admin template on each request made the
            # add-event page take seconds under `make run`; runserver's autoreloader empties the
            # cache when a template changes.
            "loaders": [("django.template.loaders.cached.Loader", _template_loaders)],
            # {% url %} with its answers kept per process (iot_network/web/cached_urls.py).
            "builtins": ["iot_network.web.cached_urls"],
        },
    }
]

# Database -----------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if not _database_url:
    VAR_DIR.mkdir(exist_ok=True)
    _database_url = "sqlite:///var/db.sqlite3"
DATABASES = {"default": parse_database_url(_database_url, base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SILENCED_SYSTEM_CHECKS = []
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite builds them without the extra
    # columns, which is all the quick start needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# A failing dependency (cache, broker) is logged at most once per this many seconds per process.
OUTAGE_LOG_INTERVAL = env_float("OUTAGE_LOG_INTERVAL", 60.0)

# Cache (page cache, facet counts, postcode lookups, rate limits) ---------------------------
_cache_url = env_str("CACHE_URL")
if _cache_url:
    if not _cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    # Degrades instead of failing when Redis is unreachable (see README, "When Redis or the
    # broker is down"): pages render uncached, public form limits open, sign-in throttles kept
    # in each process's memory. Short socket timeouts bound what one request can wait.
    CACHES = {
        "default": {
            "BACKEND": "iot_network.web.resilient_cache.ResilientRedisCache",
            "LOCATION": _cache_url,
            # Sites (or test workers) sharing one Redis database each clear only their own keys.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "iot",
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_SOCKET_TIMEOUT", 0.5),
                "socket_timeout": env_float("CACHE_SOCKET_TIMEOUT", 0.5),
                "retry_after": env_float("CACHE_RETRY_SECONDS", 5.0),
                "local_fallback_prefixes": ["allauth:rl:"],
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

ACCOUNT_ADAPTER = "iot_network.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:home"
# Throttles on the cache (Redis in production, so every web process shares them). A failed login
# counts per address and per account; after 5 failures in 5 minutes the account is refused, even
# with the right password, until the window passes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip,60/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# The site's wording for allauth's forms and errors (iot_network/accounts/forms.py, adapter.py).
ACCOUNT_FORMS = {
    name: f"iot_network.accounts.forms.{form}"
    for name, form in (
        ("login", "LoginForm"), ("signup", "SignupForm"), ("add_email", "AddEmailForm"),
        ("change_password", "ChangePasswordForm"), ("set_password", "SetPasswordForm"),
        ("reset_password", "ResetPasswordForm"),
        ("reset_password_from_key", "ResetPasswordKeyForm"),
        ("reauthenticate", "ReauthenticateForm"), ("confirm_login_code", "ConfirmLoginCodeForm"),
    )
}  # fmt: skip
MFA_FORMS = {
    "authenticate": "iot_network.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "iot_network.accounts.forms.MFAReauthenticateForm",
    "activate_totp": "iot_network.accounts.forms.ActivateTOTPForm",
}
MFA_ADAPTER = "iot_network.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True

# Security -----------------------------------------------------------------------------------
# Defaults follow DEBUG so production is safe unless told otherwise; behind a TLS-terminating
# proxy set SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Who the client is, behind proxies (rate limits, allauth's throttles, logs). With neither set,
# X-Forwarded-For is ignored and the connecting address counts. TRUSTED_PROXY_COUNT=N: the
# client is the Nth address from the right of X-Forwarded-For (each proxy appends one).
# TRUSTED_CLIENT_IP_HEADER: a header the edge proxy sets and clients cannot (e.g.
# CF-Connecting-IP). Only set these when every request reaches the app through those proxies.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if TRUSTED_PROXY_COUNT and TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER, not both.")
# allauth reads the client address through our adapter; these keep its own settings in step.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

# Uploaded files (story images) -----------------------------------------------------------------
# Stored through Django's storage API: local files under MEDIA_ROOT by default (served by
# runserver when DEBUG is on, by the web server in front otherwise); README "Stories and news"
# shows the settings for an S3-compatible bucket. A MEDIA_URL on another host is allowed as an
# image source by the content security policy.
MEDIA_URL = env_str("MEDIA_URL") or "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORY_IMAGE_MAX_BYTES = env_int("STORY_IMAGE_MAX_BYTES", 8 * 1024 * 1024)

# Mail ---------------------------------------------------------------------------------------
_email_url = env_str("EMAIL_URL")
if not _email_url and not DEBUG:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off (e.g. smtp://host:587?tls=1)."
    )
globals().update(parse_email_url(_email_url or "console:"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or f"{SITE_NAME} <no-reply@example.org>"
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL
ADMINS = [("Portal administrators", email) for email in env_list("ADMIN_EMAILS")]

# Postcode lookups for "courses near me" (postcodes.io; point at a mirror if you run one).
POSTCODES_API_URL = env_str("POSTCODES_API_URL") or "https://api.postcodes.io"
POSTCODES_API_TIMEOUT = env_float("POSTCODES_API_TIMEOUT", 3.0)

# Notifications (the outbox) -------------------------------------------------------------------
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN") or (
    urlsplit(SITE_URL).hostname or "localhost"
)
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 100)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_float("NOTIFICATIONS_RETRY_BASE_SECONDS", 30.0)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_float("NOTIFICATIONS_RETRY_MAX_SECONDS", 30 * 60.0)
NOTIFICATIONS_RETENTION_DAYS = env_int("NOTIFICATIONS_RETENTION_DAYS", 180)
NOTIFICATIONS_QUEUED_GRACE = env_float("NOTIFICATIONS_QUEUED_GRACE", 120.0)

# A newsletter confirmation link works for this many days and once (newsletter/).
NEWSLETTER_CONFIRM_DAYS = env_int("NEWSLETTER_CONFIRM_DAYS", 7)

# Equality monitoring answers are deleted this long after they were given (two years).
EQUALITY_RETENTION_DAYS = env_int("EQUALITY_RETENTION_DAYS", 730)
# An evaluation report reading more engagement and registration rows than this is built by a
# Celery job (with progress shown) rather than in the request.
IMPACT_REPORT_INLINE_ROWS = env_int("IMPACT_REPORT_INLINE_ROWS", 20000)

# Celery ---------------------------------------------------------------------------------------
# Without a broker the quick start runs tasks in-process, synchronously. With one, a worker and
# beat are required (``make worker`` and ``make beat``).
_celery_broker_url = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not _celery_broker_url
# Eager tasks still borrow a producer to serialise their arguments as a worker would, and kombu
# warns on every borrow from a memory:// broker that names no host. The in-process broker ignores
# the host; naming one keeps the quick start's console free of that warning.
CELERY_BROKER_URL = _celery_broker_url or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only once it has finished, so a worker that dies mid-task leaves it
# for another worker; tasks must therefore be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request hands mail to the broker after commit; when the broker is down it must give up
# quickly (the row stays queued for the sweeper) rather than hold the person's page.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Redis redelivers an unacknowledged message after the visibility timeout. It must be longer
# than the longest countdown/ETA any task uses (retries with backoff included), or the message
# is delivered twice; it is set for the result backend too, and beat's entries are short-lived
# messages so they never approach it.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60 * 2)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# A row still "sending" after this long belongs to a dead worker: longer than any task may run.
NOTIFICATIONS_SENDING_TIMEOUT = env_float(
    "NOTIFICATIONS_SENDING_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60
)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Admin and logging ------------------------------------------------------------------------
ADMIN_URL = (env_str("ADMIN_URL") or "admin/").strip("/") + "/"

# LOG_FORMAT=json writes one JSON object per line (for log shippers); every record carries the
# request id that is also sent back in the X-Request-ID header.
LOG_FORMAT = env_str("LOG_FORMAT") or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "iot_network.web.security.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "iot_network.web.security.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        # Django's own console handler on "django" (DEBUG only) would print every record a
        # second time beside the root's; keep only its mail to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}
