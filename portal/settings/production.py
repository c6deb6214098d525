"""Production: everything from base, hardened. ``manage.py check --deploy`` is clean with it."""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL", "PORTAL_BASE_URL")
for required in REQUIRED:
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"Set {required} in the environment (see docs/deploy.md).")

# Every supplement and e-mail carries this address: never the development default.
_base_url = urlparse(os.environ["PORTAL_BASE_URL"])
if _base_url.scheme != "https" or not _base_url.hostname:
    raise ImproperlyConfigured("PORTAL_BASE_URL must be the portal's public https:// address (see docs/deploy.md).")
PORTAL_BASE_URL = os.environ["PORTAL_BASE_URL"].rstrip("/")

# One cache shared by every process: the sign-in lock-out, the password-reset limits and the
# periodic sweep's lock live there. It must not be the broker's Redis database, since clearing
# the cache (FLUSHDB) would drop the queued tasks.
if not os.environ["REDIS_CACHE_URL"].startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_CACHE_URL must be a redis:// address (see docs/deploy.md).")


def _redis_database(url: str) -> tuple:
    parsed = urlparse(url)
    return parsed.hostname, parsed.port or 6379, parsed.path.strip("/") or "0"


if _redis_database(os.environ["REDIS_CACHE_URL"]) == _redis_database(os.environ["CELERY_BROKER_URL"]):
    raise ImproperlyConfigured("REDIS_CACHE_URL must name another Redis database than CELERY_BROKER_URL.")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_CACHE_URL"]}
}

SECRET_KEY = os.environ["SECRET_KEY"]
# Supplements are sealed and credentials signed; unsealed output only when explicitly chosen.
if not env_bool("PORTAL_ALLOW_UNSEALED") and not (
    os.environ.get("PORTAL_SEAL_PKCS12")
    and os.environ.get("PORTAL_CREDENTIAL_KEY")
    and os.environ.get("PORTAL_CREDENTIAL_RSA_KEY")
):
    raise ImproperlyConfigured(
        "Set PORTAL_SEAL_PKCS12, PORTAL_CREDENTIAL_KEY and PORTAL_CREDENTIAL_RSA_KEY, or PORTAL_ALLOW_UNSEALED=1 "
        "(see docs/deploy.md)."
    )
# Every upload is scanned before it is stored; unscanned uploads only when explicitly chosen.
if not os.environ.get("CLAMD_URL") and not env_bool("PORTAL_ALLOW_UNSCANNED_UPLOADS"):
    raise ImproperlyConfigured(
        "Set CLAMD_URL (ClamAV's daemon, which scans uploads), or PORTAL_ALLOW_UNSCANNED_UPLOADS=1 "
        "(see docs/deploy.md)."
    )
DEBUG = False
PORTAL_DEMO = False  # demo accounts never exist in production
CELERY_TASK_ALWAYS_EAGER = False  # supplements are rendered by the worker, never in a web request
WEBHOOKS_REQUIRE_HTTPS = True  # a webhook and its signature travel over TLS only
ADMINS = [("Portal administrators", address) for address in env_list("ADMINS")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL  # noqa: F405
# One JSON object per log line, for the log collector, unless LOG_FORMAT says otherwise.
LOGGING = logging_config(os.environ.get("LOG_FORMAT") or "json")  # noqa: F405
# Keep database connections open between requests (a new PostgreSQL connection per request
# halved the throughput of the verification page), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
