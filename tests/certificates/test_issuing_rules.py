"""Who a certificate is issued to and by whom: a named holder, never an e-mail address, and a
configured issuing centre."""

from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from assessments import services as assessment_services
from assessments.models import Assessment, ScoreSheet
from certificates.models import Certificate, IssuingCentre

from .. import factories, flows
from ..rules import error_codes

pytestmark = pytest.mark.django_db


def test_the_holder_name_is_first_and_last_name():
    candidate = User(email="chris@example.org", first_name=" Chris ", last_name="Candidate")
    assert account_services.candidate_full_name(candidate) == "Chris Candidate"


@pytest.mark.parametrize("first,last", [("", ""), ("Chris", ""), ("", "Candidate"), ("  ", "Candidate")])
def test_an_account_without_a_first_and_last_name_cannot_hold_a_certificate(first, last):
    with pytest.raises(ValidationError) as error:
        account_services.candidate_full_name(User(email="chris@example.org", first_name=first, last_name=last))
    assert error.value.code == "holder_name_missing"
    assert "chris@example.org" not in str(error.value)


def test_the_last_submission_for_a_nameless_candidate_is_refused_and_nothing_is_lost(assessment):
    """The decision and the certificate commit together: refused issuing undoes the submission,
    and the assessor sees why, rather than a decision without its certificate."""
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    User.objects.filter(pk=assessment.candidate_id).update(first_name="", last_name="")
    with pytest.raises(ValidationError) as error:
        flows.judge(assessment, assessment.second_assessor)
    assert error.value.code == "holder_name_missing"
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCORING and assessment.decided_at is None
    assert flows.sheet_of(assessment, assessment.second_assessor).status == ScoreSheet.Status.DRAFT
    assert not Certificate.objects.exists()
    # Once an administrator adds the name, the same submission certifies.
    User.objects.filter(pk=assessment.candidate_id).update(first_name="Chris", last_name="Candidate")
    flows.judge(assessment, assessment.second_assessor)
    assert Certificate.objects.get().holder_name == "Chris Candidate"


def test_no_certificate_is_issued_without_an_issuing_centre(assessment):
    IssuingCentre.objects.all().delete()
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    with pytest.raises(ValidationError) as error:
        flows.judge(assessment, assessment.second_assessor)
    assert error.value.code == "issuing_centre_missing"
    assert not Certificate.objects.exists()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCORING


def test_a_certificate_keeps_the_centre_that_issued_it(assessment, issuing_centre):
    certificate = flows.certify(assessment).certificate
    assert certificate.issuing_centre == issuing_centre
    IssuingCentre.objects.filter(pk=issuing_centre.pk).update(is_current=False)
    successor = factories.IssuingCentreFactory(name="Nieuw testcentrum", recognition_number="TC-2")
    assert IssuingCentre.objects.current() == successor
    certificate.refresh_from_db()
    assert certificate.issuing_centre == issuing_centre


def test_only_one_centre_issues_new_certificates(issuing_centre):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.IssuingCentreFactory(name="Second centre")


def test_scheduling_an_assessment_for_a_nameless_candidate_is_refused(
    administrator, qualification, assessor, second_assessor
):
    nameless = factories.CandidateFactory(first_name="", last_name="")
    with pytest.raises(ValidationError) as error:
        assessment_services.assessment_create(
            created_by=administrator,
            candidate=nameless,
            qualification=qualification,
            first_assessor=assessor,
            second_assessor=second_assessor,
            scheduled_at=timezone.now() + timedelta(hours=1),
        )
    # Every refusal of the row together (an import lists them all): this one is about no field.
    assert "holder_name_missing" in error_codes(error.value)[NON_FIELD_ERRORS]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("first,last", [("", "Nieuw"), ("Nora", " ")])
def test_a_candidate_account_needs_a_first_and_last_name(administrator, first, last):
    with pytest.raises(ValidationError) as error:
        account_services.account_create(
            created_by=administrator,
            email="nora@example.org",
            first_name=first,
            last_name=last,
            role=User.Role.CANDIDATE,
        )
    assert "holder_name_missing" in error_codes(error.value)[NON_FIELD_ERRORS]
    assert not User.objects.filter(email="nora@example.org").exists()


def test_the_demo_centre_is_made_only_for_the_demo(settings):
    from django.core.management import CommandError, call_command

    IssuingCentre.objects.all().delete()
    settings.PORTAL_DEMO = False
    with pytest.raises(CommandError):
        call_command("create_demo_issuing_centre")
    settings.PORTAL_DEMO = True
    call_command("create_demo_issuing_centre")
    call_command("create_demo_issuing_centre")
    assert IssuingCentre.objects.get().recognition_number == "DEMO-0000"


def test_the_assessor_is_told_why_the_last_submission_is_refused(client, assessment):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    User.objects.filter(pk=assessment.candidate_id).update(last_name="")
    client.force_login(assessment.second_assessor)
    data = {"submit": ""}
    for competency in assessment.qualification.competencies.all():
        data[f"c{competency.pk}-proven"] = "yes"
    response = client.post(f"/assessments/{assessment.pk}/score-sheet/", data)
    assert response.status_code == 200
    assert "needs a first and a last name" in response.content.decode()
    assert not Certificate.objects.exists()
