"""API keys for integrations, and the answers to POSTs kept for their ``Idempotency-Key``.

A key is stored hashed (``rest_framework_api_key``: a public prefix and the SHA-512 of the whole
key); the key itself is shown once, when it is made. It acts for the administrator who made it,
within its scopes. Personal data: none besides the administrator named.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

# The resources of the API, each read or written by a key with that scope.
RESOURCES = {
    "people": _("People"),
    "assessments": _("Assessments"),
    "results": _("Results"),
    "documents": _("Documents"),
}
READ, WRITE = "read", "write"


class ApiKey(AbstractAPIKey):
    """Made, scoped and revoked by administrators (``services``); never changed otherwise."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    # {"people": "read", "assessments": "write", ...}: "write" includes reading; a resource not
    # named is out of the key's reach.
    scopes = models.JSONField(_("scopes"), default=dict)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ("-created",)
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    @property
    def label(self) -> str:
        """How the audit trail names the key: its name and public prefix."""
        return f"{self.name} ({self.prefix})"

    def allows(self, resource: str, *, write: bool) -> bool:
        scope = self.scopes.get(resource)
        return scope == WRITE or (scope == READ and not write)

    def scope_of(self, resource: str) -> str:
        return self.scopes.get(resource, "")

    def scope_labels(self) -> list[tuple[str, str]]:
        """Each resource the key reaches, by its name in the reader's language, with its scope."""
        return [(str(label), self.scopes[resource]) for resource, label in RESOURCES.items() if resource in self.scopes]


class IdempotentResponse(models.Model):
    """The answer to a POST sent with an ``Idempotency-Key``, kept for a day: the same key with
    the same request gets it again without the step running twice (``services.idempotent``)."""

    # Who sent it: "key:<id>" or "user:<id>"; one caller's keys never meet another's.
    caller = models.CharField(max_length=200)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    status = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="one_response_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
