"""A portfolio file kept for the candidate while the form comes back with an error.

Kept by ``portal.kept_uploads`` (private storage, this session, a limited time), for one
assessment, and only when it passes the same content check as every upload. Adding the item
checks it again.
"""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from portal import kept_uploads
from portal.kept_uploads import FOLDER, SESSION_KEY, KeptUpload

from .models import Assessment
from .uploads import check_upload

__all__ = ["FOLDER", "SESSION_KEY", "KeptUpload", "discard_upload", "keep_upload", "kept_upload", "open_upload"]

SLOT = "portfolio"  # one file at a time, whichever assessment it is for


def kept_upload(session, assessment: Assessment) -> KeptUpload | None:
    """The file kept for this assessment in this session, if it is still there."""
    return kept_uploads.kept_upload(session, SLOT, assessment.pk)


def keep_upload(session, assessment: Assessment, upload: UploadedFile | None, *, actor: User) -> KeptUpload | None:
    """Keep a chosen file that passes the content check (``actor`` chose it); a refused file is not kept."""
    if upload is None:
        return kept_upload(session, assessment)
    discard_upload(session)  # a newer choice replaces the file kept before, even when refused
    try:
        checked = check_upload(upload, actor=actor, about=assessment, kind="portfolio")
    except ValidationError:
        return None
    return kept_uploads.keep_upload(session, SLOT, upload, name=checked.name, about=assessment.pk)


def open_upload(session, assessment: Assessment) -> File | None:
    """The kept file, opened, named as the candidate's file (the service checks it again)."""
    return kept_uploads.open_upload(session, SLOT, assessment.pk)


def discard_upload(session) -> None:
    kept_uploads.discard_upload(session, SLOT)
