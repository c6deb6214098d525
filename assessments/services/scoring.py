"""Blind double scoring (rule 3): each assessor fills in and submits their own score sheet."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record

from ..models import Assessment, IndicatorNote, Judgement, Observation, ScoreSheet
from ..signals import reconciliation_needed
from ..uploads import CheckedUpload, check_upload
from .decision import decide_if_agreed, judgement_summary
from .lifecycle import Status, assessment_move


@dataclass
class JudgementEntry:
    """What an assessor filled in for one competency."""

    competency_id: int
    proven: bool | None
    justification: str = ""
    notes: dict[int, str] = field(default_factory=dict)  # indicator id -> note
    observation: UploadedFile | None = None


def entry_error_key(competency_id: int, name: str) -> str:
    """How errors about one competency's entry are named: ``"<competency id>.<field>"``."""
    return f"{competency_id}.{name}"


def _check_entries(sheet: ScoreSheet, judgements: dict[int, Judgement], entries: list[JudgementEntry]) -> None:
    carried = set(sheet.assessment.carried_over.values_list("competency_id", flat=True))
    if any(e.competency_id in carried for e in entries):
        raise ValidationError(
            _("A competency carried over from an earlier assessment is not judged again; its result stands."),
            code="carried_over",
        )
    if any(e.competency_id not in judgements for e in entries):
        raise ValidationError(
            _("The score sheet names a competency that is not part of this qualification."), code="foreign_competency"
        )
    for entry in entries:
        indicators = {i.pk for i in judgements[entry.competency_id].competency.indicators.all()}
        if set(entry.notes) - indicators:
            raise ValidationError(
                _("A note names an indicator that is not part of its competency."), code="foreign_indicator"
            )


def _orders(judgements: list[Judgement]) -> str:
    return ", ".join(str(j.competency.order) for j in judgements)


def _check_complete(judgements: dict[int, Judgement]) -> None:
    """A submitted sheet judges every competency and justifies every "not proven"."""
    in_order = sorted(judgements.values(), key=lambda j: j.competency.order)
    open_ = [j for j in in_order if j.proven is None]
    unjustified = [j for j in in_order if j.proven is False and not j.justification.strip()]
    errors = {}
    for judgement in open_:
        errors[entry_error_key(judgement.competency_id, "proven")] = ValidationError(
            _("Judge this competency before submitting."), code="not_judged"
        )
    for judgement in unjustified:
        errors[entry_error_key(judgement.competency_id, "justification")] = ValidationError(
            _("A justification is required when not proven."), code="no_justification"
        )
    summary = []
    if open_:
        summary.append(_("Judge every competency before submitting; still open: %(list)s.") % {"list": _orders(open_)})
    if unjustified:
        summary.append(
            _("A justification is required for every competency judged not proven: %(list)s.")
            % {"list": _orders(unjustified)}
        )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: summary, **errors})


def scoring_check_open(assessment: Assessment) -> None:
    """The sheets are filled in while the assessment is being scored, not before or after."""
    if assessment.status != Status.SCORING:
        raise ValidationError(_("Scoring is not open for this assessment."), code="scoring_closed")


def _locked_sheet(*, actor: User, sheet: ScoreSheet) -> ScoreSheet:
    sheet = ScoreSheet.objects.select_for_update().select_related("assessment__qualification").get(pk=sheet.pk)
    if sheet.assessor_id != actor.pk:
        raise ValidationError(_("Only the assessor of a score sheet can change it."), code="not_own_sheet")
    if sheet.is_submitted:
        raise ValidationError(_("This score sheet has been submitted and is locked."), code="locked")
    scoring_check_open(sheet.assessment)
    return sheet


def _notes_of(judgement: Judgement) -> dict[int, str]:
    return {note.indicator_id: note.note for note in judgement.notes.all()}


def _apply_entries(
    actor: User,
    sheet: ScoreSheet,
    judgements: dict[int, Judgement],
    entries: list[JudgementEntry],
    observations: list[tuple[Observation, int]],
) -> None:
    changed = []
    for entry in entries:
        judgement = judgements[entry.competency_id]
        notes_before = _notes_of(judgement)
        notes_after = {**notes_before, **{i: text.strip() for i, text in entry.notes.items()}}
        before = (judgement.proven, judgement.justification, notes_before)
        judgement.proven, judgement.justification = entry.proven, entry.justification.strip()
        if before != (judgement.proven, judgement.justification, {i: t for i, t in notes_after.items() if t}):
            judgement.updated_at = timezone.now()  # bulk_update does not touch auto_now fields
            changed.append(judgement)
    Judgement.objects.bulk_update(changed, ["proven", "justification", "updated_at"])
    for judgement in changed:
        audit_record(
            actor=actor,
            action=Action.JUDGEMENT_CHANGED,
            subject=sheet.assessment,
            summary=judgement_summary(judgement.competency, judgement.proven),
            competency=judgement.competency.code,
            proven=judgement.proven,
        )
    _save_notes(sheet, judgements, entries)
    for observation, competency_id in observations:
        observation.judgement = judgements[competency_id]
        observation.save()
        audit_record(
            actor=actor,
            action=Action.OBSERVATION_ADDED,
            subject=sheet.assessment,
            summary=observation.original_name,
            sha256=observation.sha256,
        )


def _save_notes(sheet: ScoreSheet, judgements: dict[int, Judgement], entries: list[JudgementEntry]) -> None:
    """Upsert the notes typed in; a note emptied is removed."""
    notes = [
        (judgements[e.competency_id], indicator_id, text.strip())
        for e in entries
        for indicator_id, text in e.notes.items()
    ]
    IndicatorNote.objects.bulk_create(
        [
            IndicatorNote(judgement=judgement, indicator_id=indicator_id, note=text)
            for judgement, indicator_id, text in notes
            if text
        ],
        update_conflicts=True,
        unique_fields=["judgement", "indicator"],
        update_fields=["note"],
    )
    IndicatorNote.objects.filter(
        judgement__sheet=sheet, indicator_id__in=[indicator_id for _j, indicator_id, text in notes if not text]
    ).delete()


def _check_observation(
    entry: JudgementEntry, observation: UploadedFile, actor: User, assessment: Assessment
) -> CheckedUpload:
    try:
        return check_upload(observation, actor=actor, about=assessment, kind="observation")
    except ValidationError as error:
        raise ValidationError({entry_error_key(entry.competency_id, "observation"): error}) from error


def _store_observations(entries: list[JudgementEntry], actor: User, sheet: ScoreSheet) -> list[tuple[Observation, int]]:
    """Validate and write the observation files before the transaction; see ``portfolio_item_add``."""
    uploads = [(entry, entry.observation) for entry in entries if entry.observation]
    if not uploads:
        return []  # the sheet's assessment is read only for a file to check
    checked = [(entry, file, _check_observation(entry, file, actor, sheet.assessment)) for entry, file in uploads]
    stored = []
    for entry, file, upload in checked:
        observation = Observation(
            original_name=upload.name, content_type=upload.content_type, size=upload.size, sha256=upload.sha256
        )
        observation.file.save("upload", file, save=False)
        stored.append((observation, entry.competency_id))
    return stored


def score_sheet_save(
    *, actor: User, sheet: ScoreSheet, entries: list[JudgementEntry], submit: bool = False
) -> ScoreSheet:
    """Save the assessor's draft; with ``submit`` also check it is complete, lock it and move on."""
    observations = _store_observations(entries, actor, sheet)
    try:
        with transaction.atomic():
            Assessment.objects.select_for_update().get(pk=sheet.assessment_id)
            sheet = _locked_sheet(actor=actor, sheet=sheet)
            judgements = {
                j.competency_id: j
                for j in sheet.judgements.select_related("competency").prefetch_related(
                    "competency__indicators", "notes"
                )
            }
            _check_entries(sheet, judgements, entries)
            _apply_entries(actor, sheet, judgements, entries, observations)
            if submit:
                _submit(actor, sheet, judgements)
    except BaseException:
        for observation, _competency_id in observations:
            observation.file.storage.delete(observation.file.name)
        raise
    return sheet


def _submit(actor: User, sheet: ScoreSheet, judgements: dict[int, Judgement]) -> None:
    assessment = sheet.assessment
    if assessment.ended_at is None:
        raise ValidationError(_("Record the end of the assessment before submitting a score sheet."), code="not_ended")
    _check_complete(judgements)
    sheet.status, sheet.submitted_at = ScoreSheet.Status.SUBMITTED, timezone.now()
    sheet.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        action=Action.SHEET_SUBMITTED,
        subject=assessment,
        summary=actor.full_name or actor.email,
        sheet_id=sheet.pk,
    )
    both_in = not assessment.score_sheets.filter(status=ScoreSheet.Status.DRAFT).exists()
    # Both sheets are in: agreement on everything decides; any disagreement is reconciled.
    if both_in and not decide_if_agreed(actor=actor, assessment=assessment):
        assessment_move(assessment, Status.RECONCILIATION)
        reconciliation_needed.send(sender=Assessment, assessment=assessment)


def observation_open(*, actor: User, observation: Observation) -> "File[bytes]":
    """Open an assessor's observation file for download; audited like every personal file."""
    handle: File[bytes] = observation.file.open("rb")
    audit_record(
        actor=actor,
        action=Action.FILE_DOWNLOADED,
        subject=observation.judgement.sheet.assessment,
        summary=observation.original_name,
        kind="observation",
        observation_id=observation.pk,
    )
    return handle
