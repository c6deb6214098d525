"""Item 2 of the outcomes: re-assessment of the remaining competencies, as a chain."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from assessments import services
from assessments.models import Assessment, CarriedOver, Judgement
from audit.models import AuditEntry
from certificates import services as certificates
from certificates.models import Certificate

from .. import factories, flows
from ..certificates.conftest import render
from ..rules import breaks_rule
from .conftest import reassess

pytestmark = pytest.mark.django_db


def test_reassessment_carries_over_what_was_proven(nine_of_ten, administrator):
    follow_up = reassess(nine_of_ten, administrator)
    assert follow_up.previous == nine_of_ten
    assert sorted(c.competency.order for c in follow_up.carried_over.all()) == list(range(1, 10))
    assert (
        AuditEntry.objects.about(follow_up).get(action="reassessment_scheduled").data["previous_id"] == nine_of_ten.pk
    )
    flows.start(follow_up)
    judged = Judgement.objects.filter(sheet__assessment=follow_up).values_list("competency__order", flat=True)
    assert sorted(set(judged)) == [10]


def test_proving_the_rest_certifies_the_chain_with_one_certificate(nine_of_ten, administrator, qualification):
    follow_up = flows.decide(reassess(nine_of_ten, administrator))
    assert follow_up.status == "certified"
    certificate = follow_up.certificate
    assert certificate.kind == Certificate.Kind.CERTIFICATE
    assert Certificate.objects.filter(kind="certificate").count() == 1
    assert nine_of_ten.certificate.kind == "statement" and not nine_of_ten.certificate.is_revoked
    decision = AuditEntry.objects.about(follow_up).get(action="decision")
    assert len(decision.data["carried_over"]) == 9 and decision.data["proven"] == [
        qualification.competencies.get(order=10).code
    ]


def test_the_supplement_names_both_assessment_dates(nine_of_ten, administrator):
    Assessment.objects.filter(pk=nine_of_ten.pk).update(started_at=timezone.now() - timedelta(days=30))
    follow_up = flows.decide(reassess(nine_of_ten, administrator))
    version = render(follow_up.certificate.versions.get())
    text = " ".join(page.extract_text() for page in PdfReader(version.file.path).pages)
    first = timezone.localtime(timezone.now() - timedelta(days=30))
    assert "Datums van de assessments" in text or "Dates of the assessments" in text
    assert f"{first.day} " in text and str(first.year) in text
    assert follow_up.started_at is not None


def test_failing_the_rest_again_issues_a_statement_of_the_whole_chain(nine_of_ten, administrator):
    follow_up = flows.decide(reassess(nine_of_ten, administrator), not_proven={10})
    assert follow_up.status == "not_certified"
    assert follow_up.certificate.kind == "statement"
    assert follow_up.certificate.competencies.count() == 9


def test_a_candidate_who_holds_the_certificate_is_not_reassessed(nine_of_ten, administrator, qualification):
    flows.certify(factories.AssessmentFactory(qualification=qualification, candidate=nine_of_ten.candidate))
    with breaks_rule("already_certified", "candidate"):
        reassess(nine_of_ten, administrator)
    assert not Assessment.objects.filter(previous=nine_of_ten).exists()


def test_only_a_not_certified_decision_is_followed_and_only_once(assessment, nine_of_ten, administrator):
    reassess(nine_of_ten, administrator)
    with pytest.raises(ValidationError) as error:
        reassess(nine_of_ten, administrator)
    assert error.value.code == "already_followed"
    fresh = factories.AssessmentFactory(qualification=nine_of_ten.qualification)
    with pytest.raises(ValidationError) as error:
        reassess(fresh, administrator)
    assert error.value.code == "not_followable"


def test_a_reassessment_place_with_control_characters_is_refused(nine_of_ten, administrator):
    with breaks_rule("control_characters", "location"):
        services.reassessment_schedule(
            actor=administrator,
            previous=nine_of_ten,
            first_assessor=nine_of_ten.first_assessor,
            second_assessor=nine_of_ten.second_assessor,
            scheduled_at=timezone.now() + timedelta(hours=1),
            location="Room 2\r\nATTENDEE:mailto:x@attacker.example",
        )
    assert not Assessment.objects.filter(previous=nine_of_ten).exists()


def test_a_chain_never_issues_two_certificates(nine_of_ten, administrator):
    follow_up = flows.decide(reassess(nine_of_ten, administrator))
    assert follow_up.certificate.kind == "certificate"
    # A later link that claims to be certified too (as a faulty migration might leave it) gets none.
    later = factories.AssessmentFactory(
        qualification=nine_of_ten.qualification, candidate=nine_of_ten.candidate, previous=follow_up, status="certified"
    )
    with pytest.raises(ValidationError) as error:
        certificates.certificate_issue(assessment=later)
    assert error.value.code == "chain_certified"
    assert Certificate.objects.filter(kind="certificate").count() == 1


def test_the_validity_period_limits_what_is_carried_over(nine_of_ten, administrator, settings):
    settings.CARRIED_OVER_VALIDITY_DAYS = 30
    Assessment.objects.filter(pk=nine_of_ten.pk).update(decided_at=timezone.now() - timedelta(days=31))
    follow_up = reassess(nine_of_ten, administrator)
    assert not follow_up.carried_over.exists()
    settings.CARRIED_OVER_VALIDITY_DAYS = None
    assert settings.CARRIED_OVER_VALIDITY_DAYS is None  # the default: carried over for good


def test_a_carried_over_competency_posted_in_a_score_sheet_is_refused(client, nine_of_ten, administrator):
    follow_up = reassess(nine_of_ten, administrator)
    flows.started_and_ended(follow_up)
    carried = CarriedOver.objects.filter(assessment=follow_up).first().competency
    remaining = follow_up.qualification.competencies.get(order=10)
    client.force_login(follow_up.first_assessor)
    response = client.post(
        f"/assessments/{follow_up.pk}/score-sheet/",
        {
            f"c{remaining.pk}-proven": "yes",
            f"c{carried.pk}-proven": "no",
            f"c{carried.pk}-justification": "again",
        },
    )
    assert response.status_code == 200
    assert "carried over from an earlier assessment is not judged again" in response.content.decode()
    sheet = flows.sheet_of(follow_up, follow_up.first_assessor)
    assert sheet.judgements.get().proven is None  # nothing changed
    with pytest.raises(ValidationError) as error:
        services.score_sheet_save(
            actor=follow_up.first_assessor,
            sheet=sheet,
            entries=[services.JudgementEntry(competency_id=carried.pk, proven=False, justification="x")],
        )
    assert error.value.code == "carried_over"


def test_score_sheet_shows_carried_over_competencies_read_only_with_a_link(client, nine_of_ten, administrator):
    follow_up = reassess(nine_of_ten, administrator)
    flows.start(follow_up)
    client.force_login(follow_up.first_assessor)
    page = client.get(f"/assessments/{follow_up.pk}/score-sheet/").content.decode()
    assert "Carried over from an earlier assessment" in page
    assert f'href="/assessments/{nine_of_ten.pk}/"' in page
    assert (
        page.count('name="c') and f'name="c{follow_up.qualification.competencies.get(order=1).pk}-proven"' not in page
    )


def test_administrator_schedules_a_reassessment_through_the_page(client, nine_of_ten, administrator):
    client.force_login(administrator)
    page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
    assert f"/assessments/{nine_of_ten.pk}/reassess/" in page
    response = client.post(
        f"/assessments/{nine_of_ten.pk}/reassess/",
        {
            "first_assessor": nine_of_ten.first_assessor.email,
            "second_assessor": nine_of_ten.second_assessor.email,
            "scheduled_at": "2030-01-10T09:00",
            "location": "Room 3",
        },
    )
    follow_up = Assessment.objects.get(previous=nine_of_ten)
    assert response.status_code == 302 and response.url == f"/assessments/{follow_up.pk}/"


def test_reassessment_page_refuses_a_certified_candidate_with_a_message(
    client, nine_of_ten, administrator, qualification
):
    flows.certify(factories.AssessmentFactory(qualification=qualification, candidate=nine_of_ten.candidate))
    client.force_login(administrator)
    response = client.post(
        f"/assessments/{nine_of_ten.pk}/reassess/",
        {
            "first_assessor": nine_of_ten.first_assessor.email,
            "second_assessor": nine_of_ten.second_assessor.email,
            "scheduled_at": "2030-01-10T09:00",
        },
    )
    assert response.status_code == 200
    assert "already holds a proof of professional qualification" in response.content.decode()
    assert not Assessment.objects.filter(previous=nine_of_ten).exists()


@pytest.mark.parametrize("role", ["candidate", "assessor"])
def test_only_administrators_schedule_reassessments(client, nine_of_ten, role, candidate, assessor):
    client.force_login({"candidate": candidate, "assessor": assessor}[role])
    assert client.get(f"/assessments/{nine_of_ten.pk}/reassess/").status_code == 404


def test_a_reassessment_is_not_scheduled_in_the_past(nine_of_ten, administrator):
    with breaks_rule("in_the_past", "scheduled_at"):
        services.reassessment_schedule(
            actor=administrator,
            previous=nine_of_ten,
            first_assessor=nine_of_ten.first_assessor,
            second_assessor=nine_of_ten.second_assessor,
            scheduled_at=timezone.now() - timedelta(days=1),
        )
    assert not Assessment.objects.filter(previous=nine_of_ten).exists()


def test_a_reassessment_replaces_the_decided_assessment(nine_of_ten, administrator):
    assert reassess(nine_of_ten, administrator).status == Assessment.Status.REGISTERED


def test_no_reassessment_while_another_assessment_of_the_qualification_is_open(nine_of_ten, administrator):
    services.assessment_create(
        created_by=administrator,
        candidate=nine_of_ten.candidate,
        qualification=nine_of_ten.qualification,
        first_assessor=factories.AssessorFactory(),
        second_assessor=factories.AssessorFactory(),
        scheduled_at=timezone.now() + timedelta(days=2),
    )
    with breaks_rule("assessment_open", "candidate"):
        reassess(nine_of_ten, administrator)
    assert not Assessment.objects.filter(previous=nine_of_ten).exists()


def test_the_reassessment_button_is_not_offered_to_a_certified_candidate(
    client, nine_of_ten, administrator, qualification
):
    client.force_login(administrator)
    button = f"/assessments/{nine_of_ten.pk}/reassess/"
    assert button in client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
    flows.certify(factories.AssessmentFactory(qualification=qualification, candidate=nine_of_ten.candidate))
    assert button not in client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
