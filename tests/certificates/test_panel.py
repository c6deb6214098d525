"""The certificate box: every ready version for the candidate, and a slow worker made visible."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from certificates import services
from certificates.models import SupplementVersion
from certificates.selectors import certificate_panel

from .. import samples

pytestmark = pytest.mark.django_db


def ready(version: SupplementVersion) -> SupplementVersion:
    """The version as the worker leaves it: both documents stored, ready."""
    version.status, version.rendered_at = SupplementVersion.Status.READY, timezone.now()
    version.proof_sha256, version.proof_size = "0" * 64, len(samples.MINIMAL_PDF)
    version.proof_file.save(f"proof-v{version.number}.pdf", ContentFile(samples.MINIMAL_PDF), save=False)
    version.file.save(f"v{version.number}.pdf", ContentFile(samples.MINIMAL_PDF))
    return version


def rerender(certificate, administrator, languages) -> SupplementVersion:
    return services.supplement_rerender(certificate=certificate, actor=administrator, languages=languages)


def candidate_box(client, certified) -> str:
    client.force_login(certified.candidate)
    return client.get(f"/certificates/{certified.certificate.pk}/panel/").content.decode()


def test_the_candidate_keeps_every_ready_version_of_each_language_pair(client, certified, administrator):
    certificate = certified.certificate
    ready(certificate.versions.get())
    ready(rerender(certificate, administrator, ("fr", "en")))
    ready(rerender(certificate, administrator, ("nl", "en")))
    failed = rerender(certificate, administrator, ("nl", "fr"))
    SupplementVersion.objects.filter(pk=failed.pk).update(status=SupplementVersion.Status.FAILED)
    pairs = certificate_panel(certified, certified.candidate).ready_by_languages
    assert [(p.first_language, p.second_language, [v.number for v in p.versions]) for p in pairs] == [
        ("nl", "en", [3, 1]),
        ("fr", "en", [2]),
    ]
    box = candidate_box(client, certified)
    for number in (1, 2, 3):
        for document in ("download/", "proof/", "documents.zip"):
            assert f"/certificates/{certificate.pk}/supplements/{number}/{document}" in box
    assert "/supplements/4/" not in box
    assert client.get(f"/certificates/{certificate.pk}/supplements/1/download/").status_code == 200


def test_the_candidate_sees_a_spinner_only_while_no_version_is_ready(client, certified, administrator):
    certificate = certified.certificate
    assert "spinner-border" in candidate_box(client, certified)  # the first version is queued
    ready(certificate.versions.get())
    rerender(certificate, administrator, ("fr", "en"))
    box = candidate_box(client, certified)
    assert "spinner-border" not in box
    assert f"/certificates/{certificate.pk}/supplements/1/download/" in box
    assert "A new version of your supplement is being prepared" in box
    assert "data-poll-url" in box  # still follows the new version


def admin_box(client, certified, administrator) -> str:
    client.force_login(administrator)
    return client.get(f"/certificates/{certified.certificate.pk}/panel/").content.decode()


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (SupplementVersion.Status.QUEUED, "has been waiting in the queue for 12"),
        (SupplementVersion.Status.RENDERING, "has been rendering for 12"),
    ],
)
def test_the_administrator_is_told_when_a_supplement_waits_longer_than_expected(
    client, certified, administrator, settings, status, says
):
    settings.SUPPLEMENT_EXPECTED_SECONDS = 300
    version = certified.certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=status, queued_at=timezone.now() - timedelta(seconds=290)
    )
    assert "longer than expected" not in admin_box(client, certified, administrator)
    SupplementVersion.objects.filter(pk=version.pk).update(queued_at=timezone.now() - timedelta(minutes=12))
    box = admin_box(client, certified, administrator)
    assert "supplement-overdue" in box
    assert f"Version 1 (NL/EN) {says}" in box
    assert "longer than expected" not in candidate_box(client, certified)


def test_a_ready_or_failed_version_is_never_overdue(client, certified, administrator):
    version = certified.certificate.versions.get()
    long_ago = timezone.now() - timedelta(hours=2)
    for status in (SupplementVersion.Status.READY, SupplementVersion.Status.FAILED):
        SupplementVersion.objects.filter(pk=version.pk).update(status=status, queued_at=long_ago)
        assert "longer than expected" not in admin_box(client, certified, administrator)


def test_the_candidate_downloads_the_credential_as_json_and_as_jwt_from_the_box(client, certified):
    from certificates.credentials.issuing import credential_issue

    certificate = certified.certificate
    ready(certificate.versions.get())
    credential_issue(certificate=certificate, languages=("nl", "en"))
    box = candidate_box(client, certified)
    for extension in ("json", "jwt"):
        assert f'href="/certificates/{certificate.pk}/credential.{extension}"' in box
        assert client.get(f"/certificates/{certificate.pk}/credential.{extension}").status_code == 200
