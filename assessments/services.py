"""The rules of the procedure (writes). Views call exactly one of these.

Every function takes keyword arguments, checks the rule it implements, changes the database
inside one transaction together with its audit entry, and raises ``ValidationError`` with a
message for the user when the rule says no. Nothing is half-written.
"""

import logging
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from certificates.services import certificate_issue
from qualifications.models import Competency, Indicator, Qualification

from . import audit
from .audit import Action
from .models import (
    Assessment,
    IndicatorNote,
    Judgement,
    JudgementRevision,
    Observation,
    PortfolioItem,
    ScoreSheet,
    User,
)
from .selectors import competency_pairs
from .uploads import check_portfolio_total, check_upload

Status = Assessment.Status
logger = logging.getLogger(__name__)


# --- Accounts -----------------------------------------------------------------------------


def account_create(
    *, created_by: User, email: str, first_name: str, last_name: str, role: str, preferred_language: str = "nl"
) -> tuple[User, bool]:
    """Create a candidate or assessor account without a password and e-mail an invitation.

    Returns the account and whether the invitation went out; a mail server that is down does not
    undo the account (the invitation can be sent again from the People page).
    """
    email = User.objects.normalize_email(email).lower()
    user = User(
        username=email,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        preferred_language=preferred_language,
    )
    user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit.record(
            actor=created_by, action=Action.ACCOUNT_CREATED,
            summary=f"{role} {user.email}", user_id=user.pk, role=role,
        )
    return user, invitation_send(user=user)


def invitation_url(user: User) -> str:
    path = reverse(
        "invitation", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                              "token": default_token_generator.make_token(user)},
    )
    return f"{settings.PORTAL_BASE_URL}{path}"


def invitation_send(*, user: User) -> bool:
    """E-mail the set-password link, in the account's own language. False if the mail failed."""
    with translation.override(user.preferred_language):
        context = {"user": user, "url": invitation_url(user), "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
        try:
            send_mail(
                subject=_("Your account on the competency assessment portal"),
                message=render_to_string("registration/invitation_email.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )
        except (SMTPException, OSError):
            logger.exception("The invitation to %s could not be sent.", user.email)
            return False
    return True


# --- Assessments ---------------------------------------------------------------------------


# Audit summaries are stored once and read in any language: codes, names, symbols and times only.
def _local_time(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def _judgement_summary(competency: Competency, proven: bool | None) -> str:
    return f"{competency.code}: {({True: '✔', False: '✘'}).get(proven, '—')}"


def _check_assessors(*, candidate: User, first_assessor: User, second_assessor: User) -> None:
    if first_assessor.pk == second_assessor.pk:
        raise ValidationError(_("An assessment needs two different assessors."))
    if candidate.pk in (first_assessor.pk, second_assessor.pk):
        raise ValidationError(_("The candidate cannot assess their own assessment."))
    if not (first_assessor.is_assessor and second_assessor.is_assessor):
        raise ValidationError(_("Both assessors must be active assessor accounts."))
    if not candidate.is_candidate:
        raise ValidationError(_("The candidate must be an active candidate account."))


def assessment_create(
    *, created_by: User, candidate: User, qualification: Qualification, first_assessor: User,
    second_assessor: User, scheduled_at, location: str = "",
) -> Assessment:
    _check_assessors(candidate=candidate, first_assessor=first_assessor, second_assessor=second_assessor)
    assessment = Assessment(
        candidate=candidate, qualification=qualification, first_assessor=first_assessor,
        second_assessor=second_assessor, scheduled_at=scheduled_at, location=location,
    )
    assessment.full_clean()
    with transaction.atomic():
        assessment.save()
        audit.record(
            actor=created_by, action=Action.ASSESSMENT_CREATED, assessment=assessment,
            summary=f"{qualification.code} {candidate.email}",
            assessors=[first_assessor.email, second_assessor.email],
        )
    return assessment


def assessment_assign_assessors(
    *, actor: User, assessment: Assessment, first_assessor: User, second_assessor: User
) -> Assessment:
    """Replace the two assessors; possible only before scoring starts (no sheet exists yet)."""
    _check_assessors(candidate=assessment.candidate, first_assessor=first_assessor, second_assessor=second_assessor)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != Status.REGISTERED:
            raise ValidationError(_("The assessors cannot change once scoring has started."))
        locked.first_assessor, locked.second_assessor = first_assessor, second_assessor
        locked.save(update_fields=["first_assessor", "second_assessor"])
        audit.record(
            actor=actor, action=Action.ASSESSORS_ASSIGNED, assessment=locked,
            summary=f"{first_assessor.email}, {second_assessor.email}",
        )
    return locked


def _move(assessment: Assessment, to: str, **fields) -> None:
    """Guarded transition; the conditional UPDATE makes a concurrent second move fail."""
    if not assessment.can_move_to(to):
        raise ValidationError(
            _("This assessment is %(status)s; that step is not possible now.")
            % {"status": assessment.get_status_display()}
        )
    changed = Assessment.objects.filter(pk=assessment.pk, status=assessment.status).update(status=to, **fields)
    if not changed:
        raise ValidationError(_("This assessment was changed by someone else; reload the page."))
    assessment.status = to
    for name, value in fields.items():
        setattr(assessment, name, value)


def assessment_start(*, actor: User, assessment: Assessment) -> Assessment:
    """Record the start: uploads close and each assessor gets a blank score sheet."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(pk=assessment.pk)
        _move(assessment, Status.SCORING, started_at=timezone.now())
        competencies = list(assessment.qualification.competencies.all())
        for assessor_id in assessment.assessor_ids:
            sheet = ScoreSheet.objects.create(assessment=assessment, assessor_id=assessor_id)
            Judgement.objects.bulk_create(Judgement(sheet=sheet, competency=c) for c in competencies)
        audit.record(actor=actor, action=Action.ASSESSMENT_STARTED, assessment=assessment,
                     summary=_local_time(assessment.started_at))
    return assessment


def assessment_end(*, actor: User, assessment: Assessment) -> Assessment:
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(pk=assessment.pk)
        if assessment.started_at is None:
            raise ValidationError(_("The assessment has not started yet."))
        if assessment.ended_at is not None:
            raise ValidationError(_("The end of this assessment was already recorded."))
        assessment.ended_at = timezone.now()
        assessment.save(update_fields=["ended_at"])
        audit.record(
            actor=actor, action=Action.ASSESSMENT_ENDED, assessment=assessment,
            summary=_local_time(assessment.ended_at), ran_over=assessment.ran_over,
        )
    return assessment


# --- Portfolio ----------------------------------------------------------------------------


def portfolio_item_add(
    *, actor: User, assessment: Assessment, upload: UploadedFile, description: str,
    competencies: list[Competency], indicators: list[Indicator] = (),
) -> PortfolioItem:
    if not competencies:
        raise ValidationError(_("Link the file to at least one competency."))
    if any(c.qualification_id != assessment.qualification_id for c in competencies):
        raise ValidationError(_("A competency is not part of this qualification."))
    if any(i.competency_id not in {c.pk for c in competencies} for i in indicators):
        raise ValidationError(_("An indicator must belong to one of the linked competencies."))
    checked = check_upload(upload)
    item = PortfolioItem(
        description=description, original_name=checked.name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
    )
    # The file is written before the transaction (slow I/O holds no lock) and removed again
    # if the transaction does not commit, so a failure leaves neither a row nor an orphan file.
    item.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
            if not assessment.portfolio_open:
                raise ValidationError(_("The portfolio is closed: scoring has started."))
            stored = assessment.portfolio_items.aggregate(total=Sum("size"))["total"] or 0
            check_portfolio_total(stored + checked.size)
            item.assessment = assessment
            item.save()
            item.competencies.set(competencies)
            item.indicators.set(indicators)
            audit.record(actor=actor, action=Action.PORTFOLIO_ADDED, assessment=assessment,
                         summary=checked.name, item_id=item.pk, sha256=checked.sha256, size=checked.size)
    except BaseException:
        item.file.storage.delete(item.file.name)
        raise
    return item


def portfolio_item_withdraw(*, actor: User, item: PortfolioItem) -> None:
    """The candidate takes an item back before scoring; the audit trail keeps its name and checksum."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=item.assessment_id)
        if not assessment.portfolio_open:
            raise ValidationError(_("The portfolio is closed: scoring has started."))
        item = PortfolioItem.objects.filter(pk=item.pk).first()
        if item is None:
            raise ValidationError(_("This file was already withdrawn."))
        audit.record(actor=actor, action=Action.PORTFOLIO_WITHDRAWN, assessment=assessment,
                     summary=item.original_name, item_id=item.pk, sha256=item.sha256)
        name, storage = item.file.name, item.file.storage
        item.competencies.clear()
        item.indicators.clear()
        item.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- Score sheets ---------------------------------------------------------------------------


@dataclass
class JudgementEntry:
    """What an assessor filled in for one competency."""

    competency_id: int
    proven: bool | None
    justification: str = ""
    notes: dict[int, str] = field(default_factory=dict)  # indicator id -> note
    observation: UploadedFile | None = None


def _check_entries(sheet: ScoreSheet, judgements: dict[int, Judgement], entries: list[JudgementEntry]) -> None:
    unknown = [e.competency_id for e in entries if e.competency_id not in judgements]
    if unknown:
        raise ValidationError(_("The score sheet names a competency that is not part of this qualification."))
    for entry in entries:
        indicators = {i.pk for i in judgements[entry.competency_id].competency.indicators.all()}
        if set(entry.notes) - indicators:
            raise ValidationError(_("A note names an indicator that is not part of its competency."))


def _check_complete(judgements: dict[int, Judgement]) -> None:
    missing = [j.competency for j in judgements.values() if j.proven is None]
    if missing:
        raise ValidationError(
            _("Judge every competency before submitting; still open: %(list)s.")
            % {"list": ", ".join(str(c.order) for c in sorted(missing, key=lambda c: c.order))}
        )
    unjustified = [j.competency for j in judgements.values() if j.proven is False and not j.justification.strip()]
    if unjustified:
        raise ValidationError(
            _("A justification is required for every competency judged not proven: %(list)s.")
            % {"list": ", ".join(str(c.order) for c in sorted(unjustified, key=lambda c: c.order))}
        )


def _locked_sheet(*, actor: User, sheet: ScoreSheet) -> ScoreSheet:
    sheet = ScoreSheet.objects.select_for_update().select_related("assessment__qualification").get(pk=sheet.pk)
    if sheet.assessor_id != actor.pk:
        raise ValidationError(_("Only the assessor of a score sheet can change it."))
    if sheet.is_submitted:
        raise ValidationError(_("This score sheet has been submitted and is locked."))
    if sheet.assessment.status != Status.SCORING:
        raise ValidationError(_("Scoring is not open for this assessment."))
    return sheet


def _notes_of(judgement: Judgement) -> dict[int, str]:
    return {note.indicator_id: note.note for note in judgement.notes.all()}


def _apply_entries(actor: User, sheet: ScoreSheet, judgements: dict[int, Judgement], entries, observations) -> None:
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
        audit.record(
            actor=actor, action=Action.JUDGEMENT_CHANGED, assessment=sheet.assessment,
            summary=_judgement_summary(judgement.competency, judgement.proven),
            competency=judgement.competency.code, proven=judgement.proven,
        )
    _save_notes(sheet, judgements, entries)
    for observation, competency_id in observations:
        observation.judgement = judgements[competency_id]
        observation.save()
        audit.record(actor=actor, action=Action.OBSERVATION_ADDED, assessment=sheet.assessment,
                     summary=observation.original_name, sha256=observation.sha256)


def _save_notes(sheet: ScoreSheet, judgements: dict[int, Judgement], entries: list["JudgementEntry"]) -> None:
    """Upsert the notes typed in; a note emptied is removed."""
    notes = [(judgements[e.competency_id], indicator_id, text.strip())
             for e in entries for indicator_id, text in e.notes.items()]
    IndicatorNote.objects.bulk_create(
        [IndicatorNote(judgement=judgement, indicator_id=indicator_id, note=text)
         for judgement, indicator_id, text in notes if text],
        update_conflicts=True, unique_fields=["judgement", "indicator"], update_fields=["note"],
    )
    IndicatorNote.objects.filter(
        judgement__sheet=sheet, indicator_id__in=[indicator_id for _j, indicator_id, text in notes if not text]
    ).delete()


def _store_observations(entries: list[JudgementEntry]) -> list[tuple[Observation, int]]:
    """Validate and write the observation files before the transaction; see ``portfolio_item_add``."""
    checked = [(entry, check_upload(entry.observation)) for entry in entries if entry.observation]
    stored = []
    for entry, upload in checked:
        observation = Observation(original_name=upload.name, content_type=upload.content_type,
                                  size=upload.size, sha256=upload.sha256)
        observation.file.save("upload", entry.observation, save=False)
        stored.append((observation, entry.competency_id))
    return stored


def score_sheet_save(
    *, actor: User, sheet: ScoreSheet, entries: list[JudgementEntry], submit: bool = False
) -> ScoreSheet:
    """Save the assessor's draft; with ``submit`` also check it is complete, lock it and move on."""
    observations = _store_observations(entries)
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
        raise ValidationError(_("Record the end of the assessment before submitting a score sheet."))
    _check_complete(judgements)
    sheet.status, sheet.submitted_at = ScoreSheet.Status.SUBMITTED, timezone.now()
    sheet.save(update_fields=["status", "submitted_at"])
    audit.record(actor=actor, action=Action.SHEET_SUBMITTED, assessment=assessment,
                 summary=actor.full_name or actor.email, sheet_id=sheet.pk)
    if not assessment.score_sheets.filter(status=ScoreSheet.Status.DRAFT).exists():
        _after_both_submitted(actor, assessment)


def _after_both_submitted(actor: User, assessment: Assessment) -> None:
    pairs = competency_pairs(assessment)
    if all(pair.agreed for pair in pairs):
        _decide(actor, assessment, pairs)
    else:
        _move(assessment, Status.RECONCILIATION)


# --- Reconciliation and decision --------------------------------------------------------------


def judgement_revise(*, actor: User, judgement: Judgement, proven: bool, reason: str) -> Judgement:
    """During reconciliation an assessor changes their own judgement of a disputed competency."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for revising your judgement."))
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(
            pk=judgement.sheet.assessment_id
        )
        if assessment.status != Status.RECONCILIATION:
            raise ValidationError(_("This assessment is not in reconciliation."))
        judgement = Judgement.objects.select_related("sheet", "competency").get(pk=judgement.pk)
        if judgement.sheet.assessor_id != actor.pk:
            raise ValidationError(_("You can only revise your own judgement."))
        pair = next(p for p in competency_pairs(assessment) if p.competency.pk == judgement.competency_id)
        if pair.agreed:
            raise ValidationError(_("Both assessors agree on this competency: the judgement is final."))
        if judgement.proven == proven:
            raise ValidationError(_("That is already your judgement."))
        JudgementRevision.objects.create(judgement=judgement, proven_before=judgement.proven,
                                         proven_after=proven, reason=reason)
        judgement.proven = proven
        if not proven and not judgement.justification:
            judgement.justification = reason
        judgement.save(update_fields=["proven", "justification", "updated_at"])
        audit.record(
            actor=actor, action=Action.JUDGEMENT_REVISED, assessment=assessment,
            summary=_judgement_summary(judgement.competency, proven), competency=judgement.competency.code,
            proven=proven, reason=reason,
        )
        pairs = competency_pairs(assessment)
        if all(pair.agreed for pair in pairs):
            _decide(actor, assessment, pairs)
    return judgement


def _decide(actor: User, assessment: Assessment, pairs) -> None:
    """The decision is computed, never typed: certified iff every competency is finally proven by both."""
    judged = {pair.competency.pk for pair in pairs}
    standard = set(assessment.qualification.competencies.values_list("pk", flat=True))
    if not standard or judged != standard:
        raise ValidationError(_("The score sheets do not cover the competencies of the qualification."))
    certified = all(pair.proven for pair in pairs)
    _move(assessment, Status.CERTIFIED if certified else Status.NOT_CERTIFIED, decided_at=timezone.now())
    audit.record(
        actor=actor, action=Action.DECISION, assessment=assessment, summary=assessment.status,
        proven=[p.competency.code for p in pairs if p.proven],
        not_proven=[p.competency.code for p in pairs if not p.proven],
    )
    if certified:
        certificate_issue(assessment=assessment, actor=actor)
