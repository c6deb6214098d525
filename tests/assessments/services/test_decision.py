"""assessments.services.decision: computed from the judgements, over the whole standard."""

import pytest
from django.db import transaction

from assessments import services
from assessments.models import Assessment
from assessments.selectors import competency_pairs
from audit.models import AuditEntry
from certificates.models import Certificate

from ... import factories, flows
from ...rules import breaks_rule

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture
def disputed():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={3})
    assessment.refresh_from_db()
    return assessment


def decide(assessment, pairs):
    with transaction.atomic():
        services.assessment_decide(actor=assessment.first_assessor, assessment=assessment, pairs=pairs)


def test_every_competency_proven_by_both_certifies_and_issues_the_certificate():
    assessment = flows.certify(factories.AssessmentFactory())
    assert assessment.status == Status.CERTIFIED and assessment.decided_at is not None
    assert Certificate.objects.get().assessment == assessment
    entry = AuditEntry.objects.about(assessment).get(action="decision")
    assert (entry.summary, entry.data["not_proven"]) == (Status.CERTIFIED, [])
    assert len(entry.data["proven"]) == 3


def test_one_competency_not_proven_by_both_is_not_certified():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    flows.judge(assessment, assessment.first_assessor, not_proven={2})
    flows.judge(assessment, assessment.second_assessor, not_proven={2})
    assessment.refresh_from_db()
    assert assessment.status == Status.NOT_CERTIFIED and assessment.decided_at is not None
    # Not the qualification: what was proven gets a statement of its own.
    assert not Certificate.objects.filter(kind=Certificate.Kind.CERTIFICATE).exists()
    assert Certificate.objects.get().kind == Certificate.Kind.STATEMENT
    entry = AuditEntry.objects.about(assessment).get(action="decision")
    assert entry.data["not_proven"] == [assessment.qualification.competencies.get(order=2).code]


def test_no_decision_while_the_assessors_disagree(disputed):
    with breaks_rule("disputed"):
        decide(disputed, competency_pairs(disputed))
    assert Assessment.objects.get(pk=disputed.pk).status == Status.RECONCILIATION


def test_the_decision_covers_the_whole_standard(disputed):
    """Judgements of only part of the standard decide nothing, even when they all agree."""
    agreed = [pair for pair in competency_pairs(disputed) if pair.agreed]
    assert len(agreed) == 2
    with breaks_rule("incomplete_standard"):
        decide(disputed, agreed)
    assert Assessment.objects.get(pk=disputed.pk).status == Status.RECONCILIATION
    assert not Certificate.objects.exists()


def test_a_qualification_without_competencies_certifies_nobody():
    assessment = factories.AssessmentFactory(qualification=factories.QualificationFactory(competencies=(0, 0)))
    flows.start(assessment)
    with breaks_rule("incomplete_standard"):
        decide(assessment, [])
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SCORING
