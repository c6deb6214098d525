"""Validation of uploaded files by their content, never by their name.

Accepted: PDF, JPEG, PNG, DOCX and ODT. A file is recognised from its bytes (signature and
structure); the name the browser sent is only cleaned up for display and downloads.
Assessors open these files on their own computers, so documents that can run something there
are refused: PDFs with JavaScript, launch actions or embedded files, and Office documents with
macros or programs inside (see docs/decisions).
"""

import hashlib
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from accounts.models import User
from portal.scanning import scan_upload

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


class _Encrypted(Exception):
    """A PDF protected by a password: its content cannot be checked."""


def _pdf_reader(upload: File) -> PdfReader | None:
    """The parsed PDF, or None when the bytes between the markers are not one."""
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise _Encrypted
        if len(reader.pages) == 0:
            return None
    except _Encrypted:
        raise
    except Exception:  # noqa: BLE001 -- a parser fed hostile bytes may fail in any way: not a PDF
        return None
    return reader


# Entries and action types through which a PDF viewer runs something or hands a file over.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EF", "/EmbeddedFiles", "/RichMedia", "/XFA"}
PDF_ACTIVE_TYPES = {
    "/JavaScript",
    "/Launch",
    "/GoToE",
    "/ImportData",
    "/EmbeddedFile",
    "/FileAttachment",
    "/RichMediaExecute",
}
PDF_MAX_OBJECTS = 500_000


def _is_active_pdf_node(node: DictionaryObject) -> bool:
    if PDF_ACTIVE_KEYS.intersection(node.keys()):
        return True
    return any(dict.get(node, key) in PDF_ACTIVE_TYPES for key in ("/S", "/Type", "/Subtype"))


def _pdf_has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (names are decoded, so #-escapes do not hide)."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            if len(seen) > PDF_MAX_OBJECTS:
                return True  # far beyond any real portfolio document: refuse rather than walk on
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if _is_active_pdf_node(node):
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            stack.extend(list.__iter__(node))
    return False


def _is_pdf(upload: File, head: bytes, tail: bytes) -> bool:
    return head.startswith(b"%PDF-") and b"%%EOF" in tail and _pdf_reader(upload) is not None


def _is_image(upload: File, image_format: str) -> bool:
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


def _zip_names(upload: File) -> list[str] | None:
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


def _zip_member(upload: File, name: str, limit: int = 200) -> bytes:
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive, archive.open(name) as member:
        return member.read(limit)


def sniff_content_type(upload: File) -> str | None:
    """The accepted content type these bytes really are, or None."""
    upload.seek(0)
    head = upload.read(64)
    upload.seek(max((upload.size or 0) - 2048, 0))
    tail = upload.read()
    if _is_pdf(upload, head, tail):
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


DOCX_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Macro projects, their content types and ActiveX controls, wherever they sit in the package.
DOCX_MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"vbadata", b"activex")
ODT_MACRO_FOLDERS = ("basic/", "scripts/")
# Macro and script bindings of OpenDocument (event listeners, links, form controls).
ODT_MACRO_MARKERS = (b"vnd.sun.star.script", b"macro://", b"vnd.sun.star.basic")
EXECUTABLE_SUFFIXES = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".bat",
    ".cmd",
    ".msi",
    ".ps1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".hta",
    ".jar",
    ".sh",
    ".lnk",
    ".cpl",
    ".pif",
    ".reg",
    ".py",
)
# Windows and Unix programs, scripts, and OLE containers (an embedded "package" object holds a program).
EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"#!",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
)
EXTERNAL_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*TargetMode=\"External\"[^>]*>", re.IGNORECASE)
CHUNK = 1024 * 1024


def _member_contains(archive: zipfile.ZipFile, name: str, needles: tuple[bytes, ...]) -> bool:
    """Search a member in chunks (lower-cased), so a large one is never held in memory whole."""
    overlap = max(len(needle) for needle in needles)
    previous = b""
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            window = previous + chunk.lower()
            if any(needle in window for needle in needles):
                return True
            previous = window[-overlap:]
    return False


def _is_program(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.filename.lower().endswith(EXECUTABLE_SUFFIXES):
        return True
    with archive.open(info) as member:
        return member.read(8).startswith(EXECUTABLE_MAGIC)


def _docx_is_active(archive: zipfile.ZipFile, names: list[str]) -> bool:
    types = archive.read("[Content_Types].xml").lower()
    if DOCX_MAIN_TYPE not in types or any(marker in types for marker in DOCX_MACRO_MARKERS):
        return True  # a macro-enabled document or template, whatever the file is called
    if any(marker.decode() in name.lower() for name in names for marker in DOCX_MACRO_MARKERS):
        return True
    for name in names:
        if name.endswith(".rels"):
            # Only hyperlinks may point outside: an external template or object is fetched on opening.
            for relationship in EXTERNAL_RELATIONSHIP.findall(archive.read(name)):
                if b'/hyperlink"' not in relationship:
                    return True
    return False


def _odt_is_active(archive: zipfile.ZipFile, names: list[str]) -> bool:
    if any(name.lower().startswith(ODT_MACRO_FOLDERS) for name in names):
        return True
    return any(_member_contains(archive, name, ODT_MACRO_MARKERS) for name in names if name.endswith(".xml"))


def _office_is_active(upload: File, content_type: str) -> bool:
    """Macros, macro bindings or programs inside a DOCX or ODT (already known to be a sound archive)."""
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        names = archive.namelist()
        if any(_is_program(archive, info) for info in archive.infolist() if not info.is_dir()):
            return True
        if content_type == DOCX_MIMETYPE:
            return _docx_is_active(archive, names)
        return _odt_is_active(archive, names)


def refuse_active_content(upload: File, content_type: str) -> None:
    """Refuse a document that could run something on the computer of the person who opens it."""
    if content_type == "application/pdf":
        reader = _pdf_reader(upload)
        if reader is None or _pdf_has_active_content(reader):
            raise ValidationError(
                _(
                    "This PDF contains active content (JavaScript, actions that start programs or embedded "
                    "files), which is not accepted. Save it again as a plain PDF (for example with "
                    '"Print to PDF") and upload that file.'
                ),
                code="active_content",
            )
    elif content_type in (DOCX_MIMETYPE, ODT_MIMETYPE.decode()) and _office_is_active(upload, content_type):
        raise ValidationError(
            _(
                "This document contains macros or programs, which are not accepted. Save it as a plain "
                "DOCX or ODT document (or as a PDF) and upload that file."
            ),
            code="active_content",
        )


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
            _("This file would make the portfolio larger than %(limit)s in total.") % {"limit": filesizeformat(limit)},
            code="portfolio_too_large",
        )


def check_upload(upload: File, *, actor: User | None, about: object, kind: str) -> CheckedUpload:
    """Validate one upload: not empty, not too large, free of viruses (``portal.scanning``, before
    any parser reads it) and really one of the accepted types. ``actor`` chose the file for
    ``about`` (an assessment) as a ``kind`` of file (portfolio, observation): an infected one is
    audited so."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    limit = settings.UPLOAD_MAX_FILE_SIZE
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    scan_upload(upload, actor=actor, subject=about, kind=kind)
    try:
        content_type = sniff_content_type(upload)
    except _Encrypted:
        raise ValidationError(
            _("This PDF is protected by a password, so its content cannot be checked. Upload it without the password."),
            code="encrypted",
        ) from None
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG, PNG, DOCX or ODT document (checked by its content)."),
            code="unsupported_type",
        )
    refuse_active_content(upload, content_type)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        name=clean_file_name(upload.name or "", content_type),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file as soon as it passes its limit (UPLOAD_MAX_FILE_SIZE): the rest is never
    stored. The file is then missing from the request; ``refuse_oversized`` gives the form its message.

    A subclass may also limit the whole request (``request_limit``): a body declared larger is not
    read at all (``request.upload_too_large`` is set and the request has no data). The declared
    length is the whole story: Django reads no more of a body than its Content-Length, and nothing
    of a body without one.
    """

    def file_limit(self) -> int:
        return settings.UPLOAD_MAX_FILE_SIZE

    def request_limit(self) -> int | None:
        return None  # the procedure's forms: Django's own limits on fields and files apply

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = self.request_limit()
        if limit is not None and content_length > limit:
            self.request.upload_too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()  # the parser reads nothing
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.file_limit():
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
