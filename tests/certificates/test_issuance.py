"""Rule 6: certification issues exactly one certificate and queues its supplement on commit."""

import re
import threading
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Assessment
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


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_certifications_give_one_certificate(qualification):
    assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def issue():
        try:
            barrier.wait(timeout=5)
            results.append(services.certificate_issue(assessment=Assessment.objects.get(pk=assessment.pk)).pk)
        except Exception as error:  # noqa: BLE001 -- collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(set(results)) == 1
    assert Certificate.objects.filter(assessment=assessment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_both_last_submissions_at_once_give_one_decision_and_one_certificate(qualification):
    assessment = flows.started_and_ended(factories.AssessmentFactory(qualification=qualification))
    errors = []
    barrier = threading.Barrier(2)

    def submit(assessor):
        try:
            barrier.wait(timeout=5)
            flows.judge(Assessment.objects.get(pk=assessment.pk), assessor)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a,)) for a in (assessment.first_assessor, assessment.second_assessor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CERTIFIED
    assert Certificate.objects.count() == 1 and SupplementVersion.objects.count() == 1
