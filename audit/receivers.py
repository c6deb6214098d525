"""Account events, recorded in the transaction that sends them (see ``accounts.signals``)."""

from django.dispatch import receiver

from accounts.signals import account_created

from .services import Action, audit_record


@receiver(account_created)
def record_account_created(sender, *, account, created_by, **kwargs) -> None:
    audit_record(
        actor=created_by,
        action=Action.ACCOUNT_CREATED,
        subject=account,
        summary=f"{account.role} {account.email}",
        role=account.role,
    )
