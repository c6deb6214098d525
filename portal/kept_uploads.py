"""A chosen file kept for a person while a form comes back to them.

Browsers never fill in a file input again, so a file chosen on a form that comes back (after an
error elsewhere on it, or after a check) would have to be chosen again. It is kept instead: in
private storage under a random name, tied to the person's session and to one ``slot`` (a form,
and optionally the object it is about), for ``PORTFOLIO_KEPT_UPLOAD_SECONDS``. The caller checks
a file before keeping it, and whatever uses the kept file checks it again.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.utils import timezone

from .storage import listed_files, private_storage

SWEPT_KEY = "kept-uploads-swept"
SWEEP_EVERY_SECONDS = 300

SESSION_KEY = "kept_uploads"
FOLDER = "kept-uploads"


@dataclass(frozen=True)
class KeptUpload:
    name: str  # as shown to the person: the cleaned name of the file they chose


def _entry(session, slot: str, about: int | None) -> dict | None:
    entry = session.get(SESSION_KEY, {}).get(slot)
    if not entry or entry["about"] != about:
        return None
    if time.time() - entry["kept_at"] > settings.PORTFOLIO_KEPT_UPLOAD_SECONDS:
        return None
    return entry if private_storage.exists(entry["path"]) else None


def kept_upload(session, slot: str, about: int | None = None) -> KeptUpload | None:
    """The file kept in this slot (for this object) in this session, if it is still there."""
    entry = _entry(session, slot, about)
    return KeptUpload(entry["name"]) if entry else None


def keep_upload(session, slot: str, upload, *, name: str, about: int | None = None) -> KeptUpload:
    """Keep a file the caller has checked, under ``name``; it replaces the one kept in the slot."""
    discard_upload(session, slot)
    # Listing the folder is a request per file on an object store: done at most once in a while.
    if cache.add(SWEPT_KEY, True, timeout=SWEEP_EVERY_SECONDS):
        _sweep()
    upload.seek(0)
    path = private_storage.save(f"{FOLDER}/{secrets.token_hex(16)}", upload)
    # A new dict, so that the session notices the change.
    kept = {**session.get(SESSION_KEY, {}), slot: {"about": about, "path": path, "name": name, "kept_at": time.time()}}
    session[SESSION_KEY] = kept
    return KeptUpload(name)


def open_upload(session, slot: str, about: int | None = None) -> File | None:
    """The kept file, opened, named as the person's file (the caller checks it again)."""
    entry = _entry(session, slot, about)
    if entry is None:
        return None
    return File(private_storage.open(entry["path"], "rb"), name=entry["name"])


def discard_upload(session, slot: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    entry = kept.pop(slot, None)
    if entry is None:
        return
    private_storage.delete(entry["path"])
    if kept:
        session[SESSION_KEY] = kept
    else:
        del session[SESSION_KEY]


def _sweep() -> None:
    """Remove files kept longer than allowed, also those of sessions that never came back."""
    limit = timezone.now() - timedelta(seconds=settings.PORTFOLIO_KEPT_UPLOAD_SECONDS)
    for name in listed_files(FOLDER):
        path = f"{FOLDER}/{name}"
        if private_storage.get_modified_time(path) < limit:
            private_storage.delete(path)
