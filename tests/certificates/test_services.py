"""certificates.services: issuing, revoking, queueing and rendering supplements."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from audit.models import AuditEntry
from certificates import services
from certificates.models import Certificate, SupplementVersion

from .. import factories, flows
from ..rules import breaks_rule

pytestmark = pytest.mark.django_db
Status = SupplementVersion.Status
PDF = b"%PDF-1.7 rendered"


@pytest.fixture
def certificate():
    return flows.certify(factories.AssessmentFactory()).certificate


def supplement_files() -> list[Path]:
    folder = Path(django_settings.MEDIA_ROOT) / "supplements"
    return sorted(folder.iterdir()) if folder.exists() else []


def audited(certificate, action) -> list[AuditEntry]:
    return list(AuditEntry.objects.about(certificate.assessment).filter(action=action))


# --- Issuing ------------------------------------------------------------------------------------


def test_a_certificate_is_issued_only_for_a_certified_assessment():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    with breaks_rule("not_certified"):
        services.certificate_issue(assessment=assessment)
    assert not Certificate.objects.exists()


def test_a_certificate_is_issued_only_once(certificate):
    again = services.certificate_issue(assessment=certificate.assessment)
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1 and SupplementVersion.objects.count() == 1
    assert len(audited(certificate, "certificate_issued")) == 1


def test_numbers_count_per_qualification_and_year(certificate):
    year = timezone.localdate().year
    code = certificate.assessment.qualification.code
    assert (certificate.number, certificate.year, certificate.sequence) == (f"{code}-{year}-000001", year, 1)
    same = factories.AssessmentFactory(qualification=certificate.assessment.qualification)
    assert flows.certify(same).certificate.number == f"{code}-{year}-000002"
    other = flows.certify(factories.AssessmentFactory()).certificate
    assert other.number.endswith("-000001")


def test_the_certificate_names_the_holder_and_queues_the_default_pair(certificate):
    candidate = certificate.assessment.candidate
    assert certificate.holder_name == f"{candidate.first_name} {candidate.last_name}"
    version = certificate.versions.get()
    assert (version.number, version.status, version.first_language, version.second_language) == (
        1,
        Status.QUEUED,
        "nl",
        "en",
    )


# --- Revoking -----------------------------------------------------------------------------------


def test_revoking_keeps_the_certificate_with_its_reason(certificate):
    other = flows.certify(factories.AssessmentFactory()).certificate
    administrator = factories.AdministratorFactory()
    revoked = services.certificate_revoke(certificate=certificate, actor=administrator, reason="  Fraud established.  ")
    assert (revoked.status, revoked.revocation_reason) == (Certificate.Status.REVOKED, "Fraud established.")
    assert revoked.revoked_at is not None
    entries = audited(certificate, "certificate_revoked")
    assert [(e.actor, e.data) for e in entries] == [(administrator, {"reason": "Fraud established."})]
    assert Certificate.objects.get(pk=other.pk).status == Certificate.Status.ISSUED  # only this one


def test_revoking_needs_a_reason(certificate):
    with breaks_rule("no_reason", "reason"):
        services.certificate_revoke(certificate=certificate, actor=None, reason="   ")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED


def test_a_revoked_certificate_is_revoked_only_once(certificate):
    services.certificate_revoke(certificate=certificate, actor=None, reason="First reason.")
    with breaks_rule("already_revoked"):
        services.certificate_revoke(certificate=certificate, actor=None, reason="Second reason.")
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "First reason."
    assert len(audited(certificate, "certificate_revoked")) == 1


# --- Queueing, re-rendering, retrying -------------------------------------------------------------


def test_a_revoked_certificate_is_not_rendered_again(certificate):
    services.certificate_revoke(certificate=certificate, actor=None, reason="Withdrawn.")
    with breaks_rule("revoked"):
        services.supplement_rerender(certificate=certificate, actor=None, languages=("fr", "nl"))
    assert certificate.versions.count() == 1


def test_a_supplement_has_two_different_languages(certificate):
    with breaks_rule("same_language", "languages"):
        services.supplement_rerender(certificate=certificate, actor=None, languages=("fr", "fr"))
    certificate.refresh_from_db()
    assert certificate.languages == ("nl", "en") and certificate.versions.count() == 1


def test_rerendering_adds_the_next_version_in_the_new_pair(certificate, django_capture_on_commit_callbacks):
    administrator = factories.AdministratorFactory()
    with (
        mock.patch("certificates.tasks.render_supplement.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        version = services.supplement_rerender(certificate=certificate, actor=administrator, languages=("fr", "nl"))
    entry = AuditEntry.objects.get(action="supplement_queued", data__version_id=version.pk)
    assert (entry.actor, entry.summary) == (administrator, f"{certificate.number} v2 fr/nl")
    assert (version.number, version.first_language, version.second_language) == (2, "fr", "nl")
    delay.assert_called_once_with(version.pk)
    assert Certificate.objects.get(pk=certificate.pk).languages == ("fr", "nl")
    assert SupplementVersion.objects.get(pk=version.pk).sent_at is not None


def test_a_broker_that_is_down_leaves_the_version_unsent(certificate):
    version = certificate.versions.get()
    with mock.patch("certificates.tasks.render_supplement.delay", side_effect=ConnectionRefusedError):
        assert services.send_to_worker(version.pk) is False
    assert SupplementVersion.objects.get(pk=version.pk).sent_at is None


def test_only_a_failed_rendering_is_retried(certificate):
    version = certificate.versions.get()
    with breaks_rule("not_failed"):
        services.supplement_retry(version=version, actor=None)
    SupplementVersion.objects.filter(pk=version.pk).update(status=Status.READY)
    with breaks_rule("not_failed"):
        services.supplement_retry(version=version, actor=None)
    assert SupplementVersion.objects.get(pk=version.pk).status == Status.READY


def test_a_failed_rendering_is_queued_again(certificate, django_capture_on_commit_callbacks):
    version = certificate.versions.get()
    long_ago = timezone.now() - timedelta(days=1)
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=Status.FAILED, error="OSError: disk full", queued_at=long_ago
    )
    other = SupplementVersion.objects.create(
        certificate=certificate,
        number=2,
        first_language="fr",
        second_language="nl",
        status=Status.FAILED,
        queued_at=long_ago,
    )
    administrator = factories.AdministratorFactory()
    with (
        mock.patch("certificates.tasks.render_supplement.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        retried = services.supplement_retry(version=version, actor=administrator)
    assert (retried.status, retried.error) == (Status.QUEUED, "")
    assert retried.queued_at > long_ago  # the sweep waits from now on
    delay.assert_called_once_with(version.pk)
    entry = [e for e in audited(certificate, "supplement_queued") if e.summary.endswith("retry")]
    assert [(e.actor, e.data) for e in entry] == [(administrator, {"version_id": version.pk})]
    assert SupplementVersion.objects.get(pk=other.pk).status == Status.FAILED  # only this one


# --- Rendering (the worker) -------------------------------------------------------------------------


def render(version, attempt="attempt-1", pdf=PDF, during=None):
    """Render with a stand-in renderer and sealing (their own tests cover them); ``during`` runs
    while the PDF is being made."""

    def fake_renderer(_version):
        if during:
            during()
        return pdf

    with (
        mock.patch("certificates.rendering.render_supplement_pdf", side_effect=fake_renderer),
        mock.patch("certificates.packaging.supplement_finish", side_effect=lambda _version, rendered: rendered),
    ):
        return services.supplement_render(version_id=version.pk, attempt_id=attempt)


def test_the_delivery_holding_the_claim_marks_the_render_ready(certificate):
    version = certificate.versions.get()
    assert render(version) is True
    version.refresh_from_db()
    assert (version.status, version.size, version.claimed_by, version.attempts) == (
        Status.READY,
        len(PDF),
        "attempt-1",
        1,
    )
    assert supplement_files() == [Path(version.file.path)]


def test_a_delivery_that_lost_its_claim_does_not_mark_the_render_ready(certificate):
    """Another delivery took the version over while this one rendered: its file is thrown away."""
    version = certificate.versions.get()

    def taken_over():
        SupplementVersion.objects.filter(pk=version.pk).update(claimed_by="attempt-2")

    assert render(version, during=taken_over) is False
    version.refresh_from_db()
    assert (version.status, version.file.name) == (Status.RENDERING, "")
    assert supplement_files() == []


def test_a_delivery_leaves_a_live_rendering_of_another_alone(certificate):
    version = certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=Status.RENDERING, claimed_by="other", started_at=timezone.now() - timedelta(minutes=9)
    )
    assert render(version) is False
    assert SupplementVersion.objects.get(pk=version.pk).claimed_by == "other"


def test_a_ready_supplement_is_not_rendered_again(certificate):
    version = certificate.versions.get()
    render(version)
    assert render(version, attempt="attempt-2") is False
    assert SupplementVersion.objects.get(pk=version.pk).attempts == 1


def test_a_failing_render_is_marked_failed_by_its_delivery(certificate):
    version = certificate.versions.get()
    with (
        mock.patch("certificates.rendering.render_supplement_pdf", side_effect=OSError("font missing")),
        pytest.raises(OSError),
    ):
        services.supplement_render(version_id=version.pk, attempt_id="attempt-1")
    version.refresh_from_db()
    assert (version.status, version.error) == (Status.FAILED, "OSError: font missing")


def test_opening_a_supplement_is_audited(certificate):
    version = certificate.versions.get()
    render(version)
    version.refresh_from_db()
    with services.supplement_open(actor=certificate.assessment.candidate, version=version) as handle:
        assert handle.read() == PDF
    entry = audited(certificate, "supplement_downloaded")[0]
    assert (entry.actor, entry.data) == (certificate.assessment.candidate, {"version_id": version.pk})


# --- What the sweep sends again --------------------------------------------------------------------


def test_supplements_to_resend(certificate, settings):
    """Queued and unsent past the waiting period, or rendering past the stale limit; each at most
    once per waiting period. The limits themselves are not yet over."""
    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 300
    now = timezone.now()
    wait, stale = timedelta(seconds=300), services.STALE_RENDER_AFTER
    second = timedelta(seconds=1)
    certificate.versions.all().delete()
    cases = {
        "queued, waited": {"status": Status.QUEUED, "queued_at": now - wait - second},
        "queued, exactly the wait": {"status": Status.QUEUED, "queued_at": now - wait},
        "queued, sent lately": {"status": Status.QUEUED, "queued_at": now - 2 * wait, "sent_at": now - wait},
        "queued, sent long ago": {"status": Status.QUEUED, "queued_at": now - 3 * wait, "sent_at": now - wait - second},
        "rendering, stale": {
            "status": Status.RENDERING,
            "queued_at": now - stale * 2,
            "started_at": now - stale - second,
        },
        "rendering, exactly the stale limit": {
            "status": Status.RENDERING,
            "queued_at": now - stale * 2,
            "started_at": now - stale,
        },
        "rendering, stale but sent lately": {
            "status": Status.RENDERING,
            "queued_at": now - stale * 2,
            "started_at": now - stale * 2,
            "sent_at": now - second,
        },
        "ready": {"status": Status.READY, "queued_at": now - stale * 2, "started_at": now - stale * 2},
        "failed": {"status": Status.FAILED, "queued_at": now - stale * 2, "started_at": now - stale * 2},
    }
    pks = {
        name: SupplementVersion.objects.create(
            certificate=certificate, number=number, first_language="nl", second_language="en", **fields
        ).pk
        for number, (name, fields) in enumerate(cases.items(), start=1)
    }
    with mock.patch.object(services.timezone, "now", return_value=now):
        resend = services.supplements_to_resend()
    assert sorted(resend) == sorted(
        pks[name] for name in ("queued, waited", "queued, sent long ago", "rendering, stale")
    )
