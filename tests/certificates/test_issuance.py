"""Rule 6: certification issues exactly one certificate and queues its supplement on commit."""

import contextlib
import re
import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.selectors import competency_pairs
from audit.models import AuditEntry
from certificates import services
from certificates.models import Certificate, SupplementVersion

from .. import factories, flows

pytestmark = pytest.mark.django_db


def test_certification_issues_one_certificate_with_number_code_and_date(certificate):
    year = timezone.localdate().year
    assert certificate.number == f"0213-{year}-000001"
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", certificate.verification_code)
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.holder_name == "Chris Candidate"
    version = certificate.versions.get()
    assert (version.number, version.status) == (1, SupplementVersion.Status.QUEUED)
    assert (version.first_language, version.second_language) == ("nl", "en")
    assert certificate.languages == ("nl", "en")


def test_the_default_language_pair_comes_from_the_settings(assessment, settings):
    settings.SUPPLEMENT_DEFAULT_LANGUAGES = ("fr", "nl")
    certificate = flows.certify(assessment).certificate
    assert certificate.languages == ("fr", "nl")
    assert (certificate.versions.get().first_language, certificate.versions.get().second_language) == ("fr", "nl")


def test_numbers_follow_each_other(certificate, qualification):
    second = flows.certify(factories.AssessmentFactory(qualification=qualification))
    assert second.certificate.number.endswith("-000002")


def test_issuing_again_returns_the_same_certificate(certified):
    again = services.certificate_issue(assessment=certified)
    assert again == certified.certificate
    assert Certificate.objects.count() == 1 and SupplementVersion.objects.count() == 1


def test_a_not_certified_assessment_gets_no_certificate(assessment):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor, not_proven={1})
    flows.judge(assessment, assessment.second_assessor, not_proven={1})
    with pytest.raises(Exception, match="Only a certified"):
        services.certificate_issue(assessment=assessment)
    assert not Certificate.objects.filter(kind=Certificate.Kind.CERTIFICATE).exists()


def test_the_rendering_is_queued_after_commit(assessment, django_capture_on_commit_callbacks):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    with mock.patch("certificates.tasks.render_supplement.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            flows.judge(assessment, assessment.second_assessor)
        delay.assert_not_called()  # nothing is sent before the transaction commits
        for callback in callbacks:
            callback()
    version = SupplementVersion.objects.get()
    delay.assert_called_once_with(version.pk)


def test_a_broker_that_is_down_loses_nothing(assessment, django_capture_on_commit_callbacks, settings):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    with (
        mock.patch("certificates.tasks.render_supplement.delay", side_effect=ConnectionRefusedError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        flows.judge(assessment, assessment.second_assessor)
    certificate = Certificate.objects.get()
    assert certificate.versions.get().status == SupplementVersion.Status.QUEUED
    # Once the broker is back, the periodic sweep sends it.
    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 0
    from certificates.tasks import queue_pending_supplements

    with mock.patch("certificates.tasks.render_supplement.delay") as delay:
        assert queue_pending_supplements() == 1
    delay.assert_called_once_with(certificate.versions.get().pk)


def at_once(*steps) -> list[Exception | None]:
    """Run the steps in threads released together by a barrier; each step's error, or None."""
    barrier = threading.Barrier(len(steps))
    outcomes: list[Exception | None] = [None] * len(steps)

    def run(index, step):
        try:
            barrier.wait(timeout=10)
            step()
        except Exception as error:  # noqa: BLE001 -- collected and asserted by the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, step)) for index, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def one_decision_and_one_certificate(assessment) -> None:
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CERTIFIED
    assert AuditEntry.objects.about(assessment).filter(action="decision").count() == 1
    assert Certificate.objects.filter(assessment=assessment).count() == 1
    assert SupplementVersion.objects.filter(certificate__assessment=assessment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_sheet_submitted_twice_at_once_gives_one_certificate(qualification):
    """A double-clicked last submission: both requests race to decide and issue."""
    assessment = flows.started_and_ended(factories.AssessmentFactory(qualification=qualification))
    flows.judge(assessment, assessment.first_assessor)
    assert not Certificate.objects.exists()

    def submit_last():
        flows.judge(Assessment.objects.get(pk=assessment.pk), assessment.second_assessor)

    outcomes = at_once(submit_last, submit_last)
    refused = [error for error in outcomes if error is not None]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError) and refused[0].code in {"locked", "changed"}
    one_decision_and_one_certificate(assessment)


@pytest.mark.django_db(transaction=True)
def test_the_last_two_revisions_at_once_give_one_decision_and_one_certificate(qualification):
    """Two disputed competencies revised at the same moment: whichever commits second must see the
    first and decide; without the lock each sees the other's dispute still open and nobody decides."""
    assessment = flows.started_and_ended(factories.AssessmentFactory(qualification=qualification))
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={2, 3})
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.RECONCILIATION

    def revise(order):
        return lambda: assessment_services.judgement_revise(
            actor=assessment.second_assessor,
            assessment=Assessment.objects.get(pk=assessment.pk),
            competency_id=qualification.competencies.get(order=order).pk,
            proven=True,
            reason="Seen on video.",
        )

    # Both revisions are written before either reads the sheets, unless a lock keeps the second
    # out: then the first waits in vain for a second and goes on alone.
    both_written = threading.Barrier(2)

    def read_when_both_are_written(assessment):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_written.wait(timeout=1)
        return competency_pairs(assessment)

    with mock.patch("assessments.services.decision.competency_pairs", side_effect=read_when_both_are_written):
        assert at_once(revise(2), revise(3)) == [None, None]
    one_decision_and_one_certificate(assessment)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_issuances_give_one_certificate(qualification):
    """Certified, but the certificate not yet issued: two calls race to issue it."""
    assessment = factories.AssessmentFactory(qualification=qualification)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CERTIFIED)
    issued = []

    def issue():
        issued.append(services.certificate_issue(assessment=Assessment.objects.get(pk=assessment.pk)).pk)

    assert at_once(issue, issue) == [None, None]
    assert len(issued) == 2 and len(set(issued)) == 1
    assert Certificate.objects.filter(assessment=assessment).count() == 1
    assert SupplementVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_both_last_submissions_at_once_give_one_decision_and_one_certificate(qualification):
    assessment = flows.started_and_ended(factories.AssessmentFactory(qualification=qualification))

    def submit(assessor):
        return lambda: flows.judge(Assessment.objects.get(pk=assessment.pk), assessor)

    assert at_once(submit(assessment.first_assessor), submit(assessment.second_assessor)) == [None, None]
    one_decision_and_one_certificate(assessment)
