"""Validation of uploaded files by their content, never by their name.

Accepted: PDF, JPEG, PNG, DOCX and ODT. A file is recognised from its bytes (signature and
structure); the name the browser sent is only cleaned up for display and downloads.
"""

import hashlib
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    DOCX_MIMETYPE: "docx",
    ODT_MIMETYPE.decode(): "odt",
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


def _is_pdf(head: bytes, tail: bytes) -> bool:
    return head.startswith(b"%PDF-") and b"%%EOF" in tail


def _is_image(upload: UploadedFile, image_format: str) -> bool:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # An image that decodes to an enormous bitmap is refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format != image_format:
                    return False
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return False
    return True


def _zip_names(upload: UploadedFile) -> list[str] | None:
    """Member names of a sound archive; None for a broken one or a zip bomb (checked before unpacking)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > 10_000 or sum(m.file_size for m in members) > settings.UPLOAD_MAX_UNPACKED_SIZE:
                return None
            if archive.testzip() is not None:
                return None
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None


def _zip_member(upload: UploadedFile, name: str, limit: int = 200) -> bytes:
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive, archive.open(name) as member:
        return member.read(limit)


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The accepted content type these bytes really are, or None."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    if _is_pdf(head, tail):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff") and _is_image(upload, "JPEG"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and _is_image(upload, "PNG"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        names = _zip_names(upload)
        if names and names[0] == "mimetype" and _zip_member(upload, "mimetype").strip() == ODT_MIMETYPE:
            return ODT_MIMETYPE.decode()
        if names and "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX_MIMETYPE
    return None


def clean_file_name(name: str, content_type: str) -> str:
    """A safe display name: no folders, no control characters, the extension of the real type."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:100] or "file"
    return f"{stem}.{EXTENSIONS[content_type]}"


def check_portfolio_total(total: int) -> None:
    limit = settings.UPLOAD_MAX_PORTFOLIO_SIZE
    if total > limit:
        raise ValidationError(
            _("This file would make the portfolio larger than %(limit)s in total.")
            % {"limit": filesizeformat(limit)},
            code="portfolio_too_large",
        )


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Validate one upload: not empty, not too large, and really one of the accepted types."""
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.UPLOAD_MAX_FILE_SIZE
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG, PNG, DOCX or ODT document (checked by its content)."),
            code="unsupported_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        name=clean_file_name(upload.name, content_type),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file as soon as it passes UPLOAD_MAX_FILE_SIZE: the rest is never stored.

    The file is then missing from the request; ``refuse_oversized`` gives the form its message.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_FILE_SIZE:
            self.request.oversized_uploads = [*getattr(self.request, "oversized_uploads", []), self.field_name]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def refuse_oversized(form, request) -> bool:
    """Put "too large" on the fields whose file the upload handler stopped. True if there was one."""
    names = getattr(request, "oversized_uploads", [])
    for name in names:
        message = _("The file is too large; the limit is %(limit)s.") % {
            "limit": filesizeformat(settings.UPLOAD_MAX_FILE_SIZE)
        }
        form.errors[name if name in form.fields else "__all__"] = form.error_class([message])
    return bool(names)
