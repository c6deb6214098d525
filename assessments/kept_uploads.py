"""A portfolio file kept for the candidate while the form comes back with an error.

Browsers never fill in a file input again, so after an error elsewhere on the form the chosen
file would be lost. It is kept instead: only when it passes the same content check as every
upload, in private storage under a random name, tied to the candidate's session and to the
assessment, for ``PORTFOLIO_KEPT_UPLOAD_SECONDS``. Adding the item checks it again.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from .models import Assessment
from .uploads import check_upload

SESSION_KEY = "kept_portfolio_upload"
FOLDER = "kept-uploads"


@dataclass(frozen=True)
class KeptUpload:
    name: str  # as shown to the candidate: the cleaned name of the file they chose


def _entry(session, assessment: Assessment) -> dict | None:
    entry = session.get(SESSION_KEY)
    if not entry or entry["assessment"] != assessment.pk:
        return None
    if time.time() - entry["kept_at"] > settings.PORTFOLIO_KEPT_UPLOAD_SECONDS:
        return None
    return entry if default_storage.exists(entry["path"]) else None


def kept_upload(session, assessment: Assessment) -> KeptUpload | None:
    """The file kept for this assessment in this session, if it is still there."""
    entry = _entry(session, assessment)
    return KeptUpload(entry["name"]) if entry else None


def keep_upload(session, assessment: Assessment, upload: UploadedFile | None) -> KeptUpload | None:
    """Keep a chosen file that passes the content check; a refused file is not kept."""
    if upload is None:
        return kept_upload(session, assessment)
    discard_upload(session)  # a newer choice replaces the file kept before, even when refused
    try:
        checked = check_upload(upload)
    except ValidationError:
        return None
    _sweep()
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}", upload)
    session[SESSION_KEY] = {"assessment": assessment.pk, "path": path, "name": checked.name, "kept_at": time.time()}
    return KeptUpload(checked.name)


def open_upload(session, assessment: Assessment) -> File | None:
    """The kept file, opened, named as the candidate's file (the service checks it again)."""
    entry = _entry(session, assessment)
    if entry is None:
        return None
    return File(default_storage.open(entry["path"], "rb"), name=entry["name"])


def discard_upload(session) -> None:
    entry = session.pop(SESSION_KEY, None)
    if entry:
        default_storage.delete(entry["path"])


def _sweep() -> None:
    """Remove files kept longer than allowed, also those of sessions that never came back."""
    if not default_storage.exists(FOLDER):
        return
    limit = timezone.now() - timedelta(seconds=settings.PORTFOLIO_KEPT_UPLOAD_SECONDS)
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
