"""The test centre's electronic seal on every PDF the portal renders (PAdES, with pyHanko).

The seal is an incremental update: the rendered PDF/A-3b stays byte for byte in front of it, so
the file stays archival and a PDF reader shows the seal in its signature panel. PAdES B-B, or
B-T when a timestamp server is configured (``PORTAL_SEAL_TSA_URL``). Each certificate the portal
seals with is recorded (``SealCertificate``): the verifier trusts exactly those.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import x509
from django.conf import settings
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper

from .models import SealCertificate
from .pdf_metadata import MetadataKeepingWriter
from .pdf_reading import is_test_certificate, seal_holder

logger = logging.getLogger(__name__)
FIELD_NAME = "TestCentreSeal"


@dataclass(frozen=True)
class Seal:
    signer: signers.SimpleSigner
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.certificate.dump()).hexdigest()

    @property
    def is_test_seal(self) -> bool:
        return is_test_certificate(self.certificate)

    @property
    def holder(self) -> str:
        return seal_holder(self.certificate)


@lru_cache(maxsize=4)
def _load_seal(path: str, modified: float, passphrase: str) -> Seal:
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode() or None)
    if signer is None:
        raise ValueError("The seal (PORTAL_SEAL_PKCS12) cannot be opened: check the file and its passphrase.")
    return Seal(signer, signer.signing_cert)


def configured_seal() -> Seal | None:
    """The seal from the environment (re-read when the file changes); None when none is configured."""
    path = settings.PORTAL_SEAL_PKCS12
    if not path:
        return None
    return _load_seal(path, Path(path).stat().st_mtime, settings.PORTAL_SEAL_PASSPHRASE)


def register_seal(seal: Seal) -> SealCertificate:
    record, _created = SealCertificate.objects.get_or_create(
        fingerprint=seal.fingerprint,
        defaults={
            "der": seal.certificate.dump(),
            "subject": seal.certificate.subject.human_friendly[:500],
            "is_test_seal": seal.is_test_seal,
        },
    )
    return record


def trusted_seal_certificates() -> list[x509.Certificate]:
    return [x509.Certificate.load(bytes(der)) for der in SealCertificate.objects.values_list("der", flat=True)]


def _timestamper() -> TimeStamper | None:
    if not settings.PORTAL_SEAL_TSA_URL:
        return None
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    return HTTPTimeStamper(settings.PORTAL_SEAL_TSA_URL, timeout=30)


def seal_pdf(pdf: bytes, *, seal: Seal | None = None, timestamper: TimeStamper | None = None) -> bytes:
    """The PDF with the seal appended as an incremental update; unchanged when no seal is
    configured (production allows that only with PORTAL_ALLOW_UNSEALED)."""
    seal = seal or configured_seal()
    if seal is None:
        logger.warning("No seal configured (PORTAL_SEAL_PKCS12): the PDF is not sealed.")
        return pdf
    register_seal(seal)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Electronic seal of the test centre",
        location=settings.PORTAL_BASE_URL,
    )
    signer = signers.PdfSigner(metadata, signer=seal.signer, timestamper=timestamper or _timestamper())
    output = BytesIO()
    signer.sign_pdf(MetadataKeepingWriter(BytesIO(pdf)), output=output)
    return output.getvalue()
