"""Scheduling an assessment, its assessors, and recording its start and end (rule 2)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.api import candidate_full_name
from accounts.models import User
from audit.api import Action, audit_record
from portal.refusals import refuse_all
from qualifications.models import Qualification

from ..documents import documents
from ..models import Assessment, Judgement, Objection, ScoreSheet
from ..selectors import to_judge
from ..signals import assessment_cancelled, assessment_rescheduled, assessment_scheduled, scoring_opened

Status = Assessment.Status


# Audit summaries are stored once and read in any language: codes, names, symbols and times only.
def local_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}"


def _check_people(
    *, candidate: User, first_assessor: User, second_assessor: User, disputed: Assessment | None = None
) -> None:
    """Exactly two distinct assessors, neither the candidate, each with the right role; for the
    new assessment of an upheld objection, neither of the ``disputed`` assessment's assessors.

    Every path that sets an assessment's assessors asks this.
    """
    if first_assessor.pk == second_assessor.pk:
        raise ValidationError(
            {
                "second_assessor": ValidationError(
                    _("An assessment needs two different assessors."), code="same_assessor"
                )
            }
        )
    if candidate.pk in (first_assessor.pk, second_assessor.pk):
        raise ValidationError(
            {
                "candidate": ValidationError(
                    _("The candidate cannot assess their own assessment."), code="candidate_assesses"
                )
            }
        )
    for name, assessor in (("first_assessor", first_assessor), ("second_assessor", second_assessor)):
        if not assessor.is_assessor:
            raise ValidationError(
                {name: ValidationError(_("Both assessors must be active assessor accounts."), code="not_assessor")}
            )
    if not candidate.is_candidate:
        raise ValidationError(
            {
                "candidate": ValidationError(
                    _("The candidate must be an active candidate account."), code="not_candidate"
                )
            }
        )
    _check_took_no_part(disputed, first_assessor=first_assessor, second_assessor=second_assessor)


def _check_took_no_part(disputed: Assessment | None, *, first_assessor: User, second_assessor: User) -> None:
    """An upheld objection's new assessment is judged by two assessors who did not take part in
    the disputed one: when the objection is upheld and whenever its assessors change later."""
    if disputed is None:
        return
    for name, assessor in (("first_assessor", first_assessor), ("second_assessor", second_assessor)):
        if assessor.pk in disputed.assessor_ids:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("The new assessment needs assessors who did not take part in the disputed one."),
                        code="took_part",
                    )
                }
            )


def disputed_by(assessment: Assessment) -> Assessment | None:
    """The disputed assessment, when this one is the new assessment of an upheld objection."""
    return Assessment.objects.filter(objection__new_assessment=assessment).first()


def _check_one_result(*, candidate: User, qualification: Qualification, following: Assessment | None = None) -> None:
    """One valid result per candidate and qualification: no new assessment while the candidate
    holds a valid certificate of it, has an open assessment of it, or objects to a decision on it
    (the objection may yet bring the new assessment).

    A revoked certificate and a cancelled assessment do not count. A re-assessment or an upheld
    objection's new assessment replaces a decided assessment (``following``), which is not open:
    it passes, unless another assessment of the qualification is open; the objection to the
    assessment followed is its caller's to check. The database holds the open part too
    (``one_open_assessment_per_qualification``).
    """
    # The candidate's assessments of the qualification, then only what those few need: for a
    # newcomer (most rows of an import) one simple query.
    theirs = dict(
        Assessment.objects.filter(candidate=candidate, qualification=qualification).values_list("pk", "status")
    )
    certified = [pk for pk, status in theirs.items() if status == Status.CERTIFIED]
    if any(not documents().revoked(of=pk).exists() for pk in certified):
        raise ValidationError(
            {
                "candidate": ValidationError(
                    _("The candidate already holds a proof of professional qualification for this qualification."),
                    code="already_certified",
                )
            }
        )
    if any(status in Assessment.OPEN for status in theirs.values()):
        raise ValidationError(
            {
                "candidate": ValidationError(
                    _("The candidate already has an open assessment of this qualification."), code="assessment_open"
                )
            }
        )
    others = [pk for pk in theirs if following is None or pk != following.pk]
    if others and Objection.objects.filter(assessment__in=others, status=Objection.Status.OPEN).exists():
        raise ValidationError(
            {
                "candidate": ValidationError(
                    _("The candidate's objection to a decision on this qualification is still open."),
                    code="objection_open",
                )
            }
        )


def lock_candidate(candidate: User) -> None:
    """Hold the candidate's row until the transaction ends: two administrators scheduling the same
    person queue here, so the second sees the first's assessment in ``_check_one_result`` instead
    of meeting the database's constraint (or passing the parts it cannot express)."""
    list(User.objects.select_for_update().filter(pk=candidate.pk).values_list("pk"))


def _check_not_in_past(scheduled_at: datetime) -> None:
    """Every path that schedules a session asks this: creating (one or by import), rescheduling,
    a re-assessment and an upheld objection's new assessment."""
    if scheduled_at < timezone.now():
        raise ValidationError(
            {"scheduled_at": ValidationError(_("An assessment cannot be scheduled in the past."), code="in_the_past")}
        )


def planned_minutes(qualification: Qualification, minutes: int | None = None) -> int:
    """A session's planned duration: as given, at most the qualification's maximum; by default that maximum."""
    longest = qualification.max_assessment_hours * 60
    if minutes is None:
        return longest
    if not 0 < minutes <= longest:
        raise ValidationError(
            {
                "planned_minutes": ValidationError(
                    _("A session is planned for at most %(minutes)s minutes, the qualification's maximum."),
                    code="longer_than_allowed",
                    params={"minutes": longest},
                )
            }
        )
    return minutes


def _plan(assessment: Assessment, minutes: int | None) -> None:
    assessment.planned_minutes = planned_minutes(assessment.qualification, minutes)


def _check_registered(assessment: Assessment, message: str, code: str) -> None:
    if assessment.status != Status.REGISTERED:
        raise ValidationError(message, code=code)


PEOPLE_AND_QUALIFICATION = ["candidate", "qualification", "first_assessor", "second_assessor"]


def assessment_create(
    *,
    created_by: User,
    candidate: User,
    qualification: Qualification,
    first_assessor: User,
    second_assessor: User,
    scheduled_at: datetime,
    location: str = "",
    planned_minutes: int | None = None,
) -> Assessment:
    assessment = Assessment(
        candidate=candidate,
        qualification=qualification,
        first_assessor=first_assessor,
        second_assessor=second_assessor,
        scheduled_at=scheduled_at,
        location=location,
    )
    minutes = planned_minutes
    with transaction.atomic():
        lock_candidate(candidate)
        # Every refusal at once: an import's check lists all of a row's problems, not the first.
        refuse_all(
            lambda: _check_people(candidate=candidate, first_assessor=first_assessor, second_assessor=second_assessor),
            lambda: _check_not_in_past(scheduled_at),
            lambda: _plan(assessment, minutes),
            lambda: _check_one_result(candidate=candidate, qualification=qualification),
            # Refused now rather than at the decision, when the certificate is issued.
            lambda: candidate_full_name(candidate),
            # The people and the qualification are rows already read: not read again (the foreign
            # keys hold them in the database all the same).
            lambda: assessment.full_clean(exclude=PEOPLE_AND_QUALIFICATION, validate_constraints=False),
        )
        _insert(assessment)
        audit_record(
            actor=created_by,
            action=Action.ASSESSMENT_CREATED,
            subject=assessment,
            summary=f"{qualification.code} {candidate.email}",
            assessors=[first_assessor.email, second_assessor.email],
        )
        assessment_scheduled.send(sender=Assessment, assessment=assessment)
    return assessment


def _insert(assessment: Assessment) -> None:
    """Save a new assessment. Its constraints repeat the checks above in the database's words, so
    the database checks them as it inserts, rather than three queries before each insert (an
    import of thousands); when it refuses, they say which rule in the reader's language. Inside
    an import written all or none there is no savepoint to return to: the refusal then ends the
    fast pass, and the import checks each row again in savepoints (``portal.imports``)."""
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        if not transaction.get_connection().needs_rollback:
            assessment.validate_constraints()
        raise


def assessment_check_assessors_changeable(assessment: Assessment) -> None:
    """The assessors can change only before scoring starts (no sheet exists yet)."""
    _check_registered(assessment, _("The assessors cannot change once scoring has started."), "scoring_started")


def assessment_assign_assessors(
    *, actor: User, assessment: Assessment, first_assessor: User, second_assessor: User
) -> Assessment:
    """Replace the two assessors; possible only before scoring starts (no sheet exists yet)."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().select_related("candidate").get(pk=assessment.pk)
        assessment_check_assessors_changeable(locked)
        _check_people(
            candidate=locked.candidate,
            first_assessor=first_assessor,
            second_assessor=second_assessor,
            disputed=disputed_by(locked),
        )
        locked.first_assessor, locked.second_assessor = first_assessor, second_assessor
        locked.save(update_fields=["first_assessor", "second_assessor"])
        audit_record(
            actor=actor,
            action=Action.ASSESSORS_ASSIGNED,
            subject=locked,
            summary=f"{first_assessor.email}, {second_assessor.email}",
        )
    return locked


def _check_can_move(assessment: Assessment, to: str) -> None:
    if not assessment.can_move_to(to):
        raise ValidationError(
            _("This assessment is %(status)s; that step is not possible now.")
            % {"status": assessment.get_status_display()},
            code="wrong_status",
        )


def assessment_move(assessment: Assessment, to: str, **fields: Any) -> None:
    """Guarded transition; the conditional UPDATE makes a concurrent second move fail.

    Call it inside the transaction of the step that moves the assessment.
    """
    _check_can_move(assessment, to)
    changed = Assessment.objects.filter(pk=assessment.pk, status=assessment.status).update(status=to, **fields)
    if not changed:
        raise ValidationError(_("This assessment was changed by someone else; reload the page."), code="changed")
    assessment.status = to
    for name, value in fields.items():
        setattr(assessment, name, value)


def assessment_check_schedulable(assessment: Assessment) -> None:
    """Rescheduling and cancelling are for assessments that have not started."""
    _check_registered(
        assessment, _("Only an assessment that has not started can be rescheduled or cancelled."), "not_registered"
    )


def assessment_reschedule(
    *, actor: User, assessment: Assessment, scheduled_at: datetime, location: str, reason: str
) -> Assessment:
    """Move a session that has not started to another time or place, with the reason, audited."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give the reason for the change."), code="reason_required")})
    _check_not_in_past(scheduled_at)
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update().select_related("qualification", "candidate").get(pk=assessment.pk)
        )
        assessment_check_schedulable(locked)
        before = (local_time(locked.scheduled_at), locked.location)
        locked.scheduled_at, locked.location = scheduled_at, location
        locked.full_clean()
        locked.save(update_fields=["scheduled_at", "location"])
        audit_record(
            actor=actor,
            action=Action.ASSESSMENT_RESCHEDULED,
            subject=locked,
            summary=f"{before[0]} → {local_time(scheduled_at)}",
            location_before=before[1],
            location_after=location,
            reason=reason,
        )
        assessment_rescheduled.send(sender=Assessment, assessment=locked)
    return locked


def assessment_cancel(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """Cancel a session that has not started; the assessment stays, read-only, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for the cancellation."), code="reason_required")}
        )
    with transaction.atomic():
        locked = (
            Assessment.objects.select_for_update().select_related("qualification", "candidate").get(pk=assessment.pk)
        )
        assessment_check_schedulable(locked)
        assessment_move(locked, Status.CANCELLED, cancellation_reason=reason)
        audit_record(
            actor=actor,
            action=Action.ASSESSMENT_CANCELLED,
            subject=locked,
            summary=local_time(locked.scheduled_at),
            reason=reason,
        )
        assessment_cancelled.send(sender=Assessment, assessment=locked)
    return locked


def assessment_check_startable(assessment: Assessment) -> None:
    """The start is recorded once, of a registered assessment, and not well before the scheduled
    time: recording it closes the candidate's portfolio."""
    _check_can_move(assessment, Status.SCORING)
    if timezone.now() < assessment.start_opens_at:
        raise ValidationError(
            _("This assessment is scheduled for %(time)s; its start can be recorded from %(opens)s.")
            % {
                "time": formats.date_format(timezone.localtime(assessment.scheduled_at), "DATETIME_FORMAT"),
                "opens": formats.date_format(timezone.localtime(assessment.start_opens_at), "DATETIME_FORMAT"),
            },
            code="too_early",
        )


def assessment_start(*, actor: User, assessment: Assessment) -> Assessment:
    """Record the start: uploads close and each assessor gets a blank score sheet."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(pk=assessment.pk)
        assessment_check_startable(assessment)
        started_at = timezone.now()
        assessment_move(assessment, Status.SCORING, started_at=started_at)
        competencies = list(to_judge(assessment))
        for assessor_id in assessment.assessor_ids:
            sheet = ScoreSheet.objects.create(assessment=assessment, assessor_id=assessor_id)
            Judgement.objects.bulk_create(Judgement(sheet=sheet, competency=c) for c in competencies)
        audit_record(actor=actor, action=Action.ASSESSMENT_STARTED, subject=assessment, summary=local_time(started_at))
        scoring_opened.send(sender=Assessment, assessment=assessment)
    return assessment


def assessment_check_endable(assessment: Assessment) -> None:
    """The end is recorded once, after the start."""
    if assessment.started_at is None:
        raise ValidationError(_("The assessment has not started yet."), code="not_started")
    if assessment.ended_at is not None:
        raise ValidationError(_("The end of this assessment was already recorded."), code="already_ended")


def assessment_end(*, actor: User, assessment: Assessment) -> Assessment:
    """Record the end; an assessment longer than the qualification allows is flagged (``ran_over``)."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(pk=assessment.pk)
        assessment_check_endable(assessment)
        assessment.ended_at = timezone.now()
        assessment.save(update_fields=["ended_at"])
        audit_record(
            actor=actor,
            action=Action.ASSESSMENT_ENDED,
            subject=assessment,
            summary=local_time(assessment.ended_at),
            ran_over=assessment.ran_over,
        )
    return assessment
