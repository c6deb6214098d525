"""Reconciliation (rule 4): where the two assessors disagree, each may revise their own judgement."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record

from ..models import Assessment, Judgement, JudgementRevision
from ..selectors import competency_pairs
from .decision import decide_if_agreed, judgement_summary
from .lifecycle import Status


def reconciliation_check_open(assessment: Assessment) -> None:
    """Judgements are revised while the assessment is in reconciliation, not before or after."""
    if assessment.status != Status.RECONCILIATION:
        raise ValidationError(_("This assessment is not in reconciliation."), code="not_reconciliation")


def judgement_revise(
    *, actor: User, assessment: Assessment, competency_id: int, proven: bool, reason: str
) -> Judgement:
    """An assessor changes their own judgement of a disputed competency, with the reason.

    When that ends the last disagreement, the decision follows in the same transaction.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for revising your judgement."), code="no_reason")}
        )
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("qualification").get(pk=assessment.pk)
        reconciliation_check_open(assessment)
        judgement = (
            Judgement.objects.select_related("sheet", "competency")
            .filter(sheet__assessment=assessment, sheet__assessor=actor, competency_id=competency_id)
            .first()
        )
        if judgement is None:
            raise ValidationError(
                _("You can only revise your own judgement of a competency of this assessment."),
                code="not_own_judgement",
            )
        pair = next(p for p in competency_pairs(assessment) if p.competency.pk == competency_id)
        if pair.agreed:
            raise ValidationError(_("Both assessors agree on this competency: the judgement is final."), code="agreed")
        if judgement.proven == proven:
            raise ValidationError({"proven": ValidationError(_("That is already your judgement."), code="unchanged")})
        JudgementRevision.objects.create(
            judgement=judgement,
            proven_before=bool(judgement.proven),  # judged: the sheet was submitted
            proven_after=proven,
            reason=reason,
            justification_before=judgement.justification,
        )
        judgement.proven = proven
        if proven:
            judgement.justification = ""  # it argued "not proven"; the revision keeps it
        elif not judgement.justification:
            judgement.justification = reason
        judgement.save(update_fields=["proven", "justification", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.JUDGEMENT_REVISED,
            subject=assessment,
            summary=judgement_summary(judgement.competency, proven),
            competency=judgement.competency.code,
            proven=proven,
            reason=reason,
        )
        decide_if_agreed(actor=actor, assessment=assessment)
    return judgement
