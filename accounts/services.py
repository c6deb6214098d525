"""Creating accounts and inviting people (writes)."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.imports import ImportReport, ImportRow, import_rows
from portal.refusals import refuse_all

from . import sign_in
from .models import OidcIdentity, User, normalise_email
from .signals import (
    account_activity_changed,
    account_created,
    account_updated,
    invitations_requested,
    oidc_sign_in_refused,
    oidc_signed_in,
    password_reset_requested,
)

logger = logging.getLogger(__name__)

# Administrators create these two kinds of account in the portal; administrators themselves are
# made with ``createsuperuser`` or in the Django admin.
ROLES_CREATED_IN_PORTAL = (User.Role.CANDIDATE, User.Role.ASSESSOR)


def candidate_full_name(user: User) -> str:
    """The name a certificate prints: first and last name, never the e-mail address.

    Checked when a candidate account is created, when an assessment is scheduled and when the
    certificate is issued (docs/decisions/0007).
    """
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first and last):
        raise ValidationError(
            _(
                "A candidate needs a first and a last name: proofs print them, never the e-mail address. "
                "An administrator can add them to the account."
            ),
            code="holder_name_missing",
        )
    return f"{first} {last}"


def account_create(
    *,
    created_by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    preferred_language: str = "nl",
    invite: bool = True,
) -> tuple[User, bool]:
    """Create a candidate or assessor account without a password and queue its invitation.

    Returns the account and whether an invitation was queued. The invitation is stored with the
    account and sent by the worker after the commit, so no mail server is waited for here (a
    failed one is shown on the E-mails page, to send again). ``invite=False`` leaves the
    invitation to the caller (an import queues them once every row is stored).
    """
    if role not in ROLES_CREATED_IN_PORTAL:
        raise ValidationError(_("Only candidate and assessor accounts are created here."), code="role")
    email = normalise_email(email)
    user = User(
        username=email,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        preferred_language=preferred_language,
    )
    user.set_unusable_password()
    # Every refusal at once: an import's check lists all of a row's problems, not the first.
    refuse_all(
        lambda: role == User.Role.CANDIDATE and candidate_full_name(user),
        lambda: _check_email_free(email),
        # The unique columns repeat the address check: the database checks them as it inserts
        # (``_save_account``), rather than three queries before each insert (an import of thousands).
        lambda: user.full_clean(validate_unique=False, validate_constraints=False),
    )
    with transaction.atomic():
        _save_account(user)
        account_created.send(sender=User, account=user, created_by=created_by)
        if invite:
            invitation_send(user=user)
    return user, invite


def _email_taken() -> ValidationError:
    return ValidationError(
        {"email": ValidationError(_("An account with this e-mail address already exists."), code="duplicate")}
    )


def _check_email_free(email: str, *, account: User | None = None) -> None:
    """One account per e-mail address, whatever its capitals (``User.objects.by_email``);
    ``account`` may keep its own."""
    others = User.objects.by_email(email)
    if account is not None:
        others = others.exclude(pk=account.pk)
    if others.exists():
        raise _email_taken()


def _save_account(account: User, **options: Any) -> None:
    """Save; an account given the same address meanwhile (the unique index on the address) is the
    same refusal as ``_check_email_free``'s, not a server error."""
    try:
        with transaction.atomic():
            account.save(**options)
    except IntegrityError:
        raise _email_taken() from None


# What an administrator may correct on a person's page.
CORRECTABLE = ("first_name", "last_name", "email", "preferred_language")


def _check_managed_here(account: User) -> None:
    if account.role not in ROLES_CREATED_IN_PORTAL:
        raise ValidationError(_("Only candidate and assessor accounts are managed here."), code="role")


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"preferred_language": ValidationError(_("Choose one of the portal's languages."), code="unknown_language")}
        )


def account_update(
    *, actor: User, account: User, first_name: str, last_name: str, email: str, preferred_language: str
) -> User:
    """Correct a candidate's or assessor's name, e-mail address or language, by the rules of a new
    account (a candidate's full name, one account per address, plain text); audited with what
    changed. A certificate already issued keeps the name it was issued to."""
    _check_managed_here(account)
    corrected = User.objects.get(pk=account.pk)
    corrected.first_name, corrected.last_name = first_name.strip(), last_name.strip()
    corrected.email, corrected.preferred_language = normalise_email(email), preferred_language
    refuse_all(
        lambda: account.role == User.Role.CANDIDATE and candidate_full_name(corrected),
        lambda: _check_email_free(corrected.email, account=account),
        lambda: _check_language(preferred_language),
        lambda: corrected.full_clean(
            exclude=["password", "preferred_language"], validate_unique=False, validate_constraints=False
        ),
    )
    changes = {
        name: (getattr(account, name), getattr(corrected, name))
        for name in CORRECTABLE
        if getattr(account, name) != getattr(corrected, name)
    }
    if not changes:
        return account
    with transaction.atomic():
        _save_account(corrected, update_fields=[*changes, "username"])
        account_updated.send(sender=User, account=corrected, changed_by=actor, changes=changes)
    return corrected


def account_set_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivate a candidate's or assessor's account (they can no longer sign in; nothing of
    theirs is deleted) or reactivate it; audited."""
    _check_managed_here(account)
    with transaction.atomic():
        changed = User.objects.filter(pk=account.pk).exclude(is_active=active).update(is_active=active)
        account.is_active = active
        if changed:
            account_activity_changed.send(sender=User, account=account, changed_by=actor)
    return account


def administrator_create(*, created_by: User, account: User) -> User:
    """Store an account added in the Django admin: always an administrator, audited like the others.

    Candidates and assessors are created by ``account_create`` (names checked, invitation sent);
    the admin's form has already checked the address and the password.
    """
    account.role = User.Role.ADMINISTRATOR
    with transaction.atomic():
        account.save()
        account_created.send(sender=User, account=account, created_by=created_by)
    return account


def candidates_import(
    *, created_by: User, rows: list[ImportRow], write: bool, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Candidate accounts from a spreadsheet, each by ``account_create``'s rules, all or none.

    A dry run (``write=False``) reports every row's problem and stores nothing. The invitations
    are stored with the accounts, in the same transaction, and handed to the worker in one go
    after the commit: an import of thousands answers without waiting for a mail server.
    """

    def create(**values: Any) -> User:
        return account_create(created_by=created_by, role=User.Role.CANDIDATE, invite=False, **values)[0]

    with transaction.atomic():
        report = import_rows(rows, create, write=write, progress=progress)
        if report.created:
            invitations_requested.send(sender=User, accounts=report.created)
    return report


def invitation_send(*, user: User) -> None:
    """Queue the set-password e-mail (sent by the worker, in the account's own language)."""
    if not (user.is_active and user.role in ROLES_CREATED_IN_PORTAL):
        raise ValidationError(_("Invitations go to active candidate and assessor accounts only."), code="role")
    invitations_requested.send(sender=User, accounts=[user])


def password_reset_request(*, email: str) -> None:
    """Queue a reset link for the active account with this address and a password, if there is one.

    Nothing is sent in the request and the caller learns nothing: the page answers the same
    whether or not the address has an account.
    """
    for user in User.objects.by_email(email).filter(is_active=True):
        if user.has_usable_password() and sign_in.password_allowed(user):
            password_reset_requested.send(sender=User, account=user)


def account_set_language(*, user: User, language: str) -> User:
    """The person's own language: the portal's pages after sign-in and the e-mails they receive."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"language": ValidationError(_("Choose one of the portal's languages."), code="unknown_language")}
        )
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


class OidcRefusal(ValidationError):
    """A refused sign-in with the provider; ``account`` is the account concerned, if one is."""

    def __init__(self, message: str, *, code: str, account: User | None = None):
        super().__init__(message, code=code)
        self.account = account


def oidc_sign_in(*, issuer: str, subject: str, email: Any, email_verified: Any) -> User:
    """The account a sign-in with the provider opens, audited; refused with a reason otherwise.

    A known (issuer, subject) opens its account, whatever e-mail address the provider now gives.
    The first time, the provider's e-mail address must be verified and be an active account's,
    not a superuser's: that account is linked to the subject. No account is ever created here, and only the issuer
    and the subject are stored (docs/decisions/0034).
    """
    try:
        with transaction.atomic():
            user, linked = _oidc_account(issuer, subject, email, email_verified)
            oidc_signed_in.send(sender=User, account=user, issuer=issuer, linked=linked)
    except OidcRefusal as refusal:
        oidc_sign_in_refused.send(sender=User, account=refusal.account, issuer=issuer, reason=refusal.code)
        raise
    return user


def oidc_sign_in_failed(*, issuer: str, reason: str) -> None:
    """A sign-in with the provider that failed before any account was looked for (the provider
    unreachable, or its token or userinfo not acceptable), audited with its reason code."""
    oidc_sign_in_refused.send(sender=User, account=None, issuer=issuer, reason=reason)


def _oidc_account(issuer: str, subject: str, email: Any, email_verified: Any) -> tuple[User, bool]:
    identity = OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        _check_active(identity.user)
        OidcIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
        return identity.user, False
    # OpenID Connect Core 5.1: email_verified is a JSON boolean; nothing else counts as verified.
    if email_verified is not True or not isinstance(email, str) or not email:
        raise OidcRefusal(
            _(
                "Your sign-in service did not confirm your e-mail address, so the portal cannot tell "
                "which account is yours. Confirm your e-mail address there and try again, or ask the centre."
            ),
            code="email_unverified",
        )
    user = User.objects.by_email(email).first()
    if user is None:
        raise OidcRefusal(
            _(
                "No account of this portal has the e-mail address your sign-in service gave. The portal "
                "creates no accounts by itself: ask the centre to give your account that address."
            ),
            code="email_unknown",
        )
    _check_active(user)
    if user.is_superuser:
        # Linked by an e-mail address alone, a superuser would be whoever controls that address at
        # the provider; superusers sign in with their password on the Django admin's page instead.
        raise OidcRefusal(
            _(
                "This account cannot be linked to a sign-in service by its e-mail address. "
                "Sign in on the administration's sign-in page."
            ),
            code="superuser",
            account=user,
        )
    try:
        with transaction.atomic():
            OidcIdentity.objects.create(issuer=issuer, subject=subject, user=user, last_used_at=timezone.now())
    except IntegrityError:
        if OidcIdentity.objects.filter(issuer=issuer, subject=subject, user=user).exists():
            return user, False  # the same person's simultaneous first sign-in linked it
        raise OidcRefusal(
            _(
                "Your account is already linked to another identity at this sign-in service. "
                "Ask the centre to remove that link, then try again."
            ),
            code="linked_to_another",
            account=user,
        ) from None
    return user, True


def _check_active(user: User) -> None:
    if not user.is_active:
        raise OidcRefusal(
            _("This account is deactivated. Ask the centre if you should still have access."),
            code="inactive",
            account=user,
        )
