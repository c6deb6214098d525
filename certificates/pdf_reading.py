"""Reading a dropped PDF and its seal, in a process of its own (``pdf_limits.run_bounded``).

Nothing here uses Django: the verifier's child process imports this module alone, is handed the
file, the trusted seal certificates and the object limit, and answers with plain facts that the
verifier turns into its report. Killing the child is what bounds the time a file may take,
whatever thread or server the request runs in.
"""

import logging
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import x509
from pyhanko.pdf_utils.decode_limits import DEFAULT_PURPOSE_LIMITS, DecodeLimits, DecodePurpose, StreamDecodeLimits
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .credentials.embedding import embedded_credential
from .dev_keys import TEST_SEAL_MARK

logger = logging.getLogger("certificates.verification")

# The widest cross-reference stream entry a writer uses is far below this (1 + 8 + 2 bytes).
XREF_ENTRY_BYTES = 32


@dataclass(frozen=True)
class Seal:
    """What the verifier reports of the last signature: plain values, sent back by the child."""

    intact: bool
    valid: bool
    trusted: bool
    entire_file: bool
    holder: str
    test_seal: bool


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
        signatures = reader.embedded_signatures
    except Exception:
        logger.info("Verifier: unreadable PDF", exc_info=True)
        return PdfFacts(readable=False)
    try:
        credential = embedded_credential(reader)
    except Exception:
        logger.info("Verifier: unreadable embedded credential", exc_info=True)
        credential = None
    seal = _evaluated_seal(signatures[-1], trusted_der) if signatures else None
    return PdfFacts(readable=True, sealed=bool(signatures), seal=seal, credential=credential)


def _evaluated_seal(signature, trusted_der: list[bytes]) -> Seal | None:
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trusted_der],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        # Without pyHanko's comparison of the revisions after the seal: only a seal that covers the
        # whole file is accepted, so there is nothing after it worth comparing, and comparing
        # thousands of revisions takes minutes.
        status = validate_pdf_signature(signature, signer_validation_context=context, skip_diff=True)
    except Exception:
        logger.info("Verifier: seal could not be evaluated", exc_info=True)
        return None
    return Seal(
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        entire_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        holder=seal_holder(status.signing_cert),
        test_seal=is_test_certificate(status.signing_cert),
    )
