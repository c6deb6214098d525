"""The decision (rule 5), computed from the judgements and never typed, and issuance (rule 6)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record
from certificates import api as certificates
from qualifications.api import proof_due
from qualifications.models import Competency, Proof

from ..models import Assessment
from ..selectors import CompetencyPair, carried_over, competency_pairs, to_judge
from ..signals import assessment_decided
from .lifecycle import Status, assessment_move


def judgement_summary(competency: Competency, proven: bool | None) -> str:
    mark = "—" if proven is None else "✔" if proven else "✘"
    return f"{competency.code}: {mark}"


def decide_if_agreed(*, actor: User, assessment: Assessment) -> bool:
    """Decide once both assessors agree on every competency; False while any is disputed.

    Call it inside the transaction that locked the assessment.
    """
    pairs = competency_pairs(assessment)
    if not all(pair.agreed for pair in pairs):
        return False
    assessment_decide(actor=actor, assessment=assessment, pairs=pairs)
    return True


def assessment_decide(*, actor: User, assessment: Assessment, pairs: list[CompetencyPair]) -> None:
    """Certified if and only if every competency of the standard is finally proven by both.

    In the same transaction the decision issues the one proof the EVC decree gives for what the
    chain proved (``proof_due``): of the professional qualification (certified), of partial
    qualification, or of competencies; none when nothing is proven.
    """
    judged = {pair.competency.pk for pair in pairs}
    standard = set(assessment.qualification.competencies.values_list("pk", flat=True))
    if not standard or judged != set(to_judge(assessment).values_list("pk", flat=True)):
        raise ValidationError(
            _("The score sheets do not cover the competencies of the qualification."), code="incomplete_standard"
        )
    if not all(pair.agreed for pair in pairs):
        raise ValidationError(_("The assessors do not agree on every competency yet."), code="disputed")
    carried = carried_over(assessment)
    proven = sorted([c.competency for c in carried] + [p.competency for p in pairs if p.proven], key=lambda c: c.order)
    due = proof_due(qualification_id=assessment.qualification_id, proven={c.pk for c in proven})
    # Certified when the chain proved the whole standard (rule 5).
    certified = due.kind == Proof.CERTIFICATE
    assessment_move(assessment, Status.CERTIFIED if certified else Status.NOT_CERTIFIED, decided_at=timezone.now())
    audit_record(
        actor=actor,
        action=Action.DECISION,
        subject=assessment,
        summary=assessment.status,
        proven=[p.competency.code for p in pairs if p.proven],
        not_proven=[p.competency.code for p in pairs if not p.proven],
        carried_over=[c.competency.code for c in carried],
    )
    assessment_decided.send(sender=Assessment, assessment=assessment)
    if due.kind == Proof.CERTIFICATE:
        certificates.certificate_issue(assessment=assessment, actor=actor)
    elif due.kind == Proof.PARTIAL:
        certificates.partial_issue(assessment=assessment, competencies=proven, actor=actor)
    elif due.kind == Proof.STATEMENT:
        certificates.statement_issue(assessment=assessment, competencies=proven, actor=actor)
