"""The test centre's electronic seal on every PDF the portal renders (PAdES, with pyHanko).

The seal is an incremental update: the rendered PDF/A-3b stays byte for byte in front of it, so
the file stays archival and a PDF reader shows the seal in its signature panel. PAdES B-B, or
B-LTA when a timestamp server is configured (``PORTAL_SEAL_TSA_URL``): the seal is timestamped,
the certificates and revocation data that validate it and its timestamp are embedded in the
document security store (B-LT), and a document timestamp proves when they were (B-LTA), so the
seal stays verifiable after its certificate expires (decision 0023). Each certificate the portal
seals with is recorded (``SealCertificate``): the verifier trusts exactly those.

The seal certificate comes from a trust service provider and names the test centre in its
subject; the documents name the issuing centre's version. When the two differ, ``check --deploy``
warns and so does the admin on saving the centre (decision 0019): the seal is still applied.
"""

import asyncio
import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext

from .models import IssuingCentre, SealCertificate
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

    def names(self, centre_name: str) -> bool:
        """Whether the subject's organisation or common name is ``centre_name``, whatever the case,
        the spacing or the Unicode form."""
        subject = self.certificate.subject.native
        names = []
        for attribute in ("organization_name", "common_name"):
            value = subject.get(attribute)  # a list when the subject repeats the attribute
            names += [value] if isinstance(value, str) else list(value or [])
        return _spelling(centre_name) in {_spelling(name) for name in names}


def _spelling(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


@dataclass(frozen=True)
class SealMismatch:
    """The seal names another centre than the documents do."""

    holder: str
    centre: str


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


def seal_mismatch(seal: Seal | None) -> SealMismatch | None:
    """What the seal and the current issuing centre are called, when the seal does not name the
    centre; None when it does, or when there is no seal or no centre to compare."""
    centre = IssuingCentre.objects.current()
    if seal is None or centre is None or seal.names(centre.name):
        return None
    return SealMismatch(holder=seal.holder, centre=centre.name)


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


def long_term_context(
    seal: Seal, timestamper: TimeStamper, *, crls=(), ocsps=(), fetching: bool = True
) -> ValidationContext:
    """What the validation data of a long-term seal is gathered with: the seal's and the timestamp
    server's certificates, each path up to a trust anchor, and their revocation data, fetched from
    the addresses the certificates name (``fetching``) or given (``crls``, ``ocsps``). A path whose
    revocation data cannot be had fails the sealing ("hard-fail"), and the rendering is retried:
    a seal that promises long-term validation must carry what it needs."""
    asyncio.run(timestamper.async_dummy_response("sha256"))  # what the server sends with a timestamp
    delivered = [*seal.signer.cert_registry, *timestamper.cert_registry]
    return ValidationContext(
        trust_roots=_trust_anchors(delivered),
        other_certs=delivered,
        allow_fetching=fetching,
        crls=list(crls),
        ocsps=list(ocsps),
        revocation_mode="hard-fail",
    )


def _trust_anchors(delivered: list[x509.Certificate]) -> list[x509.Certificate]:
    """The roots named by ``PORTAL_SEAL_TRUST_ROOTS``; without them, the top of each chain that the
    seal's PKCS#12 and the timestamp server deliver (the root when they include it)."""
    if settings.PORTAL_SEAL_TRUST_ROOTS:
        bundle = Path(settings.PORTAL_SEAL_TRUST_ROOTS).read_bytes()
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(bundle, multiple=True)]
    subjects = {certificate.subject.hashable for certificate in delivered}
    return [
        certificate
        for certificate in delivered
        if certificate.self_issued or certificate.issuer.hashable not in subjects
    ]


def seal_pdf(
    pdf: bytes,
    *,
    seal: Seal | None = None,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """The PDF with the seal appended as an incremental update (with a timestamp server, followed by
    the validation data and a document timestamp); unchanged when no seal is configured
    (production allows that only with PORTAL_ALLOW_UNSEALED). ``validation_context`` replaces
    ``long_term_context``'s."""
    seal = seal or configured_seal()
    if seal is None:
        logger.warning("No seal configured (PORTAL_SEAL_PKCS12): the PDF is not sealed.")
        return pdf
    register_seal(seal)
    timestamper = timestamper or _timestamper()
    if timestamper is not None and validation_context is None:
        validation_context = long_term_context(seal, timestamper)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Electronic seal of the test centre",
        location=settings.PORTAL_BASE_URL,
        embed_validation_info=timestamper is not None,
        use_pades_lta=timestamper is not None,
        validation_context=validation_context,
    )
    signer = signers.PdfSigner(metadata, signer=seal.signer, timestamper=timestamper)
    output = BytesIO()
    signer.sign_pdf(MetadataKeepingWriter(BytesIO(pdf)), output=output)
    return output.getvalue()
