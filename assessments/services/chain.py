"""Re-assessment of the remaining competencies (rule 5): a chain of assessments.

A follow-up assessment carries over what the chain proved (within the validity period) and its
assessors judge only the rest; the decision then looks at the whole chain.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record

from ..models import Assessment, CarriedOver
from ..selectors import decision_time, proven_in_chain
from ..signals import assessment_scheduled
from .lifecycle import (
    Status,
    _check_not_in_past,
    _check_one_result,
    _check_people,
    local_time,
    lock_candidate,
    planned_minutes,
)


def valid_until(proven_in: Assessment) -> datetime | None:
    """Until when the competencies this decision proved carry over; None: for good."""
    days = settings.CARRIED_OVER_VALIDITY_DAYS
    return None if days is None else decision_time(proven_in) + timedelta(days=days)


def still_valid(proven_in: Assessment, now: datetime) -> bool:
    until = valid_until(proven_in)
    return until is None or until >= now


def _check_followable(previous: Assessment) -> None:
    """A decision that is not a certification is followed once, by a re-assessment or an upheld
    objection's new assessment, which must respect one valid result per candidate and qualification."""
    if previous.status != Status.NOT_CERTIFIED:
        raise ValidationError(
            _("Only an assessment decided as not certified can be followed by another."), code="not_followable"
        )
    if Assessment.objects.filter(previous=previous).exists():
        raise ValidationError(_("This assessment is already followed by another one."), code="already_followed")
    _check_one_result(candidate=previous.candidate, qualification=previous.qualification, following=previous)


def reassessment_check_schedulable(previous: Assessment) -> None:
    """A re-assessment follows a not-certified decision once, and not while an objection to it is open."""
    _check_followable(previous)
    if previous.has_open_objection():
        raise ValidationError(_("An objection against this decision is still open."), code="objection_open")


def follow_up_create(
    *,
    actor: User,
    previous: Assessment,
    first_assessor: User,
    second_assessor: User,
    scheduled_at: datetime,
    location: str,
    carried: dict[int, Assessment],
    disputed: Assessment | None = None,
) -> Assessment:
    """Create the next assessment of a chain; call it inside the transaction that locked ``previous``.

    ``disputed`` is the assessment an upheld objection disputes: its assessors take no part.
    """
    _check_people(
        candidate=previous.candidate,
        first_assessor=first_assessor,
        second_assessor=second_assessor,
        disputed=disputed,
    )
    _check_not_in_past(scheduled_at)
    lock_candidate(previous.candidate)
    _check_one_result(candidate=previous.candidate, qualification=previous.qualification, following=previous)
    assessment = Assessment(
        candidate=previous.candidate,
        qualification=previous.qualification,
        first_assessor=first_assessor,
        second_assessor=second_assessor,
        scheduled_at=scheduled_at,
        location=location,
        previous=previous,
        planned_minutes=planned_minutes(previous.qualification),
    )
    assessment.full_clean(exclude=["previous"])
    assessment.save()
    CarriedOver.objects.bulk_create(
        CarriedOver(assessment=assessment, competency_id=competency_id, proven_in=proven_in)
        for competency_id, proven_in in carried.items()
    )
    assessment_scheduled.send(sender=Assessment, assessment=assessment)
    return assessment


def reassessment_schedule(
    *,
    actor: User,
    previous: Assessment,
    first_assessor: User,
    second_assessor: User,
    scheduled_at: datetime,
    location: str = "",
) -> Assessment:
    """An administrator schedules the re-assessment of the competencies not (validly) proven yet."""
    with transaction.atomic():
        previous = (
            Assessment.objects.select_for_update().select_related("candidate", "qualification").get(pk=previous.pk)
        )
        reassessment_check_schedulable(previous)
        now = timezone.now()
        carried = {c: a for c, a in proven_in_chain(previous).items() if still_valid(a, now)}
        assessment = follow_up_create(
            actor=actor,
            previous=previous,
            first_assessor=first_assessor,
            second_assessor=second_assessor,
            scheduled_at=scheduled_at,
            location=location,
            carried=carried,
        )
        audit_record(
            actor=actor,
            action=Action.REASSESSMENT_SCHEDULED,
            subject=assessment,
            summary=f"{previous.qualification.code} {previous.candidate.email} {local_time(scheduled_at)}",
            previous_id=previous.pk,
            assessors=[first_assessor.email, second_assessor.email],
            carried_over=sorted(carried),
        )
    return assessment
