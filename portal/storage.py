"""Where the portal keeps its private files (decision 0030).

Every file the portal keeps — portfolio files, observations, rendered documents, uploads kept
while a form comes back, files a background job leaves for someone to download — is written to
the storage named ``private`` in ``STORAGES``: a folder on the local disk (``MEDIA_ROOT``) by
default, an S3-compatible object store when ``S3_BUCKET`` is set. Code reaches it through
``private_storage`` (or ``storages["private"]``) and never through a path on the disk, so that web
servers and workers on separate machines read the same files.
"""

from typing import cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE = "private"


class PrivateStorage(LazyObject):
    """The ``private`` storage, looked up when first used and again after ``STORAGES`` changes."""

    def _setup(self):
        self._wrapped = storages[PRIVATE]


_private = PrivateStorage()
# Typed as what it stands for: every call goes through to the storage.
private_storage = cast(Storage, _private)


def get_private_storage() -> Storage:
    """For ``FileField(storage=...)``: a migration names this function, never a backend."""
    return private_storage


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty


def listed_files(folder: str) -> list[str]:
    """The names of the files in a folder of the private storage; none when it has none.

    An object store has no folders (asking whether one exists says no), so a folder is listed
    rather than tested.
    """
    try:
        return private_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []
