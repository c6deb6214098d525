"""The private files in an S3-compatible object store, through django-storages (decision 0030).

AWS S3, Ceph RGW, Garage, SeaweedFS, MinIO and the like: settings come from the environment
(``S3_*``, see docs/deploy.md and portal/settings/base.py).
"""

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

# Above this size a file opened for reading is kept in a temporary file, not in memory.
IN_MEMORY_UP_TO = 2 * 1024 * 1024


class PrivateObjectStorage(S3Storage):
    """Objects that only the portal reads.

    Written without an ACL, so they have the bucket's own (private, and nothing else on a bucket
    that enforces its owner); never overwritten (the portal's names are random, a clash gets
    another name); read only with the portal's keys. The portal gives no object's address to a
    browser: a download passes its access check and audit and is sent from the store, so
    ``url()`` refuses: an address would bypass both.
    """

    default_acl = None
    file_overwrite = False
    querystring_auth = True
    querystring_expire = 60
    custom_domain = None
    max_memory_size = IN_MEMORY_UP_TO

    def __init__(self, **settings):
        super().__init__(**settings)
        if "client_config" not in settings:
            self.client_config = self._client_config()
        if self.default_acl not in (None, "private"):
            raise ImproperlyConfigured(f"Private files are never stored with the ACL {self.default_acl!r}.")
        if not self.querystring_auth or self.custom_domain:
            raise ImproperlyConfigured("Private files are never given an unsigned address.")

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no address: they are downloaded through the portal's pages.")

    def _client_config(self) -> Config:
        return Config(
            s3={"addressing_style": self.addressing_style},
            signature_version=self.signature_version or "s3v4",
            proxies=self.proxies,
            # Checksums only where S3 requires them: several S3-compatible stores refuse the
            # checksum headers that recent SDKs send by default. Every file's SHA-256 is in the
            # database anyway.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            # A store that does not answer fails the request within seconds, not minutes.
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 3},
        )
