"""Certificates and their supplement files.

Personal data: ``Certificate.holder_name`` (copied at issuance, so a later change of the account
does not alter an issued certificate) and the rendered supplement files.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment


def new_verification_code() -> str:
    return secrets.token_urlsafe(18)


class CertificateQuerySet(models.QuerySet):
    def for_user(self, user) -> "CertificateQuerySet":
        """Certificates this user may download: administrators any, a candidate their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        if user.is_candidate:
            return self.filter(assessment__candidate=user)
        return self.none()


class Certificate(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Valid")
        REVOKED = "revoked", _("Revoked")

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    verification_code = models.CharField(
        _("verification code"), max_length=40, unique=True, default=new_verification_code
    )
    holder_name = models.CharField(_("holder's name"), max_length=300)
    # The language pair of the holder's supplement: the default at issuance, then the last one
    # an administrator rendered it in.
    first_language = models.CharField(_("first language"), max_length=2, choices=settings.LANGUAGES)
    second_language = models.CharField(_("second language"), max_length=2, choices=settings.LANGUAGES)
    issued_at = models.DateTimeField(_("date of issue"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED

    @property
    def languages(self) -> tuple[str, str]:
        return self.first_language, self.second_language

    @property
    def verification_url(self) -> str:
        return settings.PORTAL_BASE_URL + reverse("certificates:verify", args=[self.verification_code])


class CertificateCounter(models.Model):
    """Last sequence number used per qualification and year; locked while a number is taken."""

    qualification_code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["qualification_code", "year"], name="one_counter_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification_code}-{self.year}: {self.last_sequence}"


class SupplementVersion(models.Model):
    """One rendering of a certificate's supplement. Re-rendering adds a version; none is deleted."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    first_language = models.CharField(_("first language"), max_length=2, choices=settings.LANGUAGES)
    second_language = models.CharField(_("second language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(upload_to="supplements", max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    renderer_version = models.CharField(_("renderer version"), max_length=40, blank=True)
    queued_at = models.DateTimeField(_("queued at"))
    sent_at = models.DateTimeField(_("last sent to the worker at"), null=True, blank=True)
    started_at = models.DateTimeField(_("rendering started at"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Celery task id of the delivery rendering it now: the same message delivered again after
    # a worker died may take over at once, a duplicate message may not.
    claimed_by = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["certificate", "-number"]
        verbose_name = _("supplement version")
        verbose_name_plural = _("supplement versions")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "number"], name="supplement_version_unique"),
            models.CheckConstraint(
                condition=~models.Q(first_language=models.F("second_language")), name="supplement_two_languages"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} v{self.number}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def download_name(self) -> str:
        return (
            f"certificate-supplement-{self.certificate.number}-"
            f"{self.first_language}-{self.second_language}-v{self.number}.pdf"
        )
