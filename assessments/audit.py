"""The one way to write to the audit trail (rule 7 of the procedure)."""

from .models import AuditEntry

Action = AuditEntry.Action


def record(*, actor, action: str, summary: str, assessment=None, assessment_id: int | None = None,
           **data) -> AuditEntry:
    """Append an entry. Call it inside the transaction of the change it records, so both land or neither."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        assessment_id=assessment.pk if assessment is not None else assessment_id,
        summary=summary[:500],
        data=data,
    )
