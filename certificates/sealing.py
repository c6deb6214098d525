"""The test centre's electronic seal on every PDF the portal renders (PAdES, with pyHanko).

The seal is an incremental update: the rendered PDF/A-3b stays byte for byte in front of it, so
the file stays archival and a PDF reader shows the seal in its signature panel. The same update
attaches the credential, so that pyHanko reads the rendered file once (decision 0028). PAdES B-B, or
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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TypeVar

from asn1crypto import pem, tsp, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.general import SigningError, as_signing_certificate_v2
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .credentials.embedding import AttachedFile, attach_files
from .models import IssuingCentre, SealCertificate
from .pdf_metadata import MetadataKeepingWriter
from .pdf_reading import is_test_certificate, seal_holder

logger = logging.getLogger(__name__)
T = TypeVar("T")
FIELD_NAME = "TestCentreSeal"


class SealSigner(signers.Signer):
    """pyHanko's signer over a private key kept parsed, with the seal's signed attribute made once.

    pyHanko's ``SimpleSigner`` parses its private key again for every signature (for RSA, with a
    check of the key that takes longer than the signature), and pyHanko signs twice per seal: once
    to size the room the signature takes in the file, once for real. The signing-certificate
    attribute PAdES asks for is built once too (``_KeptSigningCertificate``). The signature
    itself is what ``SimpleSigner`` makes, with the mechanism pyHanko names for the certificate's
    key: RSA (PKCS #1 v1.5) or ECDSA, the keys of seal certificates.
    """

    def __init__(self, private_key, certificate: x509.Certificate, cert_registry):
        super().__init__(signing_cert=certificate, cert_registry=cert_registry)
        self.private_key = private_key
        self.signed_attr_prov_spec = _PadesSignedAttributes(certificate)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        # A dry run signs too: with the key parsed, a real signature costs less than guessing its size.
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self.private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        raise SigningError(f"A seal signs with RSA (PKCS #1 v1.5) or ECDSA, not with {mechanism}.")


class _DerSigningCertificate(tsp.SigningCertificateV2):
    """A signing-certificate-v2 value parsed from its DER encoding, never encoded again by force.

    asn1crypto encodes a value "by force" (anew, with everything in it) when the enclosing value's
    header ends in the byte 0x80, which it takes for an indefinite length, and does so each time
    an enclosing value is encoded: with the 128-byte set of a certificate named in about 15
    characters, that was most of a seal's time. This value is DER from the start: its bytes stand.
    """

    def dump(self, force: bool = False) -> bytes:
        return super().dump()


class _KeptSigningCertificate(attributes.SigningCertificateV2Provider):
    """The signing-certificate-v2 attribute (RFC 5035) of the seal's certificate, made once."""

    def __init__(self, signing_cert: x509.Certificate):
        super().__init__(signing_cert)
        self.value = _DerSigningCertificate.load(as_signing_certificate_v2(signing_cert).dump())

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return self.value


class _PadesSignedAttributes(attributes.SignedAttributeProviderSpec):
    """The signed attributes of a PAdES seal, as pyHanko's CAdES attribute specification gives them
    for a PDF: the signing certificate (besides the content type and digest pyHanko always adds);
    PAdES leaves the signing time to the signature dictionary."""

    def __init__(self, signing_cert: x509.Certificate):
        self.signing_certificate = _KeptSigningCertificate(signing_cert)

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
        yield self.signing_certificate


@dataclass(frozen=True)
class Seal:
    signer: SealSigner
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
    loaded = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode() or None)
    if loaded is None:
        raise ValueError("The seal (PORTAL_SEAL_PKCS12) cannot be opened: check the file and its passphrase.")
    private_key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)
    return Seal(SealSigner(private_key, loaded.signing_cert, loaded.cert_registry), loaded.signing_cert)


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
    _outside_any_event_loop(lambda: asyncio.run(timestamper.async_dummy_response("sha256")))  # what the server sends
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
    files: Sequence[AttachedFile] = (),
    seal: Seal | None = None,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """The PDF with ``files`` attached (the credential) and the seal appended, in one incremental
    update (with a timestamp server, followed by the validation data and a document timestamp).
    Without a seal configured (production allows that only with PORTAL_ALLOW_UNSEALED), the files
    alone are appended, and a PDF without files is returned unchanged. ``validation_context``
    replaces ``long_term_context``'s."""
    seal = seal or configured_seal()
    if seal is None:
        logger.warning("No seal configured (PORTAL_SEAL_PKCS12): the PDF is not sealed.")
        return _with_files(pdf, files)
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
    # One reading of the file for both: pyHanko parses every object's position before an update.
    writer = MetadataKeepingWriter(BytesIO(pdf))
    attach_files(writer, files)
    output = BytesIO()
    signer = signers.PdfSigner(metadata, signer=seal.signer, timestamper=timestamper)
    _outside_any_event_loop(lambda: signer.sign_pdf(writer, output=output))
    return output.getvalue()


def _outside_any_event_loop(work: Callable[[], T]) -> T:
    """Run ``work``, which starts an event loop of its own (pyHanko's ``asyncio.run``), in a thread
    of its own when this thread already runs one (an async caller, a browser driven in-process):
    asyncio allows one running loop per thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _with_files(pdf: bytes, files: Sequence[AttachedFile]) -> bytes:
    if not files:
        return pdf
    writer = MetadataKeepingWriter(BytesIO(pdf))
    attach_files(writer, files)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
