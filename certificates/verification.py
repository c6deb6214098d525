"""The public verifier: what a dropped supplement PDF, credential file or baked badge proves (decisions 0006, 0022).

The file is read from memory, parsed with size limits, and never stored. Nothing is fetched: the
seal is checked against the seal certificates this portal has used, the credential against this
issuer's keys, its status against the portal's own status list. Every message is in the
visitor's language. Anything that does not check out makes the verdict "invalid"; "revoked" is
given only to a file that is otherwise genuine.
"""

import codecs
import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.metrics import VERIFICATIONS

from . import pdf_limits, pdf_reading
from .credentials import baking, signing, status_list
from .credentials.documents import schema_errors, unknown_contexts
from .credentials.issuing import utc_timestamp
from .models import Certificate, SupplementVersion
from .sealing import trusted_seal_certificates

logger = logging.getLogger(__name__)
VALID, REVOKED, INVALID = "valid", "revoked", "invalid"
# Where a revision of a PDF ends: its end-of-file marker, with or without the line end after it.
REVISION_END = re.compile(rb"%%EOF(?:\r\n|\r|\n)?")
JWT_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
ENVELOPE_PREFIX = "data:application/vc+jwt,"


@dataclass
class Check:
    name: str  # seal, unchanged, signed_after, credential, signature, schema, register, document, status, file
    ok: bool
    message: str


PROOF, SUPPLEMENT, PARTIAL, STATEMENT = "proof", "supplement", "partial", "statement"
# The one document of a kind other than the certificate (which has a proof and a supplement).
DOCUMENT_OF_KIND: dict[str, str] = {Certificate.Kind.STATEMENT: STATEMENT, Certificate.Kind.PARTIAL: PARTIAL}


@dataclass
class Report:
    kind: str  # pdf, credential, badge, unreadable
    checks: list[Check] = field(default_factory=list)
    certificate: Certificate | None = None
    document: str = ""  # for a PDF found in the register: proof, supplement, partial or statement
    version: SupplementVersion | None = None

    def add(self, name: str, ok: bool, message: str) -> bool:
        self.checks.append(Check(name, ok, message))
        return ok

    @property
    def verdict(self) -> str:
        if not self.checks or any(not check.ok for check in self.checks if check.name != "status"):
            return INVALID
        return VALID if all(check.ok for check in self.checks) else REVOKED

    @property
    def note(self) -> str:
        return document_note(self.certificate) if self.certificate is not None else ""

    @property
    def competencies(self) -> list:
        return listed_competencies(self.certificate) if self.certificate is not None else []

    @property
    def partial_qualifications(self) -> list:
        return listed_partial_qualifications(self.certificate) if self.certificate is not None else []

    def as_json(self) -> dict:
        certificate = self.certificate
        return {
            "verdict": self.verdict,
            "kind": self.kind,
            "checks": [{"check": check.name, "ok": check.ok, "message": check.message} for check in self.checks],
            "certificate": None if certificate is None or self.verdict == INVALID else self._document_json(certificate),
            "document": None if not self.document or self.verdict == INVALID else self._file_json(),
        }

    @property
    def document_name(self) -> str:
        return document_name(self.document) if self.document else ""

    def _file_json(self) -> dict:
        version = self.version.number if self.version is not None else None
        return {"kind": self.document, "name": self.document_name, "version": version}

    def _document_json(self, certificate: Certificate) -> dict:
        document: dict[str, Any] = {
            "kind": certificate.kind,
            "kind_name": str(certificate.get_kind_display()),
            "number": certificate.number,
            "holder": certificate.holder_name,
            "qualification": certificate.assessment.qualification.code,
            "issued": certificate.issued_at.date().isoformat(),
            "status": certificate.status,
            "verification_url": certificate.verification_url,
        }
        if certificate.is_partial:
            document["partial_qualifications"] = [partial.code for partial in self.partial_qualifications]
        if certificate.lists_competencies:
            document["competencies"] = [competency.code for competency in self.competencies]
            document["note"] = self.note
        return document


def document_note(certificate: Certificate) -> str:
    """What a verified document is not, said on every answer about it: a proof of competencies or
    a proof of partial qualification must not pass for the proof of professional qualification."""
    if certificate.is_statement:
        return _(
            "This is a proof of competencies, not a proof of professional qualification: it proves only the "
            "competencies listed."
        )
    if certificate.is_partial:
        qualification = certificate.assessment.qualification
        return _(
            "This is a proof of partial qualification, not a proof of the professional qualification %(title)s "
            "(%(code)s): it proves only the partial qualifications listed, which belong to it."
        ) % {"title": qualification.title, "code": qualification.code}
    return ""


def listed_competencies(certificate: Certificate) -> list:
    """The competencies a statement or a proof of partial qualification proves (the proof of
    professional qualification proves the whole qualification)."""
    return list(certificate.competencies.order_by("order")) if certificate.lists_competencies else []


def listed_partial_qualifications(certificate: Certificate) -> list:
    """The partial qualifications a proof of partial qualification names, with their competencies."""
    if not certificate.is_partial:
        return []
    return list(certificate.partial_qualifications.order_by("order").prefetch_related("competencies"))


def document_name(document: str) -> str:
    return {
        PROOF: _("Proof of professional qualification"),
        SUPPLEMENT: _("Europass certificate supplement"),
        PARTIAL: _("Proof of partial qualification"),
        STATEMENT: _("Proof of competencies"),
    }[document]


def certificate_by_number(*, number: str, code: str) -> Certificate | None:
    """The certificate with this number and this verification code, both as printed on the
    proof. Never by number alone: numbers follow each other, so they could be enumerated."""
    if not number.strip() or not code.strip():
        return None
    return Certificate.objects.filter(number=number.strip().upper(), verification_code=code.strip()).first()


def verify_file(data: bytes) -> Report:
    """Verify an uploaded supplement PDF, credential JSON, VC-JWT or baked badge (PNG, SVG).

    A PDF beyond the limits of ``pdf_limits`` is refused with a ValidationError ``too_complex``:
    not a verdict, since nothing was checked.
    """
    try:
        report = _verified(data)
    except ValidationError:
        VERIFICATIONS.labels(kind="pdf", verdict="refused").inc()
        raise
    VERIFICATIONS.labels(kind=report.kind, verdict=report.verdict).inc()
    return report


def _verified(data: bytes) -> Report:
    if data.lstrip()[:5] == b"%PDF-":
        return verify_pdf(data)
    if baking.is_image(data):
        return verify_badge(data)
    return verify_credential_file(data)


def verify_badge(data: bytes) -> Report:
    """A badge proves what the credential baked into it proves; the picture itself proves nothing."""
    try:
        credential = baking.baked_credential(data, limit=settings.VERIFY_MAX_UPLOAD_SIZE)
    except baking.NotABadge:
        return _unreadable(_("This image carries no credential this portal can read."))
    report = Report("badge")
    _check_credential_bytes(report, credential.encode())
    if report.checks[0].name == "file":
        return _unreadable(_("This image carries no credential this portal can read."))
    return report


# --- The PDF and its seal -----------------------------------------------------------------


def _unreadable(message: str) -> Report:
    report = Report("unreadable")
    report.add("file", False, message)
    return report


def verify_pdf(data: bytes) -> Report:
    pdf_limits.check_structure(data)
    trusted = [certificate.dump() for certificate in trusted_seal_certificates()]
    facts = pdf_limits.run_bounded(
        pdf_reading.read_sealed_pdf,
        data,
        trusted,
        settings.VERIFY_MAX_PDF_OBJECTS,
        seconds=settings.VERIFY_PDF_SECONDS,
    )
    if not facts.readable:
        return _unreadable(_("This file is not a readable PDF document."))
    report = Report("pdf")
    _check_seal(report, facts)
    if facts.credential is None:
        report.add("credential", False, _("The document carries no credential."))
    else:
        with_additions = facts.seal is not None and facts.seal.unchanged and facts.seal.added
        _check_credential_bytes(report, facts.credential, file_digests=_file_digests(data, with_additions))
    return report


def _file_digests(data: bytes, with_additions: bool) -> set[str]:
    """The SHA-256 of the file; when what follows its seal is only what the PDF standard allows
    adding, also of the file as it ended at each revision: the file the portal issued, followed by
    validation data, a timestamp or another signature, is still the file it issued."""
    if not with_additions:
        return {hashlib.sha256(data).hexdigest()}
    digests, hasher, position = set(), hashlib.sha256(), 0
    for match in REVISION_END.finditer(data):  # as many as check_structure allows revisions
        for end in (match.start() + len(b"%%EOF"), match.end()):
            hasher.update(data[position:end])
            position = end
            digests.add(hasher.copy().hexdigest())
    hasher.update(data[position:])
    return digests | {hasher.hexdigest()}


def _check_issued_file(report: Report, certificate: Certificate, digests: set[str]) -> None:
    """The file must be one the portal stored for the credential's certificate, byte for byte
    (followed at most by what may be added after a seal): its checksum names the document (the
    proof, its supplement, a proof of partial qualification or of competencies) and its version."""
    version = (
        SupplementVersion.objects.filter(certificate=certificate, status=SupplementVersion.Status.READY)
        .filter(Q(sha256__in=digests) | Q(proof_sha256__in=digests))
        .first()
    )
    if version is None:
        report.add("document", False, _("The file is not a document this test centre issued for this certificate."))
        return
    if version.proof_sha256 in digests:
        report.document = PROOF
    else:
        report.document = DOCUMENT_OF_KIND.get(certificate.kind, SUPPLEMENT)
    report.version = version
    message = {
        PROOF: _("The file is the proof of professional qualification %(number)s (version %(version)s) as issued."),
        SUPPLEMENT: _(
            "The file is the Europass certificate supplement (version %(version)s) that accompanies proof of "
            "professional qualification %(number)s, as issued."
        ),
        PARTIAL: _("The file is the proof of partial qualification %(number)s (version %(version)s) as issued."),
        STATEMENT: _("The file is the proof of competencies %(number)s (version %(version)s) as issued."),
    }[report.document]
    report.add("document", True, message % {"number": certificate.number, "version": version.number})


def _check_seal(report: Report, facts: pdf_reading.PdfFacts) -> None:
    seal = facts.seal
    if not facts.sealed:
        report.add("seal", False, _("The document carries no seal."))
        return
    if seal is None:
        report.add("seal", False, _("The seal is damaged and cannot be checked."))
        report.add("unchanged", False, _("The document was changed since it was sealed."))
        return
    if not (seal.intact and seal.valid):
        report.add("seal", False, _("The seal does not match the document."))
    elif not seal.trusted:
        report.add(
            "seal",
            False,
            _("The document was sealed by “%(holder)s”, not by this test centre.") % {"holder": seal.holder},
        )
    elif seal.test_seal:
        report.add(
            "seal",
            True,
            _("The seal is valid: sealed by “%(holder)s” (a test seal, not for real use).") % {"holder": seal.holder},
        )
    else:
        report.add("seal", True, _("The seal is valid: sealed by “%(holder)s”.") % {"holder": seal.holder})
    if not seal.unchanged:
        report.add("unchanged", False, _("The document was changed since it was sealed."))
    elif seal.added:
        report.add(
            "unchanged",
            True,
            _(
                "The document is unchanged since it was sealed: what was added after the seal (validation data, "
                "a timestamp or a signature) is allowed by the PDF standard and changes nothing of its content."
            ),
        )
    else:
        report.add("unchanged", True, _("The document is unchanged since it was sealed."))
    if seal.unchanged and seal.signed_after:
        _report_signed_after(report, seal.signed_after)


def _report_signed_after(report: Report, signers: tuple[str, ...]) -> None:
    """Another party's signature after the seal changes nothing of the sealed document, so the
    verdict stands (decision 0023); the visitor is told who signed, as that party names itself."""
    for signer in signers:
        report.add(
            "signed_after",
            True,
            _(
                "After the seal, the document was also signed by “%(signer)s”. That signature is not this test "
                "centre's and is not checked here; the test centre's seal and the sealed content are as issued."
            )
            % {"signer": signer},
        )


# --- The credential -------------------------------------------------------------------------


# A byte-order mark some editors write at the start of a text file, and the encoding it announces.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def credential_text(data: bytes) -> str | None:
    """A credential file's text: UTF-8 (RFC 8259), or UTF-8 or UTF-16 after a byte-order mark, which
    Windows editors write; None when it is not text in those encodings."""
    encoding = next((encoding for mark, encoding in BYTE_ORDER_MARKS if data.startswith(mark)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def verify_credential_file(data: bytes) -> Report:
    if credential_text(data) is None:
        return _unreadable(_("This file is neither a PDF document nor a credential."))
    report = Report("credential")
    _check_credential_bytes(report, data)
    if report.checks and report.checks[0].name == "file":
        report.kind = "unreadable"
    return report


def _signed_form(data: bytes) -> tuple[str | dict | None, bool]:
    """The signed credential in an uploaded file (a VC-JWT, or a document with an embedded proof),
    and whether the file is a credential at all."""
    text = (credential_text(data) or data.decode("utf-8", errors="replace")).strip()
    if JWT_PATTERN.match(text):
        return text, True
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None, False
    if isinstance(document, dict) and document.get("type") == "EnvelopedVerifiableCredential":
        envelope_id = str(document.get("id", ""))
        if envelope_id.startswith(ENVELOPE_PREFIX):
            return envelope_id.removeprefix(ENVELOPE_PREFIX), True
    if isinstance(document, str) and JWT_PATTERN.match(document):
        return document, True
    is_credential = isinstance(document, dict) and "credentialSubject" in document
    if is_credential and "proof" in document:
        return document, True
    return None, is_credential


SIGNATURE_PROBLEMS = {
    "malformed": lambda: _("The credential is damaged: its signature cannot be read."),
    "algorithm": lambda: _("The credential is signed with a method this portal does not accept."),
    "foreign_issuer": lambda: _("The credential was issued by someone else, not by this test centre."),
    "unknown_key": lambda: _("The credential names a key this test centre has never used."),
    "signature": lambda: _("The credential's signature does not match: it was changed after signing."),
    "claims": lambda: _("The credential's token says something else than the credential it carries."),
    "too_complex": lambda: _("The credential is too complex to check; a credential of this test centre never is."),
}

# What the register and the status list say about each kind of document.
REGISTER_MESSAGES: dict[str, Callable[[], str]] = {
    Certificate.Kind.CERTIFICATE: lambda: _(
        "It matches the register: proof of professional qualification %(number)s of %(holder)s."
    ),
    Certificate.Kind.PARTIAL: lambda: _(
        "It matches the register: proof of partial qualification %(number)s of %(holder)s."
    ),
    Certificate.Kind.STATEMENT: lambda: _("It matches the register: proof of competencies %(number)s of %(holder)s."),
}
REVOKED_MESSAGES: dict[str, Callable[[], str]] = {
    Certificate.Kind.CERTIFICATE: lambda: _("The proof of professional qualification has been revoked."),
    Certificate.Kind.PARTIAL: lambda: _("The proof of partial qualification has been revoked."),
    Certificate.Kind.STATEMENT: lambda: _("The proof of competencies has been revoked."),
}
VALID_MESSAGES: dict[str, Callable[[], str]] = {
    Certificate.Kind.CERTIFICATE: lambda: _(
        "The proof of professional qualification is valid: it has not been revoked."
    ),
    Certificate.Kind.PARTIAL: lambda: _("The proof of partial qualification is valid: it has not been revoked."),
    Certificate.Kind.STATEMENT: lambda: _("The proof of competencies is valid: it has not been revoked."),
}


def _check_credential_bytes(report: Report, data: bytes, file_digests: set[str] | None = None) -> None:
    """Check a credential; ``file_digests`` are those of the PDF it was embedded in (see
    ``_file_digests``), which must be one the portal issued."""
    signed, is_credential = _signed_form(data)
    if signed is None:
        if is_credential:
            report.add("signature", False, _("The credential carries no signature this portal can check."))
        else:
            report.add("file", False, _("This file is neither a PDF document nor a credential."))
        return
    try:
        payload, issuer_key = signing.verify(signed) if isinstance(signed, str) else signing.verify_proof(signed)
    except signing.SignatureProblem as problem:
        report.add("signature", False, SIGNATURE_PROBLEMS[problem.code]())
        return
    issuer = payload.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != signing.issuer_id():
        report.add("signature", False, SIGNATURE_PROBLEMS["foreign_issuer"]())
        return
    report.add(
        "signature",
        True,
        _("The credential's signature is valid (key %(key)s of this test centre).") % {"key": issuer_key.key_id},
    )
    if unknown_contexts(payload) or schema_errors(payload):
        report.add("schema", False, _("The credential is not a valid Open Badges 3.0 credential."))
    else:
        report.add("schema", True, _("The credential is a valid Open Badges 3.0 credential."))
    certificate = _matching_certificate(payload)
    if certificate is None:
        report.add("register", False, _("The credential does not match the register."))
        return
    report.certificate = certificate
    matches = REGISTER_MESSAGES[certificate.kind]()
    report.add("register", True, matches % {"number": certificate.number, "holder": certificate.holder_name})
    if file_digests is not None:
        _check_issued_file(report, certificate, file_digests)
    _check_status(report, certificate, payload)


def _certificate_of(credential_id: str) -> Certificate | None:
    match = signing.portal_route(credential_id)
    if match is None or match.view_name != "certificates:verify":
        return None
    return (
        Certificate.objects.select_related("assessment__qualification", "credential")
        .filter(verification_code=match.kwargs["code"])
        .first()
    )


def _matching_certificate(payload: dict) -> Certificate | None:
    """The certificate of the credential if its claims agree with the register."""
    certificate = _certificate_of(str(payload.get("id", "")))
    if certificate is None:
        return None
    stored = getattr(certificate, "credential", None)
    if stored is None:
        return None
    subject = payload.get("credentialSubject") or {}
    identifiers = {
        item.get("identityType"): item.get("identityHash")
        for item in subject.get("identifier", [])
        if isinstance(item, dict)
    }
    status = payload.get("credentialStatus") or {}
    agrees = (
        identifiers.get("name") == certificate.holder_name
        # The identity as issued, not the account's address now: a correction invalidates nothing.
        and bool(stored.identity_hash)
        and identifiers.get("emailAddress") == stored.identity_hash
        and (subject.get("achievement") or {}).get("humanCode") == certificate.assessment.qualification.code
        and payload.get("validFrom") == utc_timestamp(certificate.issued_at)
        and str(status.get("statusListIndex")) == str(stored.status_index)
    )
    return certificate if agrees else None


def _check_status(report: Report, certificate: Certificate, payload: dict) -> None:
    """Read the credential's bit in this issuer's signed status list."""
    entry = payload.get("credentialStatus") or {}
    if (
        entry.get("type") != "BitstringStatusListEntry"
        or entry.get("statusListCredential") != status_list.status_list_url()
    ):
        # Not "status": a status that cannot be read makes the file invalid, not merely revoked.
        report.add("status_unknown", False, _("The credential's revocation status cannot be checked."))
        return
    signed = status_list.signed_status_list()
    if signed is None:
        report.add("status_unknown", False, _("The credential's revocation status cannot be checked."))
        return
    list_payload, _key = signing.verify(signed)
    revoked = status_list.bit_is_set(list_payload["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))
    messages = REVOKED_MESSAGES if revoked else VALID_MESSAGES
    report.add("status", not revoked, messages[certificate.kind]())
