"""assessments.services.reconciliation: each assessor may revise their own disputed judgement."""

import pytest

from assessments import services
from assessments.models import Assessment, Judgement, JudgementRevision
from audit.models import AuditEntry

from ... import factories, flows
from ...rules import breaks_rule

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture
def disputed():
    """Both sheets are in; the assessors disagree on competency 2 only (the second says not proven)."""
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={2})
    assessment.refresh_from_db()
    assert assessment.status == Status.RECONCILIATION
    return assessment


def competency(assessment, order):
    return assessment.qualification.competencies.get(order=order)


def revise(assessment, assessor, order, proven, reason="We compared our observations."):
    return services.judgement_revise(
        actor=assessor,
        assessment=assessment,
        competency_id=competency(assessment, order).pk,
        proven=proven,
        reason=reason,
    )


def test_a_revision_keeps_the_reason_and_ends_the_dispute(disputed):
    revise(disputed, disputed.second_assessor, 2, True)
    revision = JudgementRevision.objects.get()
    assert (revision.proven_before, revision.proven_after, revision.reason) == (
        False,
        True,
        "We compared our observations.",
    )
    assert Assessment.objects.get(pk=disputed.pk).status == Status.CERTIFIED
    code = competency(disputed, 2).code
    entry = AuditEntry.objects.about(disputed).get(action="judgement_revised")
    assert (entry.actor, entry.summary) == (disputed.second_assessor, f"{code}: ✔")
    assert entry.data == {"competency": code, "proven": True, "reason": "We compared our observations."}
    assert AuditEntry.objects.about(disputed).get(action="decision").actor == disputed.second_assessor


def test_a_revision_changes_the_judgement_in_this_assessment_only(disputed):
    """The same assessor judged the same competency in another assessment of the qualification."""
    other = factories.AssessmentFactory(qualification=disputed.qualification, first_assessor=disputed.first_assessor)
    flows.started_and_ended(other)
    flows.judge(other, other.first_assessor)
    flows.judge(other, other.second_assessor, not_proven={2})
    for assessment in (disputed, other):
        revise(assessment, disputed.first_assessor, 2, False)
        judgement = Judgement.objects.get(
            sheet__assessment=assessment, sheet__assessor=disputed.first_assessor, competency__order=2
        )
        assert judgement.proven is False
        assert Assessment.objects.get(pk=assessment.pk).status == Status.NOT_CERTIFIED


def test_revising_to_not_proven_keeps_the_reason_as_justification(disputed):
    revise(disputed, disputed.first_assessor, 2, False, reason="  The script was not followed.  ")
    judgement = Judgement.objects.get(sheet__assessor=disputed.first_assessor, competency__order=2)
    assert (judgement.proven, judgement.justification) == (False, "The script was not followed.")
    assert Assessment.objects.get(pk=disputed.pk).status == Status.NOT_CERTIFIED


def test_a_revision_needs_a_reason(disputed):
    with breaks_rule("no_reason", "reason"):
        revise(disputed, disputed.second_assessor, 2, True, reason="   ")
    assert not JudgementRevision.objects.exists()


def test_revising_is_only_possible_in_reconciliation():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    flows.judge(assessment, assessment.first_assessor, not_proven={2})
    with breaks_rule("not_reconciliation"):
        revise(assessment, assessment.first_assessor, 2, True)
    assert not JudgementRevision.objects.exists()


def test_only_an_assessor_of_the_assessment_revises(disputed):
    with breaks_rule("not_own_judgement"):
        revise(disputed, factories.AssessorFactory(), 2, True)


def test_a_competency_of_another_qualification_is_not_revised(disputed):
    foreign = factories.QualificationFactory().competencies.first()
    with breaks_rule("not_own_judgement"):
        services.judgement_revise(
            actor=disputed.first_assessor,
            assessment=disputed,
            competency_id=foreign.pk,
            proven=False,
            reason="Wrong page.",
        )


def test_a_competency_both_agree_on_is_final(disputed):
    with breaks_rule("agreed"):
        revise(disputed, disputed.first_assessor, 1, False)
    assert Judgement.objects.get(sheet__assessor=disputed.first_assessor, competency__order=1).proven is True


def test_a_revision_must_change_the_judgement(disputed):
    with breaks_rule("unchanged", "proven"):
        revise(disputed, disputed.second_assessor, 2, False)
    assert not JudgementRevision.objects.exists()


def test_the_decision_waits_while_another_competency_is_disputed():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={1, 2})
    revise(assessment, assessment.second_assessor, 2, True)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.RECONCILIATION
