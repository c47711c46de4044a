"""ECW Hub settings.

Every value that differs between machines comes from the environment, read here and only
here (docs/configuration.md lists them). Defaults are the safe production choice: a process
that is not told otherwise is a production one, and it refuses to start without its secret
key, its e-mail server and its field-encryption keys. The quick start (``./hub run``) and the
test command (``./hub test``) say which mode they run in (``ECWHUB_MODE``); the mode only
supplies the defaults of those variables, every other setting is the same in every mode.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Mode ------------------------------------------------------------------------------------
# production (the default): SECRET_KEY, EMAIL_URL and FIELD_ENCRYPTION_KEYS must be set, or the
#   process stops here, before it serves anything, with one message listing what is missing.
# embedded (`./hub run`): e-mail is written to files in var/outbox and the field key is read from
#   var/field_keys, created on the first run.
# test (`./hub test`): e-mail stays in memory; the keys still come from the environment.
MODES = ("production", "embedded", "test")
MODE = env.str("ECWHUB_MODE", default="production")
if MODE not in MODES:
    raise ImproperlyConfigured(
        f"ECWHUB_MODE is {MODE!r}: it must be one of {', '.join(MODES)} (docs/configuration.md)."
    )
EMBEDDED = MODE == "embedded"
# The embedded mode's own files (SQLite database, e-mail outbox, field key, collected static files).
VAR_DIR = Path(env.str("ECWHUB_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
# What a start in this mode lacks; reported all at once at the end of this module.
missing: list[str] = []

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # A deployment without its secret must not start with a guessable one (in no mode).
    missing.append(
        "SECRET_KEY is not set: Django's signing key, a long random value kept secret "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
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
    "ecwhub.pathways",
    "ecwhub.careplans",
    "ecwhub.insights",
    "ecwhub.demo",
]

MIDDLEWARE = [
    "ecwhub.core.middleware.RequestIdMiddleware",
    "ecwhub.core.middleware.PrivateResponseMiddleware",
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
    # An empty DATABASE_URL counts as unset.
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'ecwhub.sqlite3'}"),
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
    CACHES = {"default": {"BACKEND": "ecwhub.core.cache.DatabaseCache", "LOCATION": "ecwhub_cache"}}

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
# Password resets and invitations travel by e-mail: a production hub without a mail server would
# accept a reset request and deliver nothing, so it does not start.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(env.email_url_config(EMAIL_URL))
elif EMBEDDED:
    # Set directly: a filemail:// URL with an absolute path loses its leading slash in django-environ.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
elif MODE == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    missing.append(
        "EMAIL_URL is not set: password resets and invitations need an SMTP server, "
        "e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.org:587."
    )
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

# --- Referral timers (docs/referrals.md) ----------------------------------------------------
# Network defaults, in business days (US federal and California holidays); a service may set its
# own answer and outcome limits in the admin (ServiceReferralTerms).
# Sent and not answered after this many: the receiving organization is reminded; as many again: the
# hub administrators are told.
REFERRAL_ANSWER_DAYS = env.int("REFERRAL_ANSWER_DAYS", default=2)
# Accepted and no outcome after this many: a follow-up task for the referring coordinator.
REFERRAL_OUTCOME_DAYS = env.int("REFERRAL_OUTCOME_DAYS", default=14)
# An open referral with no activity at all for this many expires (cancelled, reason "expired").
REFERRAL_EXPIRE_DAYS = env.int("REFERRAL_EXPIRE_DAYS", default=30)

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
# decrypt (docs/encryption.md). Only the embedded mode falls back to var/field_keys (created on the
# first run): elsewhere a key made on one server would be unknown to the others, and values written
# with it unreadable, so a start without the variable is refused here rather than at first use.
from cryptography.fernet import Fernet  # noqa: E402

from ecwhub.core.crypto import read_key_file  # noqa: E402  (imports no models or apps)

FIELD_ENCRYPTION_KEYS = [key.strip() for key in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if key.strip()]
if not FIELD_ENCRYPTION_KEYS and EMBEDDED:
    FIELD_ENCRYPTION_KEYS = read_key_file(VAR_DIR / "field_keys", create=True)
if not FIELD_ENCRYPTION_KEYS:
    missing.append(
        "FIELD_ENCRYPTION_KEYS is not set: encrypted fields need at least one Fernet key, newest first "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'; "
        "docs/encryption.md)."
    )


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


missing.extend(
    # The key itself is secret: name only its position.
    f"FIELD_ENCRYPTION_KEYS: key number {position} (counting from the newest) is not a valid Fernet key "
    "(32 bytes, URL-safe base64)."
    for position, key in enumerate(FIELD_ENCRYPTION_KEYS, start=1)
    if not _is_fernet_key(key)
)

# --- Audit log ---
# Secret keys of the audit log's HMAC chain, comma-separated, newest first: the first signs new
# entries and checkpoints, all verify (docs/privacy.md). Kept apart from the database: whoever can
# write the database but does not hold a key cannot rewrite the log without audit_verify noticing.
# Only the embedded mode falls back to var/audit_keys (created on the first run); the test mode
# has a test-only key of its own so that every test run signs alike.
AUDIT_LOG_KEYS = [key.strip() for key in env.list("AUDIT_LOG_KEYS", default=[]) if key.strip()]
if not AUDIT_LOG_KEYS and EMBEDDED:
    AUDIT_LOG_KEYS = read_key_file(VAR_DIR / "audit_keys", create=True)
if not AUDIT_LOG_KEYS and MODE == "test":
    AUDIT_LOG_KEYS = ["test-only-audit-log-key-not-for-production"]
if not AUDIT_LOG_KEYS:
    missing.append(
        "AUDIT_LOG_KEYS is not set: the audit log is signed with a secret key kept apart from the database "
        "(python -c 'import secrets; print(secrets.token_urlsafe(32))'; docs/privacy.md)."
    )
missing.extend(
    f"AUDIT_LOG_KEYS: key number {position} (counting from the newest) is shorter than 32 characters."
    for position, key in enumerate(AUDIT_LOG_KEYS, start=1)
    if len(key) < 32
)
# Where audit_checkpoint writes the signed checkpoints of the log's heads and audit_verify reads
# them: a place the database's writers cannot change (another machine, write-once storage). The
# test mode writes none unless a test says where.
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default="") or (
    None if MODE == "test" else str(VAR_DIR / "audit_checkpoints")
)
# How many entries at the start of partition 1 were written before the log was keyed (an upgraded
# hub: audit_verify reports the number; 0 for a hub that started keyed). No other entry may be unsigned.
AUDIT_UNKEYED_ENTRIES = env.int("AUDIT_UNKEYED_ENTRIES", default=0)
# Partitions of the log: appends that find one partition's head locked take another, so up to
# this many append side by side (PostgreSQL; SQLite runs one write at a time anyway).
AUDIT_PARTITIONS = env.int("AUDIT_PARTITIONS", default=8)
if not 1 <= AUDIT_PARTITIONS <= 256:
    missing.append(f"AUDIT_PARTITIONS is {AUDIT_PARTITIONS}: it must be between 1 and 256.")

if missing:
    raise ImproperlyConfigured(
        f"ECW Hub cannot start in {MODE} mode (ECWHUB_MODE={MODE}):\n"
        + "".join(f"  - {problem}\n" for problem in missing)
        + "Set them in the environment; docs/configuration.md lists every variable. "
        "The laptop demo (./hub run) sets ECWHUB_MODE=embedded, the test suite (./hub test) ECWHUB_MODE=test."
    )
