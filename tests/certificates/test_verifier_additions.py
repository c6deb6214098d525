"""What may follow the seal (decision 0023): pyHanko's own analysis of the revisions after it.

Validation data and document timestamps leave a sealed document genuine; another party's
signature is reported and leaves it genuine; anything that changes what a reader sees is never
"unchanged". Every file here is made with pyHanko, as a reader's tool would make it.
"""

import time
from pathlib import Path

import pytest

from certificates.sealing import _load_seal, seal_pdf

from .conftest import render
from .sealing_helpers import (
    check,
    checks_of,
    make_seal,
    signed_by,
    tiny_pdf,
    tiny_pdf_with_text_field,
    with_annotation,
    with_content_stream_rewritten,
    with_document_timestamp,
    with_signature_fields,
    with_text_drawn_over,
    with_text_field_filled,
    with_validation_data,
)

pytestmark = pytest.mark.django_db
UNCHANGED_WITH_ADDITIONS = (
    "The document is unchanged since it was sealed: what was added after the seal (validation data, a timestamp "
    "or a signature) is allowed by the PDF standard and changes nothing of its content."
)


@pytest.fixture
def sealed(rendered) -> bytes:
    return Path(rendered.file.path).read_bytes()


def message_of(response, name: str) -> str:
    return next(item["message"] for item in response.json()["checks"] if item["check"] == name)


def test_validation_data_added_after_the_seal_leaves_the_document_genuine(client, sealed, pki):
    response = check(client, with_validation_data(sealed, pki))
    assert response.json()["verdict"] == "valid"
    assert checks_of(response)["unchanged"] is True and checks_of(response)["document"] is True
    assert message_of(response, "unchanged") == UNCHANGED_WITH_ADDITIONS


def test_a_document_timestamp_added_after_the_seal_leaves_the_document_genuine(client, sealed, pki):
    stamped = with_document_timestamp(with_validation_data(sealed, pki), pki)
    response = check(client, stamped)
    assert response.json()["verdict"] == "valid"
    assert message_of(response, "unchanged") == UNCHANGED_WITH_ADDITIONS
    assert "signed_after" not in checks_of(response)  # a timestamp is nobody's signature


def test_a_signature_by_someone_else_after_the_seal_is_reported_and_the_seal_stays_valid(client, sealed, tmp_path):
    other = _load_seal(str(make_seal(tmp_path, name="Employer HR Department", test_seal=False)), 0, "pass")
    response = check(client, signed_by(sealed, other.signer))
    result = response.json()
    assert result["verdict"] == "valid"
    assert checks_of(response)["seal"] is True and checks_of(response)["unchanged"] is True
    assert message_of(response, "signed_after") == (
        "After the seal, the document was also signed by “Employer HR Department”. That signature is not this "
        "test centre's and is not checked here; the test centre's seal and the sealed content are as issued."
    )


def test_the_report_of_a_later_signature_is_in_the_visitors_language(client, sealed, tmp_path):
    other = _load_seal(str(make_seal(tmp_path, name="Werkgever", test_seal=False)), 0, "pass")
    response = check(client, signed_by(sealed, other.signer), HTTP_ACCEPT_LANGUAGE="nl")
    assert message_of(response, "signed_after").startswith("Na het zegel werd het document ook ondertekend door")


@pytest.mark.parametrize(
    "change",
    [with_content_stream_rewritten, with_text_drawn_over, with_annotation],
    ids=["content stream rewritten", "text drawn over the page", "annotation added"],
)
def test_a_change_of_what_the_page_shows_after_the_seal_is_never_unchanged(client, sealed, change):
    response = check(client, change(sealed))
    assert response.json()["verdict"] == "invalid"
    assert checks_of(response)["unchanged"] is False
    assert message_of(response, "unchanged") == "The document was changed since it was sealed."


def test_a_change_after_a_later_signature_is_still_a_change(client, sealed, tmp_path):
    other = _load_seal(str(make_seal(tmp_path, name="Someone", test_seal=False)), 0, "pass")
    response = check(client, with_annotation(signed_by(sealed, other.signer)))
    assert response.json()["verdict"] == "invalid"
    assert checks_of(response)["unchanged"] is False and "signed_after" not in checks_of(response)


def test_another_party_signing_an_edited_copy_does_not_hide_the_edit(client, sealed, tmp_path):
    other = _load_seal(str(make_seal(tmp_path, name="Someone", test_seal=False)), 0, "pass")
    response = check(client, signed_by(with_text_drawn_over(sealed), other.signer))
    assert response.json()["verdict"] == "invalid" and checks_of(response)["unchanged"] is False


def test_a_document_sealed_for_the_long_term_is_genuine_as_issued_and_after_more_timestamps(
    client, certificate, long_term_sealing, pki
):
    issued = Path(render(certificate.versions.get()).file.path).read_bytes()
    response = check(client, issued)
    assert response.json()["verdict"] == "valid", response.json()
    assert message_of(response, "unchanged") == UNCHANGED_WITH_ADDITIONS
    restamped = check(client, with_document_timestamp(issued, pki))  # what archiving it later adds
    assert restamped.json()["verdict"] == "valid" and checks_of(restamped)["document"] is True


def test_an_analysis_that_takes_too_long_is_too_complex_never_a_wait(client, settings, tmp_path):
    """Within the limits on revisions and objects, thousands of signature fields added in ten
    revisions make pyHanko compare every field again in each: seconds of work, stopped by the clock."""
    seal = _load_seal(str(make_seal(tmp_path, name="Portal test seal")), 0, "pass")
    crafted = with_signature_fields(seal_pdf(tiny_pdf(), seal=seal), revisions=10, fields_per_revision=1000)
    settings.VERIFY_PDF_SECONDS = 0.5
    started = time.monotonic()
    response = check(client, crafted)
    assert time.monotonic() - started < 2
    assert response.status_code == 422 and response.json()["code"] == "too_complex"


def test_filling_in_a_form_field_after_the_seal_is_a_change(client, tmp_path):
    """pyHanko calls filling in a field "form filling", as it calls signing a field; only the
    fields of the later signatures may change, so this sealed page with a text field is changed."""
    seal = _load_seal(str(make_seal(tmp_path, name="Portal test seal")), 0, "pass")
    sealed = seal_pdf(tiny_pdf_with_text_field(), seal=seal)
    assert checks_of(check(client, sealed))["unchanged"] is True
    assert checks_of(check(client, with_text_field_filled(sealed)))["unchanged"] is False
