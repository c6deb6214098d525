"""People: one account per person, signing in with an e-mail address, with one role.

Personal data: first and last name, e-mail address, preferred language.
"""

import contextlib
import unicodedata
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from portal.text import refuse_control_characters


def normalise_email(address: str | None) -> str:
    """The one spelling of an e-mail address: compatibility characters folded (NFKC), trimmed and
    in lower case.

    People type their address in any case, and nobody has two mailboxes that differ only in case.
    Django's sign-in form folds look-alikes (a full-width "ａ", a long "ſ") into plain letters before
    it looks the account up, so the sign-in limits must count the folded spelling too. Every path
    that stores, looks up or counts an address goes through here, and looks up the result exactly
    (``User.objects.by_email``): a database's own case folding (PostgreSQL's UPPER turns "ı" into
    "I") would otherwise match a spelling that the limits count apart.
    """
    folded = unicodedata.normalize("NFKC", address or "").strip().lower()
    local, at, domain = folded.rpartition("@")
    if not at:
        return folded
    # The domain as mail is addressed (IDNA, as Django's mail does): invisible characters such as a
    # soft hyphen are dropped and "ß" is "ss", so two spellings of one mailbox are one address. Not
    # a domain name at all: left as typed, for the e-mail validator to refuse.
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("idna")
    return f"{local}@{domain}"


class AccountManager(UserManager["User"]):
    """Accounts sign in with their e-mail address; ``username`` is kept equal to it."""

    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def by_email(self, address: str | None) -> "models.QuerySet[User]":
        """The account with this address, in any spelling that normalises to the stored one.

        The stored side is only lower-cased (an address written with capitals by a bulk update
        still matches), through the unique index on LOWER(email).
        """
        return self.filter(Exact(Lower("email"), normalise_email(address)))

    def by_emails(self, addresses: Iterable[str]) -> "models.QuerySet[User]":
        """The accounts with any of these addresses (as ``by_email`` matches one), in one query
        through the same index: an import looks up a chunk of rows' people at once."""
        wanted = {normalise_email(address) for address in addresses if address}
        return self.alias(email_folded=Lower("email")).filter(email_folded__in=wanted)

    def get_by_natural_key(self, username):
        return self.by_email(username).get()

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", User.Role.ADMINISTRATOR)
        return super().create_superuser(email, email, password, **extra_fields)

    def active_with_role(self, role: str) -> "models.QuerySet[User]":
        return self.filter(role=role, is_active=True).order_by("last_name", "first_name")


class User(AbstractUser):
    class Role(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ASSESSOR = "assessor", _("Assessor")
        ADMINISTRATOR = "administrator", _("Administrator")

    # Names are printed on certificates, in e-mails and in spreadsheets: one line of plain text.
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[refuse_control_characters])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[refuse_control_characters])
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="nl"
    )
    # Personal data, printed on a certificate only when CERTIFICATE_SHOWS_DATE_OF_BIRTH is on, to
    # tell two holders with the same name apart.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[AccountManager] = AccountManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        # People are listed and paged by name.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="account_name_idx")]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_unique_without_case",
                violation_error_code="duplicate",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        self.username = self.email
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return self.get_full_name()

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMINISTRATOR or self.is_superuser)

    @property
    def is_assessor(self) -> bool:
        return self.is_active and self.role == self.Role.ASSESSOR

    @property
    def is_candidate(self) -> bool:
        return self.is_active and self.role == self.Role.CANDIDATE


class OidcIdentity(models.Model):
    """An account's identity at an OpenID Connect provider: the provider (its issuer) and the
    subject it gives the person, nothing else of what the provider says about them.

    Made at the first sign-in with the provider (matched by a verified e-mail address), found by
    (issuer, subject) at every later one. No national register number, no names: see
    docs/decisions/0034.
    """

    issuer = models.CharField(_("provider (issuer)"), max_length=255)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    # No index of its own: the constraint (user, issuer) below starts with it.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="oidc_identities", verbose_name=_("account"), db_index=False
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last sign-in"))

    class Meta:
        verbose_name = _("sign-in identity")
        verbose_name_plural = _("sign-in identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="accounts_oidc_identity_unique"),
            # One identity per account and provider: a second one is refused, not silently added.
            models.UniqueConstraint(fields=["user", "issuer"], name="accounts_oidc_identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
