"""assessments.services.scoring: each assessor fills in and submits their own score sheet."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from assessments import services
from assessments.models import Assessment, IndicatorNote, Judgement, Observation, ScoreSheet
from assessments.services import JudgementEntry
from audit.models import AuditEntry

from ... import factories, flows, samples
from ...rules import breaks_rule, error_codes

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture
def scoring():
    assessment = factories.AssessmentFactory()
    flows.start(assessment)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def ended(scoring):
    return flows.end(scoring)


def competencies(assessment):
    return list(assessment.qualification.competencies.order_by("order"))


def all_proven(assessment) -> list[JudgementEntry]:
    return [JudgementEntry(competency_id=c.pk, proven=True) for c in competencies(assessment)]


def save(assessment, entries, *, assessor=None, sheet_of=None, submit=False):
    assessor = assessor or assessment.first_assessor
    sheet = flows.sheet_of(assessment, sheet_of or assessor)
    return services.score_sheet_save(actor=assessor, sheet=sheet, entries=entries, submit=submit)


def test_a_draft_keeps_judgements_notes_and_audits_each_change(scoring):
    first = competencies(scoring)[0]
    indicator = first.indicators.first()
    entries = all_proven(scoring)
    entries[0] = JudgementEntry(
        competency_id=first.pk, proven=False, justification="  Not seen.  ", notes={indicator.pk: " Hesitant "}
    )
    save(scoring, entries)
    judgement = Judgement.objects.get(sheet__assessor=scoring.first_assessor, competency=first)
    assert (judgement.proven, judgement.justification) == (False, "Not seen.")
    assert IndicatorNote.objects.get(judgement=judgement).note == "Hesitant"
    assert AuditEntry.objects.about(scoring).filter(action="judgement_changed").count() == 3
    assert flows.sheet_of(scoring, scoring.first_assessor).status == ScoreSheet.Status.DRAFT
    save(scoring, entries)  # the same again changes nothing
    assert AuditEntry.objects.about(scoring).filter(action="judgement_changed").count() == 3


def test_a_note_emptied_is_removed(scoring):
    first = competencies(scoring)[0]
    indicator = first.indicators.first()
    save(scoring, [JudgementEntry(competency_id=first.pk, proven=True, notes={indicator.pk: "Clear"})])
    save(scoring, [JudgementEntry(competency_id=first.pk, proven=True, notes={indicator.pk: "  "})])
    assert not IndicatorNote.objects.exists()


def test_only_the_assessor_of_a_sheet_changes_it(scoring):
    with breaks_rule("not_own_sheet"):
        save(scoring, all_proven(scoring), assessor=scoring.second_assessor, sheet_of=scoring.first_assessor)
    assert not Judgement.objects.exclude(proven=None).exists()


def test_a_submitted_sheet_is_locked(ended):
    save(ended, all_proven(ended), submit=True)
    with breaks_rule("locked"):
        save(ended, [JudgementEntry(competency_id=competencies(ended)[0].pk, proven=False, justification="No")])
    assert not Judgement.objects.filter(proven=False).exists()


def test_no_sheet_changes_once_scoring_is_closed(scoring):
    Assessment.objects.filter(pk=scoring.pk).update(status=Status.RECONCILIATION)
    with breaks_rule("scoring_closed"):
        save(scoring, all_proven(scoring))
    assert not Judgement.objects.exclude(proven=None).exists()


def test_a_competency_of_another_qualification_is_refused(scoring):
    foreign = factories.QualificationFactory().competencies.first()
    with breaks_rule("foreign_competency"):
        save(scoring, [*all_proven(scoring), JudgementEntry(competency_id=foreign.pk, proven=True)])
    assert not Judgement.objects.exclude(proven=None).exists()


def test_a_note_on_an_indicator_of_another_competency_is_refused(scoring):
    first, second = competencies(scoring)[:2]
    with breaks_rule("foreign_indicator"):
        save(
            scoring,
            [JudgementEntry(competency_id=first.pk, proven=True, notes={second.indicators.first().pk: "Misplaced"})],
        )
    assert not IndicatorNote.objects.exists()


def test_the_end_is_recorded_before_a_sheet_is_submitted(scoring):
    with breaks_rule("not_ended"):
        save(scoring, all_proven(scoring), submit=True)
    assert flows.sheet_of(scoring, scoring.first_assessor).status == ScoreSheet.Status.DRAFT


def test_a_submitted_sheet_judges_every_competency(ended):
    first, second, third = competencies(ended)
    with breaks_rule("not_judged", f"{second.pk}.proven") as caught:
        save(
            ended,
            [JudgementEntry(competency_id=first.pk, proven=True), JudgementEntry(competency_id=third.pk, proven=True)],
            submit=True,
        )
    assert set(error_codes(caught.value)) == {NON_FIELD_ERRORS, f"{second.pk}.proven"}
    assert "still open: 2." in caught.value.message_dict[NON_FIELD_ERRORS][0]
    assert flows.sheet_of(ended, ended.first_assessor).status == ScoreSheet.Status.DRAFT


def test_not_proven_needs_a_justification_on_submit(ended):
    first = competencies(ended)[0]
    entries = all_proven(ended)
    entries[0] = JudgementEntry(competency_id=first.pk, proven=False, justification="   ")
    with breaks_rule("no_justification", f"{first.pk}.justification"):
        save(ended, entries, submit=True)
    assert flows.sheet_of(ended, ended.first_assessor).status == ScoreSheet.Status.DRAFT


def test_a_draft_may_be_incomplete_and_unjustified(scoring):
    first = competencies(scoring)[0]
    save(scoring, [JudgementEntry(competency_id=first.pk, proven=False)])
    assert Judgement.objects.get(sheet__assessor=scoring.first_assessor, competency=first).proven is False


def test_submitting_locks_the_sheet_and_waits_for_the_other(ended):
    save(ended, all_proven(ended), submit=True)
    sheet = flows.sheet_of(ended, ended.first_assessor)
    assert sheet.status == ScoreSheet.Status.SUBMITTED and sheet.submitted_at is not None
    assert Assessment.objects.get(pk=ended.pk).status == Status.SCORING
    assert AuditEntry.objects.about(ended).filter(action="sheet_submitted").count() == 1


def test_the_second_sheet_in_decides_when_both_agree(ended):
    save(ended, all_proven(ended), submit=True)
    save(ended, all_proven(ended), assessor=ended.second_assessor, submit=True)
    assert Assessment.objects.get(pk=ended.pk).status == Status.CERTIFIED


def test_the_second_sheet_in_opens_reconciliation_on_a_disagreement(ended):
    save(ended, all_proven(ended), submit=True)
    entries = all_proven(ended)
    entries[1] = JudgementEntry(competency_id=entries[1].competency_id, proven=False, justification="No script")
    save(ended, entries, assessor=ended.second_assessor, submit=True)
    assert Assessment.objects.get(pk=ended.pk).status == Status.RECONCILIATION


def test_an_observation_is_stored_and_audited(scoring):
    first = competencies(scoring)[0]
    save(scoring, [JudgementEntry(competency_id=first.pk, proven=True, observation=samples.pdf("notes.pdf"))])
    observation = Observation.objects.get()
    assert observation.judgement.competency == first and observation.original_name == "notes.pdf"
    assert AuditEntry.objects.about(scoring).filter(action="observation_added", summary="notes.pdf").count() == 1
    with services.observation_open(actor=scoring.first_assessor, observation=observation) as handle:
        assert handle.read() == samples.MINIMAL_PDF
    assert AuditEntry.objects.about(scoring).get(action="file_downloaded").data == {
        "kind": "observation",
        "observation_id": observation.pk,
    }


def test_a_bad_observation_is_refused_on_its_competency(scoring):
    first = competencies(scoring)[0]
    with breaks_rule("empty", f"{first.pk}.observation"):
        save(
            scoring, [JudgementEntry(competency_id=first.pk, proven=True, observation=samples.upload("empty.pdf", b""))]
        )
    assert not Observation.objects.exists()
