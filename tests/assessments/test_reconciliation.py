"""Rules 4 and 5: reconciliation of disagreements, and the computed decision."""

import re

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
    return services.judgement_revise(
        actor=assessor,
        assessment=assessment,
        competency_id=judgement(assessment, assessor, order).competency_id,
        proven=proven,
        reason=reason,
    )


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
        services.judgement_revise(
            actor=outsider_assessor, assessment=ended, competency_id=competency_id, proven=True, reason="x"
        )
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
    response = client.post(
        f"/assessments/{ended.pk}/reconciliation/{competency.pk}/revise/",
        {
            f"r{competency.pk}-proven": "yes",
            f"r{competency.pk}-reason": "The portfolio shows it.",
        },
    )
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
    """There is no way to post a decision: only the judgements decide. The Django admin shows the
    assessment and refuses any change (tests/test_admin_guards.py walks every admin model)."""
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    assert client.get(f"/admin/assessments/assessment/{ended.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/assessments/assessment/{ended.pk}/change/", {"location": "Room 2", "status": "certified"}
    )
    assert response.status_code == 403
    ended.refresh_from_db()
    assert ended.location != "Room 2"
    assert ended.status == Assessment.Status.RECONCILIATION


def test_no_decision_when_the_sheets_miss_a_competency_of_the_qualification(ended):
    """Rule 5: every competency of the qualification, not only the judged ones."""
    flows.judge(ended, ended.first_assessor)
    Judgement.objects.filter(sheet__assessor=ended.second_assessor, competency__order=10).delete()
    entries = [
        services.JudgementEntry(competency_id=c.pk, proven=True)
        for c in ended.qualification.competencies.exclude(order=10)
    ]
    with pytest.raises(ValidationError, match="do not cover"):
        services.score_sheet_save(
            actor=ended.second_assessor,
            entries=entries,
            submit=True,
            sheet=flows.sheet_of(ended, ended.second_assessor),
        )
    assert status(ended) == Assessment.Status.SCORING
    assert not Certificate.objects.exists()


def test_a_judgement_revised_to_proven_drops_its_justification_and_the_history_keeps_it(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8}, justification="Did not check conditions of sale")
    revise(ended, ended.second_assessor, 3, True, reason="The portfolio letter shows it")
    revised = judgement(ended, ended.second_assessor, 3)
    assert (revised.proven, revised.justification) == (True, "")
    revision = JudgementRevision.objects.get(judgement=revised)
    assert revision.justification_before == "Did not check conditions of sale"
    client.force_login(ended.first_assessor)
    page = client.get(f"/assessments/{ended.pk}/reconciliation/").content.decode()
    assert "Justification before the revision:" in page
    assert "The portfolio letter shows it" in page


def test_a_judgement_revised_to_not_proven_is_justified_by_the_reason(ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    revise(ended, ended.first_assessor, 8, False, reason="Multitasking was not shown.")
    revised = judgement(ended, ended.first_assessor, 8)
    assert (revised.proven, revised.justification) == (False, "Multitasking was not shown.")


def revise_page(client, assessment, order, data):
    competency = assessment.qualification.competencies.get(order=order)
    return client.post(
        f"/assessments/{assessment.pk}/reconciliation/{competency.pk}/revise/",
        {f"r{competency.pk}-{name}": value for name, value in data.items()},
    )


def test_a_refused_revision_shows_its_error_beside_the_field_and_keeps_the_choice(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    client.force_login(ended.second_assessor)
    response = revise_page(client, ended, 3, {"proven": "yes", "reason": "  "})
    assert response.status_code == 200
    form = dict(response.context["rows"][2][1].errors)
    assert form == {"reason": ["Give the reason for revising your judgement."]}
    competency = ended.qualification.competencies.get(order=3)
    choice = re.search(rf'<input[^>]*name="r{competency.pk}-proven"[^>]*value="yes"[^>]*>', response.content.decode())
    assert "checked" in choice.group(0)  # the choice is kept
    assert not JudgementRevision.objects.exists()
    unchanged = revise_page(client, ended, 3, {"proven": "no", "reason": "I still think so."})
    assert dict(unchanged.context["rows"][2][1].errors) == {"proven": ["That is already your judgement."]}
    no_choice = revise_page(client, ended, 3, {"reason": "Forgot to choose"})
    assert dict(no_choice.context["rows"][2][1].errors) == {"proven": ["Choose your judgement."]}
    assert "Forgot to choose" in no_choice.content.decode()


def test_revising_an_agreed_competency_goes_back_to_the_page_with_the_message(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    client.force_login(ended.first_assessor)
    response = revise_page(client, ended, 1, {"proven": "no", "reason": "Second thoughts"})
    assert response.status_code == 302 and response.url == f"/assessments/{ended.pk}/reconciliation/"
    assert "the judgement is final" in client.get(response.url).content.decode()


def test_after_the_last_revision_the_assessor_sees_the_outcome(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    client.force_login(ended.second_assessor)
    first = revise_page(client, ended, 3, {"proven": "yes", "reason": "The portfolio shows it."})
    assert first.url == f"/assessments/{ended.pk}/reconciliation/"  # competency 8 still disputed
    last = revise_page(client, ended, 8, {"proven": "yes", "reason": "Seen in the role play."})
    assert last.url == f"/assessments/{ended.pk}/"
    page = client.get(last.url).content.decode()
    assert "The assessors now agree on every competency: the candidate is certified." in page


def test_after_the_last_revision_a_not_certified_outcome_is_named(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3})
    client.force_login(ended.first_assessor)
    last = revise_page(client, ended, 3, {"proven": "no", "reason": "Not shown after all."})
    assert last.url == f"/assessments/{ended.pk}/"
    assert "the candidate is not certified." in client.get(last.url).content.decode()


def test_the_reconciliation_banner_names_and_links_the_disputed_competencies(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    client.force_login(ended.first_assessor)
    response = client.get(f"/assessments/{ended.pk}/reconciliation/")
    disputed = [pair.competency.order for pair in response.context["disputed"]]
    assert disputed == [3, 8]
    page = response.content.decode()
    for order in (3, 8):
        competency = ended.qualification.competencies.get(order=order)
        assert f'href="#pair-{competency.pk}">{order}. {competency.text}</a>' in page
        assert f'id="pair-{competency.pk}"' in page


def revise_forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="[^"]*/revise/[^"]*"[^>]*>', page)


def test_revising_the_last_disagreement_asks_first_as_it_settles_the_decision(client, ended):
    flows.judge(ended, ended.first_assessor)
    flows.judge(ended, ended.second_assessor, not_proven={3, 8})
    client.force_login(ended.first_assessor)
    two_left = revise_forms(client.get(f"/assessments/{ended.pk}/reconciliation/").content.decode())
    assert len(two_left) == 2 and not any("data-confirm" in form for form in two_left)
    revise(ended, ended.first_assessor, 3, proven=False)
    (last,) = revise_forms(client.get(f"/assessments/{ended.pk}/reconciliation/").content.decode())
    assert "the decision is settled at once" in last
    assert 'data-confirm-yes="Revise and settle the decision"' in last and 'data-confirm-no="Not yet"' in last


def test_recording_the_end_asks_first(client, assessment):
    flows.start(assessment)
    client.force_login(assessment.first_assessor)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    (end,) = re.findall(r'<form method="post" action="[^"]*/end/"[^>]*>', page)
    assert "data-confirm=" in end and 'data-confirm-yes="Record the end"' in end


def test_every_confirmation_names_both_of_its_choices(client, assessment, administrator):
    """A dialog never offers a bare "Cancel" beside "Cancel the assessment"."""
    client.force_login(administrator)
    page = client.get(f"/assessments/{assessment.pk}/schedule/").content.decode()
    (cancel,) = re.findall(r'<form [^>]*id="cancel-form"[^>]*>', page)
    assert 'data-confirm-yes="Cancel the assessment"' in cancel and 'data-confirm-no="Keep the assessment"' in cancel
    dialog = page[page.index('<dialog id="confirm-dialog"') :]
    assert ">Cancel<" not in dialog[: dialog.index("</dialog>")]
