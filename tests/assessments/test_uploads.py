"""Uploads are recognised by content, not by name."""

import pytest
from django.core.exceptions import ValidationError

from assessments import uploads
from assessments.uploads import clean_file_name

from .. import samples


def check_upload(upload):
    """The content checks, for a file nobody in particular chose (no scanner is configured here)."""
    return uploads.check_upload(upload, actor=None, about=None, kind="portfolio")


@pytest.mark.parametrize("name", sorted(samples.VALID))
def test_each_accepted_type_is_recognised_by_its_content(name):
    content, content_type = samples.VALID[name]
    checked = check_upload(samples.upload(name, content))
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_a_real_png_named_pdf_keeps_its_real_type_and_extension():
    checked = check_upload(samples.upload("scan.pdf", samples.image_bytes("PNG")))
    assert (checked.content_type, checked.name) == ("image/png", "scan.png")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.pdf", b"", "empty"),
        ("setup.pdf", samples.WINDOWS_EXECUTABLE, "not a PDF, JPEG, PNG, DOCX or ODT"),
        ("script.png", b"#!/bin/sh\nrm -rf /\n", "not a PDF, JPEG, PNG, DOCX or ODT"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "not a PDF, JPEG, PNG, DOCX or ODT"),
        ("truncated.jpg", samples.image_bytes("JPEG")[:20], "not a PDF, JPEG, PNG, DOCX or ODT"),
        ("page.html", b"<html><script>alert(1)</script></html>", "not a PDF, JPEG, PNG, DOCX or ODT"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload(name, content))
    assert message in refused.value.messages[0]


def test_a_file_over_the_limit_is_refused(settings):
    settings.UPLOAD_MAX_FILE_SIZE = 1000
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("big.pdf", samples.MINIMAL_PDF + b"0" * 1000))
    assert "too large" in refused.value.messages[0]


@pytest.mark.parametrize(
    "hostile,expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("report\x00\x1b[31m.pdf", "report[31m.pdf"),
        ("bad\nname\r.pdf", "badname.pdf"),
        ("...", "file.pdf"),
        ("", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_hostile_file_names_are_cleaned(hostile, expected):
    assert clean_file_name(hostile, "application/pdf") == expected


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    import io
    import zipfile

    settings.UPLOAD_MAX_UNPACKED_SIZE = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (2 * 1024 * 1024))
    assert len(buffer.getvalue()) < 20_000  # small on the wire, large unpacked
    with pytest.raises(ValidationError, match="not a PDF"):
        check_upload(samples.upload("bomb.docx", buffer.getvalue()))


def test_an_html_page_between_pdf_markers_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("report.pdf", samples.HTML_IN_PDF_MARKERS))
    assert refused.value.code == "unsupported_type"
    assert "not a PDF, JPEG, PNG, DOCX or ODT" in refused.value.messages[0]


@pytest.mark.parametrize("kind", sorted(samples.ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused(kind):
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("report.pdf", samples.ACTIVE_PDFS[kind]))
    assert refused.value.code == "active_content"
    assert "active content" in refused.value.messages[0]


@pytest.mark.parametrize("kind", sorted(samples.ACTIVE_DOCUMENTS))
def test_an_office_document_with_macros_or_programs_is_refused(kind):
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("letter.docx", samples.ACTIVE_DOCUMENTS[kind]))
    assert refused.value.code == "active_content"
    assert "macros or programs" in refused.value.messages[0]


def test_a_plain_document_with_an_embedded_image_and_office_scripts_element_is_accepted():
    docx = samples.docx_bytes(**{"word/media/image1.png": samples.image_bytes("PNG")})
    assert check_upload(samples.upload("letter.docx", docx)).name == "letter.docx"
    assert check_upload(samples.upload("letter.odt", samples.odt_bytes())).name == "letter.odt"


def test_the_refusal_of_active_content_is_translated(settings):
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("report.pdf", samples.ACTIVE_PDFS["launch action"]))
    assert "actieve inhoud" in refused.value.messages[0]
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("letter.docx", samples.ACTIVE_DOCUMENTS["docm renamed docx"]))
    assert "macros ou des programmes" in refused.value.messages[0]


def test_a_document_with_a_hyperlink_is_accepted():
    rels = (
        '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/hyperlink" Target="https://www.vlaanderen.be/" TargetMode="External"/></Relationships>'
    )
    docx = samples.docx_bytes(**{"word/_rels/document.xml.rels": rels})
    assert check_upload(samples.upload("letter.docx", docx)).content_type == samples.VALID["letter.docx"][1]


def test_a_password_protected_pdf_is_refused_as_uncheckable():
    with pytest.raises(ValidationError) as refused:
        check_upload(samples.upload("report.pdf", samples.ENCRYPTED_PDF))
    assert refused.value.code == "encrypted"


def test_a_pdf_that_opens_at_a_page_is_accepted():
    from pypdf.generic import ArrayObject, NameObject

    def open_at_first_page(writer):
        page = writer.pages[0].indirect_reference
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
        writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
        writer.add_outline_item(title="Start", page_number=0)

    assert check_upload(samples.upload("cv.pdf", samples.pdf_bytes(open_at_first_page))).name == "cv.pdf"
