"""Reading a dropped PDF and its seal, in a process of its own (``pdf_limits.run_bounded``).

Nothing here uses Django: the verifier's child process imports this module alone, is handed the
file, the trusted seal certificates and the object limit, and answers with plain facts that the
verifier turns into its report. Killing the child is what bounds the time a file may take,
whatever thread or server the request runs in.

What was appended after the seal is judged by pyHanko's own difference analysis (its default
policy, decision 0023): validation data and document timestamps leave the sealed document
unchanged, as the PDF standard (ISO 32000-2, PAdES) allows; so does another party's signature,
which is reported; anything else (a page's content, an annotation, the catalogue) is a change.
"""

import logging
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import x509
from pyhanko.pdf_utils.decode_limits import DEFAULT_PURPOSE_LIMITS, DecodeLimits, DecodePurpose, StreamDecodeLimits
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .credentials.embedding import embedded_credential
from .dev_keys import TEST_SEAL_MARK

logger = logging.getLogger("certificates.verification")

# The widest cross-reference stream entry a writer uses is far below this (1 + 8 + 2 bytes).
XREF_ENTRY_BYTES = 32


@dataclass(frozen=True)
class Seal:
    """What the verifier reports of the document's seal (its first signature): plain values, sent
    back by the child."""

    intact: bool
    valid: bool
    trusted: bool
    unchanged: bool  # nothing after the seal changes what it sealed
    added: bool  # something was appended after the seal (validation data, a timestamp, a signature)
    holder: str
    test_seal: bool
    signed_after: tuple[str, ...] = ()  # who signed the document after the seal, as they name themselves


@dataclass(frozen=True)
class PdfFacts:
    readable: bool
    sealed: bool = False
    seal: Seal | None = None  # None when sealed but the seal could not be evaluated
    credential: bytes | None = None


def is_test_certificate(certificate: x509.Certificate) -> bool:
    units = certificate.subject.native.get("organizational_unit_name", [])
    return TEST_SEAL_MARK in ([units] if isinstance(units, str) else units)


def seal_holder(certificate: x509.Certificate) -> str:
    # The names, never pyHanko's English "Common Name: …" rendering of the whole subject.
    subject = certificate.subject.native
    return subject.get("common_name") or subject.get("organization_name") or "—"


def decode_limits(max_objects: int) -> DecodeLimits:
    """pyHanko's limits for untrusted files, with cross-reference streams cut to the object limit."""
    xref_limit = StreamDecodeLimits(max_output_size=max_objects * XREF_ENTRY_BYTES)
    return DecodeLimits(per_purpose={**DEFAULT_PURPOSE_LIMITS, DecodePurpose.XREF_STREAM: xref_limit})


def read_sealed_pdf(data: bytes, trusted_der: list[bytes], max_objects: int) -> PdfFacts:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False, decode_limits=decode_limits(max_objects))
        signatures = [signature for signature in reader.embedded_signatures if signature.sig_object_type == "/Sig"]
    except Exception:
        logger.info("Verifier: unreadable PDF", exc_info=True)
        return PdfFacts(readable=False)
    try:
        credential = embedded_credential(reader)
    except Exception:
        logger.info("Verifier: unreadable embedded credential", exc_info=True)
        credential = None
    # The seal is the first signature: the portal seals a document nobody signed before it.
    seal = _evaluated_seal(signatures[0], signatures[1:], trusted_der) if signatures else None
    return PdfFacts(readable=True, sealed=bool(signatures), seal=seal, credential=credential)


def _evaluated_seal(
    signature: EmbeddedPdfSignature, later: list[EmbeddedPdfSignature], trusted_der: list[bytes]
) -> Seal | None:
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trusted_der],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        # The difference analysis only for a seal of this portal: a document it sealed is small, so
        # only what was appended after the seal can make the analysis long, and the child's clock
        # bounds that. For anyone else's signature the answer is "not by this test centre" anyway.
        ours = signature.signer_cert.dump() in trusted_der
        status = validate_pdf_signature(signature, signer_validation_context=context, skip_diff=not ours)
    except Exception:
        logger.info("Verifier: seal could not be evaluated", exc_info=True)
        return None
    later_fields = {other.field_name for other in later}
    return Seal(
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        unchanged=_unchanged(status, later_fields),
        added=status.coverage != SignatureCoverageLevel.ENTIRE_FILE,
        holder=seal_holder(status.signing_cert),
        test_seal=is_test_certificate(status.signing_cert),
        signed_after=tuple(_signer(other) for other in later),
    )


def _signer(signature: EmbeddedPdfSignature) -> str:
    """Who made a later signature, as its certificate says (the verifier does not check it)."""
    try:
        return seal_holder(signature.signer_cert)
    except Exception:
        logger.info("Verifier: a later signature names nobody readable", exc_info=True)
        return "—"


def _unchanged(status: PdfSignatureStatus, later_fields: set[str]) -> bool:
    """Whether the sealed document is as it was sealed: the seal covers the whole file, or pyHanko's
    analysis found after it only long-term validation updates (a DSS, document timestamps), or
    those and signatures in fields of their own (form filling limited to the later signatures)."""
    if not (status.intact and status.valid):
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    result = status.diff_result
    analysed = status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and isinstance(result, DiffResult)
    if not (analysed and status.docmdp_ok and isinstance(result, DiffResult)):
        return False  # someone else's seal (not analysed), or an update pyHanko found suspicious
    if result.modification_level <= ModificationLevel.LTA_UPDATES:
        return True
    return result.modification_level == ModificationLevel.FORM_FILLING and result.changed_form_fields <= later_fields
