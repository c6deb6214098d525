"""Settings shared by every environment; each value comes from the environment.

The defaults need no server: a SQLite file and Celery's file-system broker.
Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis); see docs/deploy.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Local state of a development checkout (SQLite file, broker folder, private files); ignored by git.
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "corsheaders",
    "django_prometheus",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # For its abstract key model (integrations.models.ApiKey); its own table stays empty.
    "rest_framework_api_key",
    "qualifications",
    "jobs",
    "accounts",
    "audit",
    "assessments",
    "certificates",
    "notifications",
    "webhooks",
    "monitoring",
    "reports",
    "integrations",
]

MIDDLEWARE = [
    # First: every log line of the request, and of the tasks it queues, carries its id.
    "portal.request_ids.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The answer to a browser's CORS preflight is given before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last: turns a lock-out noticed during the view into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
            "libraries": {"sizes": "portal.sizes"},
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the worker write to the same file: wait for locks instead of failing.
    # IMMEDIATE transactions take the write lock at BEGIN, so SELECT ... FOR UPDATE semantics
    # (which SQLite lacks) hold: concurrent transactions queue instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password-reset link lives an hour; an invitation's link a week (accounts.tokens).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_LINK_MINUTES", "60")) * 60
INVITATION_TIMEOUT = int(os.environ.get("INVITATION_LINK_DAYS", "7")) * 24 * 3600
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes, see accounts/sign_in.py): after SIGN_IN_FAILURE_LIMIT failures
# for one account from one client address, that pair waits SIGN_IN_LOCKOUT_MINUTES. The counts
# live in the database, shared by every process, the Django admin and the password change form.
# Axes first, so a locked account and address check no password; the provider's backend only
# reads the session of a sign-in with OpenID Connect (it never takes a password, see below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
    "accounts.backends.ProviderBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "15")))
# Password spraying: one client address failing this many sign-ins across accounts within the
# lock-out period waits the lock-out period (accounts.sign_in.client_is_locked_out).
SIGN_IN_CLIENT_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_CLIENT_FAILURE_LIMIT", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.sign_in.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful sign-in (addresses are personal data)
AXES_SENSITIVE_PARAMETERS = ["username", "old_password", "new_password1", "new_password2"]
# The client address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies in front of the portal each
# append the address they saw to X-Forwarded-For (see accounts.sign_in.client_address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.sign_in.client_address"
# Password reset e-mails (django-ratelimit counters in the shared cache), e.g. "3/h".
PASSWORD_RESET_EMAILS_PER_ADDRESS = os.environ.get("PASSWORD_RESET_EMAILS_PER_ADDRESS", "3/h")
PASSWORD_RESET_REQUESTS_PER_CLIENT = os.environ.get("PASSWORD_RESET_REQUESTS_PER_CLIENT", "20/h")
# Passwords (the sign-in form, password reset, invitations' passwords). Off, only the provider
# below signs people in; superusers keep their password on the Django admin's sign-in page
# (docs/decisions/0034).
PORTAL_PASSWORD_SIGN_IN = env_bool("PORTAL_PASSWORD_SIGN_IN", default=True)

# Sign-in with OpenID Connect (accounts/provider.py, docs/decisions/0034): off unless OIDC_ISSUER
# is set. The endpoints come from the issuer's discovery document; the ID token is signed RS256
# with a key of the provider's JWKS; the code flow uses PKCE (S256).
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email")
# The button says "Sign in with <name>"; empty: the Flemish government's name, translated.
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
# The issuer and the endpoints of its discovery document must be https (accounts.checks,
# accounts.provider.secure); true lets a development provider use http (never in production).
OIDC_ALLOW_HTTP = env_bool("OIDC_ALLOW_HTTP", False)
LOGIN_REDIRECT_URL_FAILURE = "login"

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]  # English dates as "4 December 2026, 18:16"
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Static and private files ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Portfolio files, observations and rendered documents are personal data, kept in the storage
# named "private" (portal/storage.py, decision 0030): no URL serves them; they are streamed only
# by views that check access. By default a folder, MEDIA_ROOT; with S3_BUCKET set, an
# S3-compatible object store that web servers and workers on several machines share.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "private"))
if os.environ.get("S3_BUCKET"):
    PRIVATE_STORAGE = {
        "BACKEND": "portal.object_storage.PrivateObjectStorage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # none: AWS S3
            "region_name": os.environ.get("S3_REGION") or None,
            # Without keys, boto3's own chain (AWS_* variables, an instance's role) is asked.
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # "path" for most S3-compatibles
            "location": os.environ.get("S3_PREFIX", "").strip("/"),
            "verify": os.environ.get("S3_CA_BUNDLE") or None,
        },
    }
else:
    PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "private": PRIVATE_STORAGE,
    # The portal stores nothing public: whatever falls back on the default storage is private too.
    "default": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Upload limits (bytes). The web server must accept at least UPLOAD_MAX_FILE_SIZE per request.
UPLOAD_MAX_FILE_SIZE = int(os.environ.get("UPLOAD_MAX_FILE_SIZE", str(10 * 1024 * 1024)))
UPLOAD_MAX_PORTFOLIO_SIZE = int(os.environ.get("UPLOAD_MAX_PORTFOLIO_SIZE", str(50 * 1024 * 1024)))
# DOCX and ODT are zip archives: refuse one that would unpack to more than this (a zip bomb).
UPLOAD_MAX_UNPACKED_SIZE = int(os.environ.get("UPLOAD_MAX_UNPACKED_SIZE", str(200 * 1024 * 1024)))
# A portfolio file chosen on a form that came back with an error is kept this long (seconds).
PORTFOLIO_KEPT_UPLOAD_SECONDS = int(os.environ.get("PORTFOLIO_KEPT_UPLOAD_SECONDS", "3600"))
FILE_UPLOAD_HANDLERS = [
    "assessments.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Virus scanning (portal/scanning.py) ----------------------------------------------
# ClamAV's daemon, which scans every upload before it is stored: unix:///run/clamav/clamd.ctl or
# tcp://host:3310. Empty: uploads are not scanned (development; production refuses to start so
# unless PORTAL_ALLOW_UNSCANNED_UPLOADS is set). Seconds to wait for the daemon before the upload
# is refused with "try again".
CLAMD_URL = os.environ.get("CLAMD_URL", "")
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))
PORTAL_ALLOW_UNSCANNED_UPLOADS = env_bool("PORTAL_ALLOW_UNSCANNED_UPLOADS", False)

# --- Mail -----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
# Seconds a mail server may take to answer before the worker gives up (and retries later).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# The sweep hands an e-mail to the worker again once it has been queued this long with no message
# on the broker lately, or claimed this long by a delivery that never finished (a dead worker;
# well above the e-mail task's hard time limit, so a live delivery is never taken over).
EMAIL_REQUEUE_AFTER_SECONDS = int(os.environ.get("EMAIL_REQUEUE_AFTER_SECONDS", "120"))
EMAIL_CLAIM_ABANDONED_AFTER_SECONDS = int(os.environ.get("EMAIL_CLAIM_ABANDONED_AFTER_SECONDS", "300"))

# --- Webhooks (decision 0033) ---------------------------------------------------------
# A webhook never goes to a private, loopback, link-local or otherwise non-public address unless
# this allows it (a receiver on the portal's own network); production requires https:// too.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", False)
# Seconds a receiver may take to answer an attempt.
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "5"))
# The waits before each retry of a failed attempt (1 min, 5 min, 30 min, 2 h, 8 h); then it fails.
WEBHOOKS_RETRY_DELAYS = tuple(int(s) for s in env_list("WEBHOOKS_RETRY_DELAYS", "60,300,1800,7200,28800"))
# As for e-mails: the sweep hands a message again after this long without reaching the broker,
# and takes over a claim this old (well above the task's hard time limit).
WEBHOOKS_REQUEUE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_REQUEUE_AFTER_SECONDS", "120"))
WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS", "300"))
# Days a finished delivery (delivered, failed, not sent) and its attempts are kept; then beat's
# purge deletes them, so the table does not grow without end.
WEBHOOKS_DELIVERIES_KEPT_DAYS = int(os.environ.get("WEBHOOKS_DELIVERIES_KEPT_DAYS", "30"))

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost//"
CELERY_BROKER_FILESYSTEM_DIR = Path(os.environ.get("CELERY_BROKER_FILESYSTEM_DIR", VAR_DIR / "broker"))
# Seconds before Redis hands an unacknowledged task (its worker died) to another worker.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Background jobs (decision 0025) ---------------------------------------------------
# An export or import of more rows than this runs in the worker, with a progress page.
JOB_ROWS_IMMEDIATE = int(os.environ.get("JOB_ROWS_IMMEDIATE", "2000"))
# How long a job's result (the file, an import's report) is kept for its owner.
JOB_RESULT_HOURS = int(os.environ.get("JOB_RESULT_HOURS", "24"))
# Progress is recorded (and a cancel noticed) every this many rows.
JOB_PROGRESS_EVERY = int(os.environ.get("JOB_PROGRESS_EVERY", "500"))
# A job running longer is stopped (and failed by the sweep if its worker died).
JOB_TIME_LIMIT_SECONDS = int(os.environ.get("JOB_TIME_LIMIT_SECONDS", "1800"))

# --- Scheduling -----------------------------------------------------------------------
# The start of an assessment may be recorded at most this many minutes before its scheduled time.
ASSESSMENT_START_EARLIEST_MINUTES = int(os.environ.get("ASSESSMENT_START_EARLIEST_MINUTES", "120"))

# --- Certificates ---------------------------------------------------------------------
# Public address printed on supplements for verification (the QR code points there).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The pair of languages a supplement is rendered in unless the administrator picks another.
SUPPLEMENT_DEFAULT_LANGUAGES = tuple(env_list("SUPPLEMENT_DEFAULT_LANGUAGES", "nl,en"))
if len(set(SUPPLEMENT_DEFAULT_LANGUAGES)) != 2 or not set(SUPPLEMENT_DEFAULT_LANGUAGES) <= {"nl", "fr", "en"}:
    raise ImproperlyConfigured("SUPPLEMENT_DEFAULT_LANGUAGES must name two different languages of nl, fr, en.")
# A supplement that stays queued this long was probably never sent (broker down): re-send it.
SUPPLEMENT_REQUEUE_AFTER_SECONDS = int(os.environ.get("SUPPLEMENT_REQUEUE_AFTER_SECONDS", "120"))
# Print the holder's date of birth (when the account has one) to tell two holders with the same
# name apart. Off by default: personal data is printed only where it is needed.
CERTIFICATE_SHOWS_DATE_OF_BIRTH = env_bool("CERTIFICATE_SHOWS_DATE_OF_BIRTH", False)
# A supplement queued or rendering longer than this is flagged to administrators (worker down?).
SUPPLEMENT_EXPECTED_SECONDS = int(os.environ.get("SUPPLEMENT_EXPECTED_SECONDS", "300"))

# --- Seal and verifiable credentials (decision 0006) ----------------------------------------
# The test centre's electronic seal: a PKCS#12 file and its passphrase. Without one, supplements
# are not sealed; production refuses to start that way unless PORTAL_ALLOW_UNSEALED is set.
PORTAL_SEAL_PKCS12 = os.environ.get("PORTAL_SEAL_PKCS12", "")
PORTAL_SEAL_PASSPHRASE = os.environ.get("PORTAL_SEAL_PASSPHRASE", "")
# A trusted timestamp server (RFC 3161): with one, the seal is PAdES B-LTA (timestamped, its
# validation data embedded, a document timestamp over them: decision 0023); without, B-B.
# PORTAL_SEAL_TRUST_ROOTS: a PEM file of the root certificates of the seal's and the timestamp
# server's authorities, where the embedded paths end; without it, the top of the chains that the
# PKCS#12 and the timestamp server deliver.
PORTAL_SEAL_TSA_URL = os.environ.get("PORTAL_SEAL_TSA_URL", "")
PORTAL_SEAL_TRUST_ROOTS = os.environ.get("PORTAL_SEAL_TRUST_ROOTS", "")
# The test centre's keys for the Open Badges credentials (decision 0020), PEM (PKCS#8) files: an
# Ed25519 key signs the Data Integrity proof (eddsa-rdfc-2022), an RSA key the VC-JWT (RS256).
PORTAL_CREDENTIAL_KEY = os.environ.get("PORTAL_CREDENTIAL_KEY", "")
PORTAL_CREDENTIAL_KEY_PASSPHRASE = os.environ.get("PORTAL_CREDENTIAL_KEY_PASSPHRASE", "")
PORTAL_CREDENTIAL_RSA_KEY = os.environ.get("PORTAL_CREDENTIAL_RSA_KEY", "")
PORTAL_CREDENTIAL_RSA_KEY_PASSPHRASE = os.environ.get("PORTAL_CREDENTIAL_RSA_KEY_PASSPHRASE", "")
# What verifiers and wallets fetch from a web page (decision 0020): the issuer profile, the keys,
# the status list and the machine verifier, for any origin, without cookies; nothing else.
CORS_URLS_REGEX = r"^/(credentials/|verify/check\.json$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]  # POST: verify/check.json only; other views refuse it
CORS_EXPOSE_HEADERS = ["ETag"]
# Largest file the public verifier accepts (bytes); it is read in memory and never stored.
VERIFY_MAX_UPLOAD_SIZE = int(os.environ.get("VERIFY_MAX_UPLOAD_SIZE", str(5 * 1024 * 1024)))
# What one dropped PDF may cost (certificates/pdf_limits.py): a sealed supplement has three
# revisions and about 1,500 objects; a PDF with more than these is "too complex to check".
VERIFY_MAX_PDF_REVISIONS = int(os.environ.get("VERIFY_MAX_PDF_REVISIONS", "20"))
VERIFY_MAX_PDF_OBJECTS = int(os.environ.get("VERIFY_MAX_PDF_OBJECTS", "50000"))
# Reading a PDF and its seal stops after this many seconds (web processes' main thread only).
VERIFY_PDF_SECONDS = float(os.environ.get("VERIFY_PDF_SECONDS", "5"))
# Files one client address may check (django-ratelimit rate; counters in the shared cache).
VERIFY_CHECKS_PER_CLIENT = os.environ.get("VERIFY_CHECKS_PER_CLIENT", "10/m")

# Outcomes (docs/decisions/0011-outcomes.md). How long a proven competency is carried over into a
# re-assessment, in days after its decision; empty means for good (the decree sets no limit).
CARRIED_OVER_VALIDITY_DAYS = (
    int(os.environ["CARRIED_OVER_VALIDITY_DAYS"]) if os.environ.get("CARRIED_OVER_VALIDITY_DAYS") else None
)
# The candidate may lodge an objection this many days after the decision.
OBJECTION_PERIOD_DAYS = int(os.environ.get("OBJECTION_PERIOD_DAYS", "14"))

# --- Reports (docs/decisions/0024-reports-off-the-write-path.md) ----------------------------
# The worker counts the reports' figures again this often (seconds); the page says how old they are.
REPORTS_REFRESH_SECONDS = int(os.environ.get("REPORTS_REFRESH_SECONDS", "60"))
# A refresh reads again the audit entries of this many seconds before it: a change whose
# transaction took up to this long to commit is still counted. Longer than any transaction.
REPORTS_REFRESH_OVERLAP_SECONDS = int(os.environ.get("REPORTS_REFRESH_OVERLAP_SECONDS", "600"))

# --- Demo -----------------------------------------------------------------------------
# Demo accounts are only ever created when this is set (make run sets it); never in production.
PORTAL_DEMO = env_bool("PORTAL_DEMO", False)

# Message levels named as Bootstrap's alert classes (alert-danger, alert-success, ...).
MESSAGE_TAGS = {message_constants.DEBUG: "secondary", message_constants.ERROR: "danger"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Monitoring (docs/deploy.md: health, metrics, logs, errors) ------------------------------
# The health page reports a queue whose last heartbeat (beat sends one through each queue every
# minute) is older than this.
WORKER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_STALE_SECONDS", "300"))
# /metrics answers only a scraper with this token (Authorization: Bearer ...) or from these
# networks (comma-separated, e.g. 10.0.0.0/8); with neither it answers nobody.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")
# The worker serves its own metrics (renders, e-mails) on this port when set.
WORKER_METRICS_PORT = int(os.environ.get("WORKER_METRICS_PORT") or 0)
WORKER_METRICS_ADDRESS = os.environ.get("WORKER_METRICS_ADDRESS", "127.0.0.1")
# Errors to Sentry (or a compatible service) when a DSN is set, without personal data (portal/sentry.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from portal import sentry

    sentry.init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)


# Log lines as text, or one JSON object each (production's default), with the request id
# (portal/request_ids.py) of the request or task they belong to.
def logging_config(log_format: str) -> dict:
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "portal.request_ids.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": log_format}},
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "weasyprint": {"level": "ERROR"},
            "fontTools": {"level": "ERROR"},
            "pikepdf": {"level": "WARNING"},
            # Upload checks parse whatever candidates send: repairs of broken files are not news.
            "pypdf": {"level": "ERROR"},
            # Failures and lock-outs are warnings; axes' step-by-step notes are not needed.
            "axes": {"level": "WARNING"},
        },
    }


LOGGING = logging_config(os.environ.get("LOG_FORMAT") or "text")

# The REST API (integrations/, docs/api.md, decision 0032): JSON in and out, problem details for
# every refusal, signed in by an API key or the portal's session, rate-limited per caller.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiKeyAuthentication",
        "integrations.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.permissions.SignedInWithinScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.throttling.PerCallerThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api": os.environ.get("API_REQUESTS_PER_CALLER", "120/min"),
        # Refused API keys per client network (IPv6: its /64), before any key is checked.
        "api_key_failures": os.environ.get("API_KEY_FAILURES_PER_NETWORK", "10/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "integrations.problems.problem_details",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Competency portal API",
    "DESCRIPTION": (
        "People, assessments, results, documents and public verification of the recognition of "
        "prior learning procedure. Sign in with `Authorization: Api-Key <key>` (keys are made by "
        "administrators on the API keys page) or the portal's session. Refusals are RFC 9457 "
        "problem details (`application/problem+json`) with the code of the rule that refused."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # The viewers' scripts and styles are served by the portal itself (no CDN; the CSP allows 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "integrations.serializers.ASSESSMENT_STATUSES",
        "ObjectionStatusEnum": "integrations.serializers.OBJECTION_STATUSES",
        "VerdictEnum": "integrations.serializers.VERDICTS",
    },
}
