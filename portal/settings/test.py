"""Settings for the test suite: base settings, with fast hashing and throw-away folders."""

import os
import tempfile
from pathlib import Path

from certificates import dev_keys

from .base import *  # noqa: F403

_scratch = Path(tempfile.mkdtemp(prefix="portal-test-"))
MEDIA_ROOT = _scratch / "private"
STATIC_ROOT = _scratch / "static"
STATIC_ROOT.mkdir()
# Tests read English messages; the portal's own default (Dutch) is tested explicitly.
LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks go to an in-memory broker; tests that render call the task or start a real worker.
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "memory://localhost//")
PORTAL_BASE_URL = "https://portal.example.org"
# The tests' OpenID Connect provider listens on http://127.0.0.1 (tests/oidc_provider.py).
OIDC_ALLOW_HTTP = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory: threads and worker processes in the tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(_scratch / "test.sqlite3")}  # noqa: F405

# A throw-away TEST seal and credential key per test process (tests that need others make them).
PORTAL_SEAL_PKCS12 = str(_scratch / "seal" / "seal.p12")
PORTAL_SEAL_PASSPHRASE = "test-seal-passphrase"
PORTAL_SEAL_TSA_URL = ""
PORTAL_CREDENTIAL_KEY = str(_scratch / "seal" / "credential-key.pem")
PORTAL_CREDENTIAL_RSA_KEY = str(_scratch / "seal" / "credential-rsa-key.pem")
dev_keys.ensure_seal(Path(PORTAL_SEAL_PKCS12), passphrase=PORTAL_SEAL_PASSPHRASE, common_name="Portal test seal")
dev_keys.ensure_credential_key(Path(PORTAL_CREDENTIAL_KEY))
dev_keys.ensure_credential_rsa_key(Path(PORTAL_CREDENTIAL_RSA_KEY))
