"""Account events, recorded in the transaction that sends them (see ``accounts.signals``), and
refused infected uploads (``portal.scanning``)."""

from django.dispatch import receiver

from accounts.signals import (
    account_activity_changed,
    account_created,
    account_updated,
    oidc_sign_in_refused,
    oidc_signed_in,
)
from portal.scanning import upload_refused

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


@receiver(account_updated)
def record_account_updated(sender, *, account, changed_by, changes, **kwargs) -> None:
    # The values only, before and after: the summary reads the same in every language.
    audit_record(
        actor=changed_by,
        action=Action.ACCOUNT_UPDATED,
        subject=account,
        summary="; ".join(f"{before} → {after}" for before, after in changes.values()),
        changes={name: list(values) for name, values in changes.items()},
    )


@receiver(account_activity_changed)
def record_account_activity_changed(sender, *, account, changed_by, **kwargs) -> None:
    audit_record(
        actor=changed_by,
        action=Action.ACCOUNT_REACTIVATED if account.is_active else Action.ACCOUNT_DEACTIVATED,
        subject=account,
        summary=account.email,
    )


@receiver(oidc_signed_in)
def record_oidc_signed_in(sender, *, account, issuer, linked, **kwargs) -> None:
    """The issuer only: the subject and the provider's claims stay out of the trail."""
    audit_record(
        actor=account,
        action=Action.OIDC_LINKED if linked else Action.OIDC_SIGNED_IN,
        subject=account,
        summary=issuer,
        issuer=issuer,
    )


@receiver(oidc_sign_in_refused)
def record_oidc_sign_in_refused(sender, *, account, issuer, reason, **kwargs) -> None:
    """The reason's code and the account concerned if there is one; not the e-mail address the
    provider gave when it matched no account (not a person of the portal's)."""
    audit_record(actor=None, action=Action.OIDC_REFUSED, subject=account, summary=reason, issuer=issuer, reason=reason)


@receiver(upload_refused)
def record_infected_upload(sender, *, actor, subject, name, signature, kind, sha256, size, **kwargs) -> None:
    """Written on its own, not in a transaction of the refused change: there is none to undo."""
    audit_record(
        actor=actor,
        action=Action.UPLOAD_INFECTED,
        subject=subject,
        summary=f"{name}: {signature}",
        kind=kind,
        signature=signature,
        sha256=sha256,
        size=size,
    )
