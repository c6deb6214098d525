"""Downloads for the holder and administrators, revocation, re-rendering, public verification."""

import pytest

from audit.models import AuditEntry
from certificates.models import Certificate, SupplementVersion

from .conftest import render

pytestmark = pytest.mark.django_db


def download_url(certificate, number=1):
    return f"/certificates/{certificate.pk}/supplements/{number}/download/"


@pytest.mark.parametrize("who", ["candidate", "administrator"])
def test_holder_and_administrators_download_with_a_meaningful_name(client, rendered, request, who):
    certificate = rendered.certificate
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-supplement-{certificate.number}-nl-en-v1.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="supplement_downloaded", actor=user).count() == 1


@pytest.mark.parametrize("who", ["other_candidate", "assessor", "outsider_assessor"])
def test_anyone_else_gets_a_404(client, rendered, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(download_url(rendered.certificate)).status_code == 404


def test_a_version_not_rendered_yet_is_a_404(client, certificate, candidate):
    client.force_login(candidate)
    assert client.get(download_url(certificate)).status_code == 404


def test_verification_shows_validity_and_the_minimum_of_personal_data(client, rendered):
    certificate = rendered.certificate
    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "This proof of professional qualification is valid." in page
    assert certificate.number in page and certificate.holder_name in page and "Contact Center operator" in page
    assert certificate.assessment.candidate.email not in page
    for private in ("Assessor", "Second", "Test centre", "download"):
        assert private not in page


def test_an_unknown_code_is_a_plain_404(client, certificate):
    assert client.get("/verify/not-a-real-code/").status_code == 404


def test_administrator_revokes_with_a_reason_and_verification_says_so(client, administrator, rendered):
    certificate = rendered.certificate
    client.force_login(administrator)
    assert client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": ""}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED  # no reason, no revocation
    client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Fraud detected in the portfolio"})
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revocation_reason == "Fraud detected in the portfolio"
    client.logout()
    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "This proof of professional qualification has been revoked." in page
    assert "Fraud" not in page
    # The record and its file stay.
    assert SupplementVersion.objects.filter(certificate=certificate, status="ready").count() == 1
    assert AuditEntry.objects.filter(action="certificate_revoked").count() == 1


def test_rerendering_adds_a_version_and_keeps_the_earlier_one(client, administrator, rendered):
    certificate = rendered.certificate
    client.force_login(administrator)
    client.post(f"/certificates/{certificate.pk}/render/", {"first_language": "fr", "second_language": "en"})
    versions = list(certificate.versions.order_by("number"))
    assert [(v.number, v.first_language, v.second_language) for v in versions] == [(1, "nl", "en"), (2, "fr", "en")]
    assert versions[0].status == SupplementVersion.Status.READY
    certificate.refresh_from_db()
    assert certificate.languages == ("fr", "en")  # the holder's pair from now on
    render(versions[1])
    assert versions[0].file.name != SupplementVersion.objects.get(pk=versions[1].pk).file.name


def test_rerendering_needs_two_different_languages(client, administrator, certificate):
    client.force_login(administrator)
    client.post(f"/certificates/{certificate.pk}/render/", {"first_language": "fr", "second_language": "fr"})
    assert certificate.versions.count() == 1


def test_a_revoked_certificate_is_not_rendered_again(client, administrator, certificate):
    client.force_login(administrator)
    client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Error"})
    client.post(f"/certificates/{certificate.pk}/render/", {"first_language": "fr", "second_language": "en"})
    assert certificate.versions.count() == 1


def test_the_page_follows_the_rendering_without_a_reload(client, candidate, certificate):
    client.force_login(candidate)
    panel_url = f"/certificates/{certificate.pk}/panel/"
    page = client.get(f"/assessments/{certificate.assessment_id}/").content.decode()
    assert f'data-poll-url="{panel_url}"' in page and "js/portal.js" in page
    assert "being prepared" in client.get(panel_url).content.decode()
    render(certificate.versions.get())
    fragment = client.get(panel_url).content.decode()
    assert "data-poll-url" not in fragment
    assert download_url(certificate) in fragment


def test_certificate_events_are_in_the_trail_of_their_assessment(client, administrator, rendered):
    certificate = rendered.certificate
    client.force_login(administrator)
    client.get(download_url(certificate))
    client.post(f"/certificates/{certificate.pk}/render/", {"first_language": "fr", "second_language": "en"})
    client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Error"})
    actions = set(AuditEntry.objects.about(certificate.assessment).values_list("action", flat=True))
    assert {"certificate_issued", "supplement_queued", "supplement_downloaded", "certificate_revoked"} <= actions


def test_a_revoked_supplement_is_no_longer_handed_to_the_holder(client, administrator, candidate, rendered):
    certificate = rendered.certificate
    client.force_login(administrator)
    client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Error"})
    assert client.get(download_url(certificate)).status_code == 200  # kept for the record
    client.force_login(candidate)
    assert client.get(download_url(certificate)).status_code == 404
    assert "no longer available" in client.get(f"/assessments/{certificate.assessment_id}/").content.decode()


def test_a_missing_file_is_a_404_and_not_a_download_in_the_trail(client, candidate, rendered):
    rendered.file.storage.delete(rendered.file.name)
    client.force_login(candidate)
    assert client.get(download_url(rendered.certificate)).status_code == 404
    assert not AuditEntry.objects.filter(action="supplement_downloaded").exists()
