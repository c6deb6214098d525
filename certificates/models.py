"""Certificates and their supplement files.

Personal data: ``Certificate.holder_name`` and ``Certificate.holder_birth_date`` (copied at
issuance, so a later change of the account does not alter an issued certificate; the date of birth
only when ``CERTIFICATE_SHOWS_DATE_OF_BIRTH`` is on) and the rendered files (supplement, statement
and proof of professional qualification).
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from portal.storage import get_private_storage
from portal.text import refuse_control_characters
from qualifications.models import Competency, PartialQualification, Proof


def new_verification_code() -> str:
    return secrets.token_urlsafe(18)


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def for_user(self, user) -> "CertificateQuerySet":
        """Certificates this user may download: administrators any, a candidate their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        if user.is_candidate:
            return self.filter(assessment__candidate=user)
        return self.none()


class IssuingCentreQuerySet(models.QuerySet["IssuingCentre"]):
    def current(self) -> "IssuingCentre | None":
        return self.filter(is_current=True).first()


class IssuingCentre(models.Model):
    """One version of the recognised test centre that awards the documents (its name, address and
    recognition number, as printed on them and named in their credentials).

    A version is never changed: an administrator's edit makes the next version, which becomes
    the current one (``services.issuing_centre_revise``), so each document keeps the version it
    was issued with, also when it is rendered again (docs/decisions/0019-issuing-centre-versions.md).
    At most one version is current: it issues new documents and names the issuer profile.
    """

    name = models.CharField(_("name"), max_length=200, validators=[refuse_control_characters])
    address = models.TextField(_("address"), help_text=_("Street and number, postcode and town; one line each."))
    recognition_number = models.CharField(
        _("recognition number"), max_length=60, validators=[refuse_control_characters]
    )
    is_current = models.BooleanField(_("issues new certificates"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("replaces version"),
    )
    # Empty for the versions entered before versions were kept.
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    objects = IssuingCentreQuerySet.as_manager()

    class Meta:
        ordering = ["-is_current", "-pk"]
        verbose_name = _("issuing centre")
        verbose_name_plural = _("issuing centres")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_issuing_centre"
            ),
            models.CheckConstraint(
                condition=models.Q(previous__isnull=True, version=1) | models.Q(previous__isnull=False, version__gt=1),
                name="issuing_centre_first_version_replaces_none",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.recognition_number}), v{self.version}"

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    def history(self) -> list["IssuingCentre"]:
        """Every version of this centre, the latest first (a centre has a handful)."""
        latest = self
        while (following := IssuingCentre.objects.filter(previous=latest).first()) is not None:
            latest = following
        versions = [latest]
        while (previous := versions[-1].previous) is not None:
            versions.append(previous)
        return versions


class Certificate(models.Model):
    """A document issued on a decision, one of the EVC decree's three proofs (``Kind``): of the
    professional qualification, of partial qualification, or of competencies. All are numbered,
    verified, rendered, re-rendered and revoked the same way; see docs/decisions/0011-outcomes.md
    and 0015-partial-qualifications.md."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Valid")
        REVOKED = "revoked", _("Revoked")

    Kind = Proof

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="certificate")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CERTIFICATE)
    # The competencies a proof of partial qualification or of competencies covers, fixed at
    # issuance (empty for the proof of professional qualification: it covers all).
    competencies = models.ManyToManyField(Competency, blank=True, related_name="+", verbose_name=_("competencies"))
    # The partial qualifications a proof of partial qualification names, fixed at issuance.
    partial_qualifications = models.ManyToManyField(
        PartialQualification, blank=True, related_name="+", verbose_name=_("partial qualifications")
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    verification_code = models.CharField(
        _("verification code"), max_length=40, unique=True, default=new_verification_code
    )
    # A first and a last name of 150 characters each, and the space between them.
    holder_name = models.CharField(_("holder's name"), max_length=301)
    holder_birth_date = models.DateField(_("holder's date of birth"), null=True, blank=True)
    issuing_centre = models.ForeignKey(
        IssuingCentre, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("issuing centre")
    )
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
        # The dashboard's "certificate revoked" filter starts from the few revoked certificates.
        indexes = [models.Index(fields=["status"], name="certificate_status_idx")]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED

    @property
    def is_statement(self) -> bool:
        return self.kind == self.Kind.STATEMENT

    @property
    def is_partial(self) -> bool:
        return self.kind == self.Kind.PARTIAL

    @property
    def lists_competencies(self) -> bool:
        """A proof of partial qualification or of competencies proves only the competencies it
        lists; the proof of professional qualification proves the whole standard."""
        return self.kind != self.Kind.CERTIFICATE

    @property
    def has_proof_document(self) -> bool:
        """A certificate of the whole qualification is rendered as two documents: the proof of
        professional qualification itself and its Europass supplement (decision 0016). Every other
        kind is one document."""
        return self.kind == self.Kind.CERTIFICATE

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
    """One rendering of a certificate's documents. Re-rendering adds a version; none is deleted.

    ``file`` is the Europass supplement of a certificate, or the statement itself. A certificate's
    version also holds its proof of professional qualification (``proof_file``): it is ready only
    once both are stored, and the two are stored together or not at all (decision 0016).
    """

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
    file = models.FileField(upload_to="supplements", storage=get_private_storage, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    proof_file = models.FileField(upload_to="proofs", storage=get_private_storage, max_length=200, blank=True)
    proof_sha256 = models.CharField(_("SHA-256 of the proof"), max_length=64, blank=True)
    proof_size = models.PositiveIntegerField(_("size of the proof"), null=True, blank=True)
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
            # A proof is stored whole (file, checksum and size) and only on a ready version.
            models.CheckConstraint(
                condition=models.Q(proof_file="", proof_sha256="", proof_size__isnull=True)
                | (
                    models.Q(status="ready", proof_size__isnull=False)
                    & ~models.Q(proof_file="")
                    & ~models.Q(proof_sha256="")
                ),
                name="supplement_proof_whole_when_ready",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} v{self.number}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def has_proof(self) -> bool:
        """Whether a proof is stored: versions rendered before proofs were rendered have none."""
        return bool(self.proof_file)

    def _name(self, document: str, languages: tuple[str, str], extension: str) -> str:
        first, second = languages
        return f"{document}-{self.certificate.number}-{first}-{second}-v{self.number}.{extension}"

    @property
    def download_name(self) -> str:
        documents: dict[str, str] = {
            Certificate.Kind.STATEMENT: "statement-of-competencies",
            Certificate.Kind.PARTIAL: "proof-of-partial-qualification",
        }
        document = documents.get(self.certificate.kind, "certificate-supplement")
        return self._name(document, (self.first_language, self.second_language), "pdf")

    @property
    def proof_languages(self) -> tuple[str, str]:
        """The proof's two languages: Dutch, the authentic text, first; then the version's first
        other language as the translation (a French/English version has a Dutch/French proof)."""
        translation = next(code for code in (self.first_language, self.second_language) if code != "nl")
        return "nl", translation

    @property
    def proof_download_name(self) -> str:
        return self._name("proof-of-professional-qualification", self.proof_languages, "pdf")

    @property
    def documents_download_name(self) -> str:
        """The archive of the proof and its supplement, downloaded together."""
        return self._name(
            "proof-of-professional-qualification-and-supplement", (self.first_language, self.second_language), "zip"
        )


class IssuerKey(models.Model):
    """A public key the test centre has signed credentials with (decision 0020).

    Added the first time a key signs; never removed, so after a rotation the old key stays
    published (JWKS, its own URL, the issuer profile) and the credentials it signed keep verifying.
    RSA keys sign the VC-JWT (RS256); Ed25519 keys sign the Data Integrity proofs and, before
    decision 0020, signed the VC-JWT (EdDSA).
    """

    class KeyType(models.TextChoices):
        ED25519 = "Ed25519", "Ed25519"
        RSA = "RSA", "RSA"

    key_id = models.CharField(_("key id"), max_length=64, unique=True)  # RFC 7638 thumbprint
    key_type = models.CharField(_("key type"), max_length=10, choices=KeyType.choices)
    algorithm = models.CharField(_("JWS algorithm"), max_length=10)  # RS256 or EdDSA
    public_jwk = models.JSONField(_("public key (JWK)"))
    first_used_at = models.DateTimeField(_("first used at"), auto_now_add=True)

    class Meta:
        ordering = ["first_used_at", "pk"]
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")

    def __str__(self) -> str:
        return self.key_id


class SealCertificate(models.Model):
    """A certificate the portal has sealed supplements with; the verifier trusts these."""

    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    der = models.BinaryField(_("certificate (DER)"))
    subject = models.CharField(_("subject"), max_length=500)
    is_test_seal = models.BooleanField(_("test seal"), default=False)
    first_used_at = models.DateTimeField(_("first used at"), auto_now_add=True)

    class Meta:
        ordering = ["first_used_at", "pk"]
        verbose_name = _("seal certificate")
        verbose_name_plural = _("seal certificates")

    def __str__(self) -> str:
        return self.subject


class CertificateCredential(models.Model):
    """The signed Open Badges 3.0 credential of a certificate (decision 0006).

    Personal data: the holder's name and a salted hash of their e-mail address inside ``jwt``.
    ``status_index`` is the certificate's bit in the revocation status list; it never changes.
    ``identity_hash`` is that hash as first signed; it never changes either: signed again (another
    language pair), the credential names the same holder, and a corrected address in the account
    invalidates no file the holder was given.
    """

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="credential")
    status_index = models.PositiveIntegerField(_("status list index"), unique=True)
    identity_salt = models.CharField(max_length=64)
    identity_hash = models.CharField(max_length=80, blank=True)
    first_language = models.CharField(_("first language"), max_length=2, choices=settings.LANGUAGES)
    second_language = models.CharField(_("second language"), max_length=2, choices=settings.LANGUAGES)
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="credentials")
    jwt = models.TextField(_("signed credential (VC-JWT)"))
    # The same credential with an embedded Data Integrity proof (eddsa-rdfc-2022), as JSON; empty
    # for a credential signed before decision 0020 until it is signed again.
    data_integrity = models.TextField(_("signed credential (Data Integrity)"), blank=True)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")

    def __str__(self) -> str:
        return f"{self.certificate.number} credential"

    @property
    def languages(self) -> tuple[str, str]:
        return self.first_language, self.second_language

    def download_name(self, extension: str) -> str:
        """``credential-<number>.jwt`` or ``.json``; the baked badge ``badge-<number>.png`` or ``.svg``."""
        document = "badge" if extension in ("png", "svg") else "credential"
        return f"{document}-{self.certificate.number}.{extension}"
