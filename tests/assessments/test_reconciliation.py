"""Rules 4 and 5: reconciliation of disagreements, and the computed decision."""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import Assessment, Judgement, JudgementRevision
from audit.models import AuditEntry
from certificates.models import Certificate

from .. import flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(assessment):
    return flows.started_and_ended(assessment)


def judgement(assessment, assessor, order) -> Judgement:
    return Judgement.objects.get(sheet__assessment=assessment, sheet__assessor=assessor, competency__order=order)


def revise(assessment, assessor, order, proven, reason="We discussed the observation."):
    return services.judgement_revise(actor=assessor, assessment=assessment,
                                     competency_id=judgement(assessment, assessor, order).competency_id,
                                     proven=proven, reason=reason)


def status(assessment) -> str:
    assessment.refresh_from_db()
    return assessment.status


def test_agreement_on_everything_proven_certifies_at_once(ended):
    flows.judge(ended, ended.first_assessor)
    assert status(ended) == Assessment.Status.SCORING
    flows.judge(ended, ended.second_assessor)
    assert status(ended) == Assessment.Status.CERTIFIED
    assert ended.decided_at is not None
    assert Certificate.objects.filter(assessment=ended).count() == 1


def test_agreement_with_a_competency_not_proven_is_not_certified(ended):
    flows.judge(ended, ended.first_assessor, not_proven={7})
    flows.judge(ended, ended.second_assessor, not_proven={7})
    assert status(ended) == Assessment.Status.NOT_CERTIFIED
    assert Certificate.objects.get().kind == Certificate.Kind.STATEMENT  # of the nine proven
    decision = AuditEntry.objects.get(action="decision")
    assert decision.data["not_proven"] == ["D140801 Id17267"]
    assert len(decision.data["proven"]) == 9


def test_a_disagreement_blocks_the_decision(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    assert status(ended) == Assessment.Status.RECONCILIATION
    assert ended.decided_at is None
    assert not Certificate.objects.exists()


def test_revising_to_agreement_decides(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    revise(ended, ended.second_assessor, 3, True)
    assert status(ended) == Assessment.Status.RECONCILIATION  # competency 8 still disputed
    revise(ended, ended.first_assessor, 8, False, reason="Indeed, multitasking was not shown.")
    assert status(ended) == Assessment.Status.NOT_CERTIFIED
    assert JudgementRevision.objects.count() == 2
    revision = JudgementRevision.objects.get(judgement__competency__order=8)
    assert (revision.proven_before, revision.proven_after) == (True, False)
    assert AuditEntry.objects.filter(action="judgement_revised").count() == 2


def test_revision_needs_a_reason(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    with pytest.raises(ValidationError, match="reason"):
        revise(ended, ended.second_assessor, 3, True, reason="   ")
    assert not JudgementRevision.objects.exists()


def test_an_agreed_competency_is_final(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    with pytest.raises(ValidationError, match="final"):
        revise(ended, ended.first_assessor, 1, False)


def test_an_assessor_revises_only_their_own_judgement(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    with pytest.raises(ValidationError, match="already your judgement"):
        revise(ended, ended.first_assessor, 3, proven=True)
    assert not judgement(ended, ended.second_assessor, 3).proven


def test_an_assessor_of_another_assessment_revises_nothing(ended, outsider_assessor):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    competency_id = judgement(ended, ended.second_assessor, 3).competency_id
    with pytest.raises(ValidationError, match="own judgement") as refused:
        services.judgement_revise(actor=outsider_assessor, assessment=ended, competency_id=competency_id,
                                  proven=True, reason="x")
    assert refused.value.code == "not_own_judgement"
    assert not judgement(ended, ended.second_assessor, 3).proven


def test_both_see_both_judgements_and_justifications(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3}, justification="Did not check conditions of sale")
    for assessor in (ended.first_assessor, ended.second_assessor):
        client.force_login(assessor)
        page = client.get(f"/assessments/{ended.pk}/reconciliation/").content.decode()
        assert "Did not check conditions of sale" in page
        assert "Disagreement" in page
        assert page.count('action="/assessments/') == 1  # one revision form: the disputed competency


def test_revision_through_the_page(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    competency = ended.qualification.competencies.get(order=3)
    client.force_login(ended.second_assessor)
    response = client.post(f"/assessments/{ended.pk}/reconciliation/{competency.pk}/revise/", {
        f"r{competency.pk}-proven": "yes", f"r{competency.pk}-reason": "The portfolio shows it.",
    })
    assert response.status_code == 302
    assert status(ended) == Assessment.Status.CERTIFIED


def test_the_candidate_sees_which_competencies_were_proven(client, ended):
    flows.judge(ended, ended.first_assessor, not_proven={2}, justification="No script was applied.")
    flows.judge(ended, ended.second_assessor, not_proven={2})
    client.force_login(ended.candidate)
    page = client.get(f"/assessments/{ended.pk}/").content.decode()
    assert "not certified" in page
    assert page.count("✔") == 9 and page.count("✘") == 1
    assert "No script was applied." in page


def test_the_decision_is_never_typed(client, administrator, ended):
    """There is no way to post a decision: only the judgements decide."""
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    client.force_login(administrator)
    client.post(f"/admin/assessments/assessment/{ended.pk}/change/", {"status": "certified"})
    assert status(ended) == Assessment.Status.RECONCILIATION


def test_no_decision_when_the_sheets_miss_a_competency_of_the_qualification(ended):
    """Rule 5: every competency of the qualification, not only the judged ones."""
    flows.judge(ended, ended.first_assessor)
    Judgement.objects.filter(sheet__assessor=ended.second_assessor, competency__order=10).delete()
    entries = [services.JudgementEntry(competency_id=c.pk, proven=True)
               for c in ended.qualification.competencies.exclude(order=10)]
    with pytest.raises(ValidationError, match="do not cover"):
        services.score_sheet_save(actor=ended.second_assessor, entries=entries, submit=True,
                                  sheet=flows.sheet_of(ended, ended.second_assessor))
    assert status(ended) == Assessment.Status.SCORING
    assert not Certificate.objects.exists()
