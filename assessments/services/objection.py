"""Objection (bezwaar) against a decision: lodged by the candidate within the period, decided by
an administrator; upheld, it schedules a new assessment of the disputed competencies by two
assessors who did not take part."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record
from qualifications.models import Competency

from ..models import Assessment, Objection
from ..selectors import objection_deadline, proven_in_chain
from ..signals import objection_decided, objection_lodged
from .chain import _check_followable, follow_up_create
from .lifecycle import Status, local_time


def objection_check_lodgeable(*, actor: User, assessment: Assessment) -> None:
    """The candidate objects to a decision that is not a certification, once, within the period."""
    if actor.pk != assessment.candidate_id:
        raise ValidationError(_("Only the candidate can object to the decision."), code="not_candidate")
    if assessment.status != Status.NOT_CERTIFIED:
        raise ValidationError(
            _("Only a decision that is not a certification can be objected to."), code="not_objectable"
        )
    if timezone.now() > objection_deadline(assessment):
        raise ValidationError(
            _("The period for an objection ended on %(date)s.")
            % {"date": f"{timezone.localtime(objection_deadline(assessment)):%Y-%m-%d}"},
            code="period_over",
        )
    if Objection.objects.filter(assessment=assessment).exists():
        raise ValidationError(_("An objection against this decision was already lodged."), code="second_objection")


def objection_lodge(*, actor: User, assessment: Assessment, competencies: list[Competency], reason: str) -> Objection:
    """The candidate objects to the decision on some competencies judged not proven, with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give the reason for your objection."), code="no_reason")})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        objection_check_lodgeable(actor=actor, assessment=assessment)
        not_proven = _not_proven(assessment)
        if not competencies or any(c.pk not in not_proven for c in competencies):
            raise ValidationError(
                {
                    "competencies": ValidationError(
                        _("Choose the competencies judged not proven that you dispute."), code="not_disputable"
                    )
                }
            )
        objection = Objection.objects.create(assessment=assessment, reason=reason, lodged_at=timezone.now())
        objection.competencies.set(competencies)
        audit_record(
            actor=actor,
            action=Action.OBJECTION_LODGED,
            subject=assessment,
            summary=", ".join(sorted(c.code for c in competencies)),
            reason=reason,
        )
        objection_lodged.send(sender=Objection, objection=objection)
    return objection


def _not_proven(assessment: Assessment) -> set[int]:
    proven = proven_in_chain(assessment)
    return set(assessment.qualification.competencies.exclude(pk__in=proven).values_list("pk", flat=True))


def objection_check_open(objection: Objection) -> None:
    """An objection is decided once."""
    if not objection.is_open:
        raise ValidationError(_("This objection was already decided."), code="decided")


def _locked_open(objection: Objection) -> Objection:
    objection = Objection.objects.select_for_update().select_related("assessment").get(pk=objection.pk)
    objection_check_open(objection)
    return objection


def objection_reject(*, actor: User, objection: Objection, reason: str) -> Objection:
    """The administrator rejects the objection, with the reason; the decision stands."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give the reason for the outcome."), code="no_reason")})
    with transaction.atomic():
        objection = _locked_open(objection)
        _decide(actor, objection, Objection.Status.REJECTED, reason)
    return objection


def objection_uphold(
    *,
    actor: User,
    objection: Objection,
    reason: str,
    first_assessor: User,
    second_assessor: User,
    scheduled_at: datetime,
    location: str = "",
) -> Objection:
    """The administrator upholds the objection: a new assessment of the disputed competencies,
    by two assessors who did not take part in the disputed one."""
    with transaction.atomic():
        objection = _locked_open(objection)
        disputed = (
            Assessment.objects.select_for_update()
            .select_related("candidate", "qualification")
            .get(pk=objection.assessment_id)
        )
        _check_followable(disputed)
        new = follow_up_create(
            actor=actor,
            previous=disputed,
            first_assessor=first_assessor,
            second_assessor=second_assessor,
            scheduled_at=scheduled_at,
            location=location,
            carried=proven_in_chain(disputed),
            disputed=disputed,
        )
        objection.new_assessment = new
        _decide(actor, objection, Objection.Status.UPHELD, reason.strip())
        audit_record(
            actor=actor,
            action=Action.ASSESSMENT_CREATED,
            subject=new,
            summary=f"{disputed.qualification.code} {disputed.candidate.email} {local_time(scheduled_at)}",
            objection_id=objection.pk,
            assessors=[first_assessor.email, second_assessor.email],
        )
    return objection


def _decide(actor: User, objection: Objection, status: str, reason: str) -> None:
    objection.status, objection.outcome_reason = status, reason
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save(update_fields=["status", "outcome_reason", "decided_by", "decided_at", "new_assessment"])
    audit_record(
        actor=actor,
        action=Action.OBJECTION_DECIDED,
        subject=objection.assessment,
        summary=status,
        reason=reason,
        new_assessment_id=objection.new_assessment_id,
    )
    objection_decided.send(sender=Objection, objection=objection)


def objection_decide(
    *,
    actor: User,
    objection: Objection,
    upheld: bool,
    reason: str,
    first_assessor: User | None = None,
    second_assessor: User | None = None,
    scheduled_at: datetime | None = None,
    location: str = "",
) -> Objection:
    """The administrator's outcome: rejected (with a reason) or upheld (with the new assessment)."""
    if not upheld:
        return objection_reject(actor=actor, objection=objection, reason=reason)
    if first_assessor is None or second_assessor is None or scheduled_at is None:
        raise ValidationError(
            {
                name: ValidationError(
                    _("Choose the assessors and the date of the new assessment."), code="new_assessment_incomplete"
                )
                for name, value in (
                    ("first_assessor", first_assessor),
                    ("second_assessor", second_assessor),
                    ("scheduled_at", scheduled_at),
                )
                if value is None
            }
        )
    return objection_uphold(
        actor=actor,
        objection=objection,
        reason=reason,
        first_assessor=first_assessor,
        second_assessor=second_assessor,
        scheduled_at=scheduled_at,
        location=location,
    )
