"""The test centre's Ed25519 keys and the VC-JWT (JWS compact, EdDSA) they make.

The private key comes from ``PORTAL_CREDENTIAL_KEY`` (a PEM file). Its public half is recorded
in ``IssuerKey`` the first time it signs and is never removed: rotating the key (configuring a
new file) keeps the old public key on the issuer profile, so older credentials keep verifying.
Every signature names its key: the JWS header's ``kid`` is ``<issuer id>#<RFC 7638 thumbprint>``.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.urls import reverse

from ..models import IssuerKey

ALGORITHM = "EdDSA"
JWT_TYPE = "vc+jwt"


class SignatureProblem(Exception):
    """Why a VC-JWT does not verify; ``code`` names the reason for the verifier's report."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SigningKey:
    private_key: ed25519.Ed25519PrivateKey
    key_id: str
    public_jwk: dict


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public_key: ed25519.Ed25519PublicKey) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace."""
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    return _b64url(hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest())


def issuer_id() -> str:
    return settings.PORTAL_BASE_URL + reverse("certificates:issuer")


def verification_method(key_id: str) -> str:
    return f"{issuer_id()}#{key_id}"


@lru_cache(maxsize=4)
def _load_key(path: str, modified: float, passphrase: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(Path(path).read_bytes(), passphrase.encode() or None)
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        raise ValueError("PORTAL_CREDENTIAL_KEY must be an Ed25519 private key.")
    jwk = public_jwk(private_key.public_key())
    return SigningKey(private_key, jwk_thumbprint(jwk), jwk)


def signing_key() -> SigningKey | None:
    """The configured key (re-read when the file changes), or None when none is configured."""
    path = settings.PORTAL_CREDENTIAL_KEY
    if not path:
        return None
    return _load_key(path, Path(path).stat().st_mtime, settings.PORTAL_CREDENTIAL_KEY_PASSPHRASE)


def register_key(key: SigningKey) -> IssuerKey:
    issuer_key, _created = IssuerKey.objects.get_or_create(key_id=key.key_id, defaults={"public_jwk": key.public_jwk})
    return issuer_key


def sign(payload: dict, key: SigningKey) -> str:
    """The payload (a whole credential, VC-JOSE-COSE style) as a compact JWS."""
    headers = {"kid": verification_method(key.key_id), "typ": JWT_TYPE, "cty": "vc"}
    return jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers=headers)


def verify(token: str) -> tuple[dict, IssuerKey]:
    """The payload of a VC-JWT signed by one of this issuer's keys, old or current.

    Raises ``SignatureProblem`` with code ``malformed``, ``algorithm``, ``foreign_issuer``,
    ``unknown_key`` or ``signature``.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SignatureProblem("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise SignatureProblem("algorithm")  # never "none", never a shared secret
    prefix = issuer_id() + "#"
    key_reference = str(header.get("kid", ""))
    if not key_reference.startswith(prefix):
        raise SignatureProblem("foreign_issuer")
    issuer_key = IssuerKey.objects.filter(key_id=key_reference.removeprefix(prefix)).first()
    if issuer_key is None:
        raise SignatureProblem("unknown_key")
    public_key = jwt.PyJWK(issuer_key.public_jwk, algorithm=ALGORITHM).key
    try:
        payload = jwt.decode(
            token, public_key, algorithms=[ALGORITHM], options={"verify_aud": False, "verify_iss": False, "require": []}
        )
    except jwt.InvalidSignatureError:
        raise SignatureProblem("signature") from None
    except jwt.PyJWTError:
        raise SignatureProblem("malformed") from None
    return payload, issuer_key
