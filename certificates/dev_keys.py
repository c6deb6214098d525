"""Development key material: a self-signed TEST seal and the two credential keys (Ed25519, RSA).

Used by ``manage.py ensure_dev_seal`` (``make run``) and by the test settings; never in
production, where the seal and the key come from the environment. Imports no Django models, so
settings modules may call it.
"""

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# The organisational unit that marks a seal certificate as a test seal: the supplement then says so.
TEST_SEAL_MARK = "TEST SEAL"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def seal_pkcs12(*, common_name: str, passphrase: str, test_seal: bool = True, organisation: str = "") -> bytes:
    """A self-signed seal certificate and its key (RSA 2048, valid ten years) as PKCS#12.

    RSA, not ECDSA: pyHanko declares PDF 2.0 (ISO 32002) for an ECDSA seal, which PDF/A-3 forbids.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "BE")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if test_seal:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_SEAL_MARK))
    name = x509.Name(attributes)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(common_name.encode(), key, certificate, None, encryption)


def credential_key_pem() -> bytes:
    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def credential_rsa_key_pem(key_size: int = 2048) -> bytes:
    """An RSA key for the VC-JWT (RS256); production keys should have 3072 bits (docs/deploy.md)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def ensure_seal(path: Path, *, passphrase: str, common_name: str) -> bool:
    """Create the development seal at ``path`` unless it exists. Returns True when created."""
    if path.exists():
        return False
    _write_private(path, seal_pkcs12(common_name=common_name, passphrase=passphrase))
    return True


def ensure_credential_key(path: Path) -> bool:
    """Create the development Ed25519 key at ``path`` unless it exists. Returns True when created."""
    if path.exists():
        return False
    _write_private(path, credential_key_pem())
    return True


def ensure_credential_rsa_key(path: Path) -> bool:
    """Create the development RSA key at ``path`` unless it exists. Returns True when created."""
    if path.exists():
        return False
    _write_private(path, credential_rsa_key_pem())
    return True
