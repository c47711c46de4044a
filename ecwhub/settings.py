"""ECW Hub settings.

Every value that differs between machines comes from the environment, read here and only
here (docs/configuration.md lists them). Defaults are the safe production choice; the quick
start (``./hub run``) sets the few that must differ on a laptop (plain http on 127.0.0.1).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # A deployment without its secret must not start with a guessable one.
    raise ImproperlyConfigured("SECRET_KEY is not set. Set it in the environment (docs/configuration.md).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS and browser security ------------------------------------------------------------
HTTPS = env.bool("ECWHUB_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading commits the whole domain to HTTPS in browsers for months: the operator's decision.
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Sessions end after this much inactivity (each request extends them).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Applications ----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "ecwhub.core",
    "ecwhub.accounts",
    "ecwhub.directory",
    "ecwhub.directory.search",
    "ecwhub.families",
    "ecwhub.identity",
    "ecwhub.consent",
    "ecwhub.screening",
    "ecwhub.care",
    "ecwhub.referrals",
    "ecwhub.insights",
    "ecwhub.demo",
]

MIDDLEWARE = [
    "ecwhub.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ecwhub.accounts.middleware.MembershipMiddleware",
    "ecwhub.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecwhub.urls"
WSGI_APPLICATION = "ecwhub.wsgi.application"

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
                "ecwhub.accounts.context_processors.membership",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ecwhub.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" when two requests upgrade to write at once.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every server process (rate limits must be), and needs nothing else running.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ecwhub_cache"}}

# Background tasks: run in process by default; a worker (`manage.py db_worker`) in production.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# --- Accounts and sign-in --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60) * 60

# Lockout after repeated failed sign-ins (django-axes): per account and address.
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form field, not the model field
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ecwhub.accounts.views.locked_out"
AXES_VERBOSE = False

# Two-factor authentication: staff roles must use TOTP unless the deployment turns it off.
MFA_REQUIRED_FOR_STAFF = env.bool("ECWHUB_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "ECW Hub"
OTP_TOTP_THROTTLE_FACTOR = 1

# Rate limits (django-ratelimit), "count/period".
RATELIMIT_VIEW = "ecwhub.core.views.rate_limited"
RATE_LIMITS = {
    "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    "totp": env.str("RATE_LIMIT_TOTP", default="10/5m"),
    "api": env.str("RATE_LIMIT_API", default="600/m"),
    "api_anonymous": env.str("RATE_LIMIT_API_ANONYMOUS", default="60/m"),
}

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default=f"filemail://{VAR_DIR / 'outbox'}")
globals().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ECW Hub <no-reply@ecwhub.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (the outbox, docs/notifications.md) ---------------------------------------
# Text messages: the default writes each one to a file in var/sms/; a provider's backend goes here.
SMS_BACKEND = env.str("SMS_BACKEND", default="ecwhub.core.sms.FileSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
# Attempts before a notice is marked failed (the default retries for about 2½ to 5 hours).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# Sent notices are deleted after this many days by deliver_outbox (failed ones stay).
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=30)

# --- Languages and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="America/Los_Angeles")
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging: JSON lines on stdout, with the request id and never personal data -------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ecwhub.core.logging.RequestIdFilter"},
        "redact_request": {"()": "ecwhub.core.logging.RedactRequestFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "redact_request"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's request logger repeats the path and query string; ours logs the route instead.
        "django.request": {"level": "ERROR", "propagate": True},
        "django.server": {"level": "WARNING", "propagate": True},
        # django-axes logs the attempted user name; the hub logs its own event without it.
        "axes": {"level": "ERROR", "propagate": True},
    },
}

# --- Retention ---------------------------------------------------------------------------
# Families with no activity for this long are de-identified (or purged) by `apply_retention`.
RETENTION_INACTIVE_DAYS = env.int("RETENTION_INACTIVE_DAYS", default=3 * 365)

# --- Directory ------------------------------------------------------------------------------
# Folder of the Open Referral HSDS JSON schemas (the one holding compiled/) used by import_hsds and
# export checks; empty: the team's shared copy beside the project when present, otherwise the built-in
# field rules (docs/directory.md).
HSDS_SCHEMA_DIR = env.str("HSDS_SCHEMA_DIR", default="") or None
# Turns an address or ZIP into coordinates for the distance filter (offline ZIP centroids by default).
DIRECTORY_SEARCH_GEOCODER = env.str(
    "DIRECTORY_SEARCH_GEOCODER", default="ecwhub.directory.search.geocode.ZipCentroidGeocoder"
)

# Public address of the hub (https://hub.example.org), used for links in e-mails sent outside a request.
SITE_URL = env.str("SITE_URL", default="")

# --- API -------------------------------------------------------------------------------------
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
NINJA_PAGINATION_PER_PAGE = API_PAGE_SIZE

# --- Field encryption ---
# Fernet keys for encrypted model fields, comma-separated, newest first: the first encrypts, all
# decrypt (docs/encryption.md). Without the variable the keys are read from var/field_keys, which
# the quick start creates (ECWHUB_CREATE_FIELD_KEY=true). Missing keys are reported when an
# encrypted field is first used, not here, so commands that never touch one still start.
from ecwhub.core.crypto import read_key_file  # noqa: E402  (imports no models or apps)

FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or read_key_file(
    VAR_DIR / "field_keys", create=env.bool("ECWHUB_CREATE_FIELD_KEY", default=False)
)
