"""A certificate's two documents together: stored all or nothing, downloaded, verified."""

import hashlib
import io
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from certificates import services
from certificates.models import SupplementVersion
from certificates.packaging import supplement_finish
from certificates.rendering import render_proof_pdf
from portal.storage import private_storage

from .. import samples
from .conftest import render
from .sealing_helpers import check, checks_of

pytestmark = pytest.mark.django_db
Status = SupplementVersion.Status


def stored_files() -> list[Path]:
    media = Path(django_settings.MEDIA_ROOT)
    return sorted(
        path for folder in ("supplements", "proofs") if (media / folder).exists() for path in (media / folder).iterdir()
    )


def url(certificate, what: str, number: int = 1) -> str:
    return f"/certificates/{certificate.pk}/supplements/{number}/{what}"


def test_one_rendering_stores_the_proof_and_the_supplement_with_their_checksums(rendered):
    assert rendered.status == Status.READY and rendered.has_proof
    for field, checksum, size in [("file", "sha256", "size"), ("proof_file", "proof_sha256", "proof_size")]:
        data = Path(getattr(rendered, field).path).read_bytes()
        assert data.startswith(b"%PDF-")
        assert getattr(rendered, checksum) == hashlib.sha256(data).hexdigest()
        assert getattr(rendered, size) == len(data)
    assert rendered.proof_file.name.startswith("proofs/") and rendered.file.name.startswith("supplements/")
    assert stored_files() == sorted([Path(rendered.file.path), Path(rendered.proof_file.path)])


def test_a_statement_stays_one_document(assessment):
    from tests import flows

    statement = flows.decide(assessment, not_proven=(1,)).certificate
    version = render(statement.versions.get())
    assert version.status == Status.READY and version.file and not version.has_proof
    assert stored_files() == [Path(version.file.path)]


@pytest.mark.parametrize("failing", ["render_proof_pdf", "render_supplement_pdf"])
def test_a_failure_in_either_render_leaves_the_version_failed_and_nothing_stored(certificate, failing):
    version = certificate.versions.get()
    broken = mock.patch(f"certificates.rendering.{failing}", side_effect=RuntimeError("font missing"))
    with broken, pytest.raises(RuntimeError):
        services.supplement_render(version_id=version.pk, attempt_id="attempt")
    version.refresh_from_db()
    assert version.status == Status.FAILED and version.error == "RuntimeError: font missing"
    assert not version.file and not version.proof_file and not version.sha256 and not version.proof_sha256
    assert stored_files() == []
    # Retried once the cause is gone: both documents, ready.
    assert render(version, attempt="retry").status == Status.READY and version.has_proof


def test_a_storage_failure_on_the_second_file_leaves_no_first_file_behind(certificate):
    version = certificate.versions.get()
    save = private_storage.save
    calls = []

    def second_save_fails(name, content, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return save(name, content, *args, **kwargs)

    with mock.patch.object(private_storage, "save", side_effect=second_save_fails), pytest.raises(OSError):
        services.supplement_render(version_id=version.pk, attempt_id="attempt")
    version.refresh_from_db()
    assert version.status != Status.READY and not version.file and not version.proof_file
    assert stored_files() == []


def test_a_delivery_that_lost_its_claim_keeps_neither_file(certificate):
    version = certificate.versions.get()

    def taken_over(*args, **kwargs):
        # Another delivery takes the version over while this one renders.
        SupplementVersion.objects.filter(pk=version.pk).update(claimed_by="other")
        return render_proof_pdf(*args, **kwargs)

    with mock.patch("certificates.rendering.render_proof_pdf", side_effect=taken_over):
        assert services.supplement_render(version_id=version.pk, attempt_id="first") is False
    assert stored_files() == []


def test_the_database_refuses_a_proof_on_a_version_that_is_not_ready(certificate):
    version = certificate.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplementVersion.objects.filter(pk=version.pk).update(
            proof_file="proofs/x.pdf", proof_sha256="0" * 64, proof_size=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplementVersion.objects.filter(pk=version.pk).update(status=Status.READY, proof_file="proofs/x.pdf")


# --- Downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "administrator"])
def test_holder_and_administrators_download_the_proof_with_a_meaningful_name(client, rendered, request, who):
    certificate = rendered.certificate
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url(certificate, "proof/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    name = f"proof-of-professional-qualification-{certificate.number}-nl-en-v1.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert b"".join(response.streaming_content) == Path(rendered.proof_file.path).read_bytes()
    entry = AuditEntry.objects.get(action="file_downloaded", actor=user)
    assert entry.summary == name and entry.data["version_id"] == rendered.pk


@pytest.mark.parametrize("who", ["candidate", "administrator"])
def test_both_documents_download_together_as_one_audited_zip(client, rendered, request, who):
    certificate = rendered.certificate
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url(certificate, "documents.zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.streaming and response["Cache-Control"] == "private, no-store"
    zip_name = f"proof-of-professional-qualification-and-supplement-{certificate.number}-nl-en-v1.zip"
    assert response["Content-Disposition"] == f'attachment; filename="{zip_name}"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    proof_name = f"proof-of-professional-qualification-{certificate.number}-nl-en-v1.pdf"
    supplement_name = f"certificate-supplement-{certificate.number}-nl-en-v1.pdf"
    assert archive.namelist() == [proof_name, supplement_name]
    assert archive.read(proof_name) == Path(rendered.proof_file.path).read_bytes()
    assert archive.read(supplement_name) == Path(rendered.file.path).read_bytes()
    entry = AuditEntry.objects.get(actor=user, action="file_downloaded")
    assert entry.summary == zip_name and entry.data["documents"] == [proof_name, supplement_name]
    assert entry.subject_id == certificate.assessment_id


@pytest.mark.parametrize("who", ["other_candidate", "assessor", "outsider_assessor"])
@pytest.mark.parametrize("what", ["proof/", "documents.zip", "download/"])
def test_anyone_else_gets_a_404_for_every_document(client, rendered, request, who, what):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(rendered.certificate, what)).status_code == 404
    assert not AuditEntry.objects.filter(action__in=["file_downloaded", "supplement_downloaded"]).exists()


def test_a_revoked_certificates_documents_are_kept_for_administrators_only(client, rendered, administrator, candidate):
    services.certificate_revoke(certificate=rendered.certificate, actor=administrator, reason="Error")
    client.force_login(candidate)
    assert client.get(url(rendered.certificate, "proof/")).status_code == 404
    assert client.get(url(rendered.certificate, "documents.zip")).status_code == 404
    client.force_login(administrator)
    assert client.get(url(rendered.certificate, "proof/")).status_code == 200


def test_a_version_without_a_proof_has_no_proof_to_download(client, certified, candidate):
    version = certified.certificate.versions.get()
    version.status = Status.READY
    version.file.save("supplements/older.pdf", ContentFile(samples.MINIMAL_PDF))
    client.force_login(candidate)
    assert client.get(url(certified.certificate, "proof/")).status_code == 404
    assert client.get(url(certified.certificate, "documents.zip")).status_code == 404
    assert client.get(url(certified.certificate, "download/")).status_code == 200


def test_a_missing_proof_file_is_a_404_and_no_download_in_the_trail(client, candidate, rendered):
    rendered.proof_file.storage.delete(rendered.proof_file.name)
    client.force_login(candidate)
    assert client.get(url(rendered.certificate, "proof/")).status_code == 404
    assert client.get(url(rendered.certificate, "documents.zip")).status_code == 404
    assert not AuditEntry.objects.filter(action="file_downloaded").exists()


def test_the_panel_offers_the_proof_the_supplement_and_both_for_each_version(
    client, rendered, candidate, administrator
):
    certificate = rendered.certificate
    links = [url(certificate, "proof/"), url(certificate, "download/"), url(certificate, "documents.zip")]
    for user in (candidate, administrator):
        client.force_login(user)
        box = client.get(f"/certificates/{certificate.pk}/panel/").content.decode()
        for link in links:
            assert link in box, (user, link)
    client.force_login(candidate)
    box = client.get(f"/certificates/{certificate.pk}/panel/").content.decode()
    assert "Download my proof of professional qualification (PDF)" in box
    assert "Download both together (ZIP)" in box


# --- Verification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "document", "says"),
    [
        ("proof_file", "proof", "The file is the proof of professional qualification"),
        ("file", "supplement", "The file is the Europass certificate supplement (version 1) that accompanies"),
    ],
)
def test_the_file_check_accepts_each_document_and_says_which_it_is(client, rendered, field, document, says):
    result = check(client, Path(getattr(rendered, field).path).read_bytes()).json()
    assert result["verdict"] == "valid"
    assert set(checks_of(check(client, Path(getattr(rendered, field).path).read_bytes()))) == {
        "seal",
        "unchanged",
        "signature",
        "schema",
        "register",
        "document",
        "status",
    }
    assert result["document"] == {
        "kind": document,
        "name": {"proof": "Proof of professional qualification", "supplement": "Europass certificate supplement"}[
            document
        ],
        "version": 1,
    }
    message = next(item["message"] for item in result["checks"] if item["check"] == "document")
    assert message.startswith(says) and rendered.certificate.number in message


def test_the_file_check_page_names_the_document(client, rendered):
    from .sealing_helpers import named

    page = client.post("/verify/", {"file": named(Path(rendered.proof_file.path).read_bytes(), "proof.pdf")})
    content = page.content.decode()
    assert 'data-verdict="valid"' in content
    assert '<dd class="col-sm-9">Proof of professional qualification</dd>' in content


def test_a_sealed_file_the_portal_never_issued_is_not_accepted(client, rendered):
    """Sealed by this centre and carrying the genuine credential, but not a stored document."""
    never_issued = supplement_finish(rendered, render_proof_pdf(rendered))
    result = check(client, never_issued).json()
    assert checks_of(check(client, never_issued)) == {
        "seal": True,
        "unchanged": True,
        "signature": True,
        "schema": True,
        "register": True,
        "document": False,
        "status": True,
    }
    assert result["verdict"] == "invalid" and result["document"] is None


def test_a_revoked_certificates_proof_is_reported_revoked(client, rendered, administrator):
    services.certificate_revoke(certificate=rendered.certificate, actor=administrator, reason="Fraud")
    result = check(client, Path(rendered.proof_file.path).read_bytes()).json()
    assert result["verdict"] == "revoked" and result["document"]["kind"] == "proof"


def test_the_verification_page_by_link_says_the_status_as_before(client, rendered):
    page = client.get(f"/verify/{rendered.certificate.verification_code}/").content.decode()
    assert "This proof of professional qualification is valid." in page


# --- Verification by number and code ---------------------------------------------------------


def test_the_number_and_the_verification_code_lead_to_the_verification_page(client, rendered):
    certificate = rendered.certificate
    response = client.get(
        "/verify/number/", {"number": f" {certificate.number.lower()} ", "code": certificate.verification_code}
    )
    assert response.status_code == 302 and response.url == f"/verify/{certificate.verification_code}/"


def test_a_number_alone_or_with_a_wrong_code_finds_nothing(client, rendered):
    certificate = rendered.certificate
    assert client.get("/verify/number/", {"number": certificate.number}).status_code == 400
    wrong = client.get("/verify/number/", {"number": certificate.number, "code": "a" * 24})
    assert wrong.status_code == 404
    assert "No document has this number and this verification code." in wrong.content.decode()
    assert certificate.holder_name not in wrong.content.decode()


def test_checks_by_number_are_limited_per_address(client, rendered, settings):
    settings.VERIFY_CHECKS_PER_CLIENT = "2/m"
    certificate = rendered.certificate
    query = {"number": certificate.number, "code": "b" * 24}
    assert [client.get("/verify/number/", query).status_code for _ in range(3)] == [404, 404, 429]


def test_a_number_is_never_looked_up_without_its_code(rendered):
    from certificates.verification import certificate_by_number

    number, code = rendered.certificate.number, rendered.certificate.verification_code
    assert certificate_by_number(number=number, code=code) == rendered.certificate
    assert certificate_by_number(number=number, code="") is None
    assert certificate_by_number(number=number, code=" ") is None
