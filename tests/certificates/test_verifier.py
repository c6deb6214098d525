"""The public verifier: a dropped PDF or credential is genuine, revoked, or reported as what it is."""

import codecs
import importlib
import io
import json
import socket
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from certificates import services
from certificates.credentials import signing
from certificates.credentials.embedding import credential_files
from certificates.credentials.issuing import credential_issue
from certificates.models import CertificateCredential, SealCertificate
from certificates.rendering import render_supplement_pdf
from certificates.sealing import _load_seal, seal_pdf

from .conftest import render
from .sealing_helpers import check, checks_of, envelope, make_seal, payload_of, token_of, with_payload

pytestmark = pytest.mark.django_db
ALL_CHECKS = {
    "seal": True,
    "unchanged": True,
    "signature": True,
    "schema": True,
    "register": True,
    "document": True,
    "status": True,
}


@pytest.fixture
def sealed(rendered) -> bytes:
    return Path(rendered.file.path).read_bytes()


@pytest.fixture
def credential_file(rendered) -> bytes:
    return envelope(rendered.certificate.credential.jwt)


def test_a_sealed_supplement_passes_every_check(client, sealed, rendered):
    response = check(client, sealed)
    assert response.status_code == 200
    result = response.json()
    assert result["verdict"] == "valid" and result["kind"] == "pdf"
    assert checks_of(response) == ALL_CHECKS
    assert result["certificate"]["number"] == rendered.certificate.number
    assert (
        result["certificate"]["kind"] == "certificate"
        and result["certificate"]["kind_name"] == "Proof of professional qualification"
    )
    assert "note" not in result["certificate"]
    assert "Portal test seal" in result["checks"][0]["message"]


@pytest.mark.parametrize("where", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_one_byte_changed_anywhere_is_never_reported_valid(client, sealed, where):
    tampered = bytearray(sealed)
    tampered[int(len(sealed) * where)] ^= 0x01
    result = check(client, bytes(tampered)).json()
    assert result["verdict"] == "invalid"
    assert result["certificate"] is None


def test_one_byte_changed_in_the_content_is_reported_as_changed(client, sealed):
    tampered = bytearray(sealed)
    tampered[len(sealed) // 2] ^= 0x01
    checks = checks_of(check(client, bytes(tampered)))
    assert checks["seal"] is False and checks["unchanged"] is False


def test_an_update_appended_after_sealing_is_reported_as_changed(client, sealed):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    checks = checks_of(check(client, output.getvalue()))
    assert checks["unchanged"] is False


def test_a_pdf_without_a_seal_is_reported_unsealed(client, settings, certificate):
    settings.PORTAL_SEAL_PKCS12 = ""
    unsealed = Path(render(certificate.versions.get()).file.path).read_bytes()
    result = check(client, unsealed).json()
    assert result["verdict"] == "invalid"
    assert result["checks"][0] == {"check": "seal", "ok": False, "message": "The document carries no seal."}
    assert checks_of(check(client, unsealed))["signature"] is True  # the credential alone is genuine


def test_a_pdf_sealed_with_a_foreign_certificate_is_reported_with_who_sealed_it(client, tmp_path, rendered):
    foreign = _load_seal(str(make_seal(tmp_path, name="Forger Ltd", test_seal=False)), 0, "pass")
    credential = rendered.certificate.credential
    files = credential_files(credential.data_integrity.encode(), credential.jwt.encode())
    forged = seal_pdf(render_supplement_pdf(rendered), files=files, seal=foreign)
    SealCertificate.objects.filter(subject__contains="Forger").delete()  # as if sealed elsewhere
    result = check(client, forged).json()
    assert result["verdict"] == "invalid"
    assert result["checks"][0]["ok"] is False
    assert "sealed by “Forger Ltd”, not by this test centre" in result["checks"][0]["message"]
    assert checks_of(check(client, forged))["signature"] is True  # the embedded credential itself is genuine


def test_a_name_edited_in_the_credential_breaks_its_signature(client, credential_file):
    token = token_of(json.loads(credential_file))
    payload = payload_of(token)
    payload["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    response = check(client, envelope(with_payload(token, payload)), "credential.json")
    assert response.json()["verdict"] == "invalid"
    assert response.json()["checks"] == [
        {
            "check": "signature",
            "ok": False,
            "message": "The credential's signature does not match: it was changed after signing.",
        }
    ]


def test_an_edited_credential_without_its_signature_is_not_accepted(client, credential_file):
    payload = payload_of(token_of(json.loads(credential_file)))
    payload["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    result = check(client, json.dumps(payload).encode(), "credential.json").json()
    assert result["verdict"] == "invalid"
    assert result["checks"][0]["message"] == "The credential carries no signature this portal can check."


def test_the_credential_alone_verifies_as_json_and_as_a_bare_jwt(client, credential_file):
    assert check(client, credential_file, "credential.json").json()["verdict"] == "valid"
    token = token_of(json.loads(credential_file)).encode()
    response = check(client, token, "credential.jwt")
    assert response.json()["verdict"] == "valid"
    assert set(checks_of(response)) == {"signature", "schema", "register", "status"}


@pytest.mark.parametrize(
    "mark,encoding",
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
    ids=["UTF-8", "UTF-16 little-endian", "UTF-16 big-endian"],
)
def test_a_credential_file_saved_with_a_byte_order_mark_is_read(client, rendered, mark, encoding):
    """Editors on Windows save text with a byte-order mark; the file is the same credential."""
    credential = rendered.certificate.credential
    for text, name in [(credential.data_integrity, "credential.json"), (credential.jwt, "credential.jwt")]:
        response = check(client, mark + text.encode(encoding), name)
        assert response.json()["verdict"] == "valid", (name, response.json()["checks"])


def test_a_file_that_is_no_text_after_a_byte_order_mark_is_no_credential(client):
    response = check(client, codecs.BOM_UTF8 + b"\xff\xfe\xfd", "credential.json")
    assert response.json()["checks"][0]["message"] == "This file is neither a PDF document nor a credential."


def test_a_credential_from_another_issuer_is_reported_as_such(client, credential_file):
    payload = payload_of(token_of(json.loads(credential_file)))
    payload["issuer"]["id"] = "https://badges.example.com/issuer"
    other_key = ed25519.Ed25519PrivateKey.generate()
    token = jwt.encode(payload, other_key, algorithm="EdDSA", headers={"kid": "https://badges.example.com/issuer#1"})
    result = check(client, envelope(token), "credential.json").json()
    assert result["verdict"] == "invalid"
    assert result["checks"][0]["message"] == "The credential was issued by someone else, not by this test centre."


def test_a_credential_signed_with_a_key_this_issuer_never_used_is_refused(client, credential_file):
    token = token_of(json.loads(credential_file))
    forged = jwt.encode(
        payload_of(token),
        ed25519.Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": signing.key_url("A" * 43)},
    )
    result = check(client, envelope(forged), "credential.json").json()
    assert result["checks"][0]["message"] == "The credential names a key this test centre has never used."


def test_an_unsigned_jwt_is_refused(client, credential_file):
    token = token_of(json.loads(credential_file))
    unsigned = jwt.encode(
        payload_of(token), None, algorithm="none", headers={"kid": jwt.get_unverified_header(token)["kid"]}
    )
    result = check(client, envelope(unsigned), "credential.json").json()
    assert result["verdict"] == "invalid" and result["checks"][0]["check"] == "signature"


def test_a_revoked_certificate_is_reported_revoked_from_its_status_bit(
    client, administrator, sealed, credential_file, rendered
):
    services.certificate_revoke(certificate=rendered.certificate, actor=administrator, reason="Fraud")
    for data, name in [(sealed, "s.pdf"), (credential_file, "c.json")]:
        response = check(client, data, name)
        assert response.json()["verdict"] == "revoked"
        assert checks_of(response)["status"] is False
        assert response.json()["checks"][-1]["message"] == "The proof of professional qualification has been revoked."


def test_a_credential_that_no_longer_matches_the_register_is_reported(client, credential_file, rendered):
    rendered.certificate.__class__.objects.filter(pk=rendered.certificate.pk).update(holder_name="Renamed Holder")
    response = check(client, credential_file, "c.json")
    assert response.json()["verdict"] == "invalid" and checks_of(response)["register"] is False


@pytest.fixture
def upload_spool(settings, tmp_path) -> Path:
    """Where Django would spool an upload to disk."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    return tmp_path / "spool"


def _stored_files(settings) -> set[str]:
    folders = [Path(settings.MEDIA_ROOT), Path(settings.FILE_UPLOAD_TEMP_DIR)]
    return {str(p) for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()}


def test_a_huge_upload_is_refused_with_a_clear_message_and_nothing_is_stored(client, settings, sealed, upload_spool):
    settings.VERIFY_MAX_UPLOAD_SIZE = 100_000
    before = _stored_files(settings)
    response = check(client, sealed + b"\0" * 200_000)
    assert response.status_code == 413
    assert response.json()["error"] == "The upload is too large: send one file of at most 97.7\xa0KB."
    just_over = check(client, b"x" * 100_001)  # the file alone is over; the request is not much more
    assert just_over.status_code == 413 and just_over.json()["code"] == "too_large"
    assert just_over.json()["error"] == "The file is too large; the limit is 97.7\xa0KB."
    page = client.post("/verify/", {"file": io.BytesIO(b"x" * 200_000)})
    assert page.status_code == 413 and "The upload is too large" in page.content.decode()
    assert _stored_files(settings) - before == set()


def test_a_checked_file_is_never_stored_not_even_while_it_is_checked(
    client, settings, sealed, upload_spool, monkeypatch
):
    from certificates.credential_views import VerifyFileForm

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django's own handlers would spool this upload to disk
    before, during = _stored_files(settings), []

    def spying(form):  # runs once the upload has been received
        during.append(_stored_files(settings) - before)
        return form.cleaned_data

    monkeypatch.setattr(VerifyFileForm, "clean", spying, raising=False)
    assert check(client, sealed).json()["verdict"] == "valid"
    assert during == [set()] and _stored_files(settings) - before == set()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"%PDF-1.7\nthis is not really a pdf", "This file is not a readable PDF document."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "This image carries no credential this portal can read."),
        (b"{not json", "This file is neither a PDF document nor a credential."),
        (b"[1, 2, 3]", "This file is neither a PDF document nor a credential."),
        (b"[" * 100_000, "This file is neither a PDF document nor a credential."),
        (b"abc.def.ghi", "The credential is damaged: its signature cannot be read."),
        (
            b"eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln",
            "The credential was issued by someone else, not by this test centre.",
        ),
    ],
)
def test_a_malformed_upload_gets_a_clear_message(client, credential_file, data, message):
    response = check(client, data, "upload.bin")
    assert response.status_code == 200
    assert response.json()["verdict"] == "invalid"
    assert response.json()["checks"][0]["message"] == message


def test_no_file_at_all_is_a_clear_400(client):
    response = client.post("/verify/check.json", {})
    assert response.status_code == 400
    assert (
        response.json()["error"]
        == "Choose a proof or a supplement (PDF), a credential file (JSON, JWT) or a badge (PNG, SVG)."
    )


@pytest.mark.parametrize(
    "language,expected",
    [
        ("nl", "Het document is ongewijzigd sinds het verzegeld werd."),
        ("fr", "Le document n’a pas été modifié depuis son scellement."),
    ],
)
def test_the_report_is_in_the_visitors_language(client, sealed, language, expected):
    response = check(client, sealed, HTTP_ACCEPT_LANGUAGE=language)
    assert expected in [item["message"] for item in response.json()["checks"]]


def test_the_verification_page_offers_the_file_check_and_shows_the_report(client, sealed, rendered):
    from django.test import Client

    page = client.get(f"/verify/{rendered.certificate.verification_code}/").content.decode()
    assert 'action="/verify/"' in page and 'enctype="multipart/form-data"' in page
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/verify/", {"file": io.BytesIO(sealed)}).status_code == 403  # the form is CSRF-protected
    form_page = strict.get("/verify/")
    token = form_page.cookies["csrftoken"].value
    response = strict.post("/verify/", {"file": io.BytesIO(sealed), "csrfmiddlewaretoken": token})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="valid"' in html
    assert "This file is genuine and the proof of professional qualification is valid." in html
    assert rendered.certificate.number in html


def test_the_verifier_uses_no_network(client, sealed, monkeypatch):
    real_connect = socket.socket.connect

    def refuse(self, address, *args, **kwargs):
        if self.family == socket.AF_UNIX:  # the verifier's own child process, on this machine
            return real_connect(self, address)
        raise AssertionError("the verifier tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert check(client, sealed).json()["verdict"] == "valid"


def test_the_process_that_reads_a_pdf_cannot_open_a_network_connection():
    from certificates import pdf_limits

    from .sealing_helpers import try_to_connect

    assert pdf_limits.run_bounded(try_to_connect, seconds=30) == "the verifier opens no network connection"


def _email_identity(token: str) -> dict:
    return payload_of(token)["credentialSubject"]["identifier"][0]


def _correct_address(certificate) -> None:
    candidate = certificate.assessment.candidate
    candidate.email = "corrected.address@example.org"
    candidate.save()


def test_a_genuine_file_stays_valid_after_the_holders_address_is_corrected(client, sealed, credential_file, rendered):
    _correct_address(rendered.certificate)
    for data, name in [(sealed, "s.pdf"), (credential_file, "c.json")]:
        response = check(client, data, name)
        assert response.json()["verdict"] == "valid" and checks_of(response)["register"] is True


def test_signing_again_after_a_correction_keeps_the_identity_it_was_issued_with(client, credential_file, rendered):
    issued = _email_identity(token_of(json.loads(credential_file)))
    _correct_address(rendered.certificate)
    again = credential_issue(certificate=rendered.certificate, languages=("fr", "nl"))
    assert _email_identity(again.jwt) == issued
    assert check(client, envelope(again.jwt), "new.json").json()["verdict"] == "valid"
    assert check(client, credential_file, "old.json").json()["verdict"] == "valid"


def test_the_migration_records_the_identity_of_credentials_issued_before_it(rendered):
    from django.apps import apps

    credential = rendered.certificate.credential
    CertificateCredential.objects.filter(pk=credential.pk).update(identity_hash="")
    _correct_address(rendered.certificate)  # corrected before the migration: the credential still knows
    importlib.import_module("certificates.migrations.0006_credential_identity").record_issued_identity(apps, None)
    credential.refresh_from_db()
    assert credential.identity_hash == _email_identity(credential.jwt)["identityHash"]
