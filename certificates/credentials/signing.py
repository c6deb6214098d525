"""The test centre's credential keys, the VC-JWT and the Data Integrity proof they make (decision 0020).

Two keys, each a PEM file: an RSA key (``PORTAL_CREDENTIAL_RSA_KEY``) signs the VC-JWT exactly as
Open Badges 3.0's "JSON Web Token Proof Format" asks (RS256; header ``alg``, ``kid``, ``typ: JWT``;
the credential plus the claims ``iss``, ``jti``, ``nbf`` and, where the credential has them,
``sub`` and ``exp``); an Ed25519 key (``PORTAL_CREDENTIAL_KEY``) signs the Data Integrity proof
(``eddsa-rdfc-2022``). Before decision 0020 the Ed25519 key signed the VC-JWT (EdDSA, ``typ:
vc+jwt``, ``kid`` ``<issuer>#<thumbprint>``); those credentials keep verifying.

Every key's public half is recorded in ``IssuerKey`` the first time it signs and is never removed:
rotating a key (configuring a new file) keeps the old one published.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils import timezone

from .. import pdf_limits
from ..models import IssuerKey
from . import data_integrity
from .documents import unknown_contexts

KeyType = IssuerKey.KeyType
ALGORITHMS: dict[str, str] = {KeyType.RSA: "RS256", KeyType.ED25519: "EdDSA"}
# The members of a public JWK that make its RFC 7638 thumbprint.
THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


class SignatureProblem(Exception):
    """Why a credential does not verify; ``code`` names the reason for the verifier's report."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SigningKey:
    private_key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    key_type: str
    key_id: str
    public_jwk: dict

    @property
    def algorithm(self) -> str:
        return ALGORITHMS[self.key_type]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_uint(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8 or 1, "big"))


def public_jwk(public_key: ed25519.Ed25519PublicKey | rsa.RSAPublicKey) -> dict:
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        return {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace."""
    required = {member: jwk[member] for member in THUMBPRINT_MEMBERS[jwk["kty"]]}
    return _b64url(hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest())


def issuer_id() -> str:
    return settings.PORTAL_BASE_URL + reverse("certificates:issuer")


def portal_route(url: str) -> ResolverMatch | None:
    """The view and arguments of one of this portal's own URLs (no query, no fragment), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != settings.PORTAL_BASE_URL or parts.query or parts.fragment:
        return None
    try:
        return resolve(parts.path)
    except Resolver404:
        return None


def key_url(key_id: str) -> str:
    """Where the key is published as one JWK: the ``kid`` of the VC-JWTs it signs."""
    return settings.PORTAL_BASE_URL + reverse("certificates:key", args=[key_id])


def legacy_key_reference(key_id: str) -> str:
    """The ``kid`` of the EdDSA VC-JWTs signed before decision 0020."""
    return f"{issuer_id()}#{key_id}"


def multikey_url(public_key_multibase: str) -> str:
    """Where an Ed25519 key is published as a Multikey: the ``verificationMethod`` of its proofs."""
    return settings.PORTAL_BASE_URL + reverse("certificates:multikey", args=[public_key_multibase])


def public_key_multibase(issuer_key: IssuerKey) -> str:
    raw = base64.urlsafe_b64decode(issuer_key.public_jwk["x"] + "==")
    return data_integrity.multikey(ed25519.Ed25519PublicKey.from_public_bytes(raw))


@lru_cache(maxsize=8)
def _load_key(path: str, modified: float, passphrase: str, key_type: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(Path(path).read_bytes(), passphrase.encode() or None)
    expected = rsa.RSAPrivateKey if key_type == KeyType.RSA else ed25519.Ed25519PrivateKey
    if not isinstance(private_key, expected):
        raise ValueError(f"{path} must be an {key_type} private key.")
    checked = cast(rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey, private_key)  # the type checked just above
    jwk = public_jwk(checked.public_key())
    return SigningKey(checked, key_type, jwk_thumbprint(jwk), jwk)


def _configured(path: str, passphrase: str, key_type: str) -> SigningKey | None:
    """The key in ``path`` (re-read when the file changes), or None when none is configured."""
    if not path:
        return None
    return _load_key(path, Path(path).stat().st_mtime, passphrase, key_type)


def jwt_key() -> SigningKey | None:
    """The RSA key that signs the VC-JWTs (RS256)."""
    return _configured(settings.PORTAL_CREDENTIAL_RSA_KEY, settings.PORTAL_CREDENTIAL_RSA_KEY_PASSPHRASE, KeyType.RSA)


def proof_key() -> SigningKey | None:
    """The Ed25519 key that signs the Data Integrity proofs."""
    return _configured(settings.PORTAL_CREDENTIAL_KEY, settings.PORTAL_CREDENTIAL_KEY_PASSPHRASE, KeyType.ED25519)


def register_key(key: SigningKey) -> IssuerKey:
    issuer_key, _created = IssuerKey.objects.get_or_create(
        key_id=key.key_id,
        defaults={"public_jwk": key.public_jwk, "key_type": key.key_type, "algorithm": key.algorithm},
    )
    return issuer_key


def register_configured_keys() -> None:
    """Record the configured keys, so that they are published before they first sign."""
    for key in (jwt_key(), proof_key()):
        if key is not None:
            register_key(key)


def published_jwk(issuer_key: IssuerKey) -> dict:
    return {**issuer_key.public_jwk, "kid": key_url(issuer_key.key_id), "alg": issuer_key.algorithm, "use": "sig"}


# --- The VC-JWT (Open Badges 3.0, "JSON Web Token Proof Format") ----------------------------------


def _numeric_date(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC).timestamp())


def _id_of(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def registered_claims(credential: dict) -> dict:
    """The JWT claims Open Badges 3.0 derives from the credential."""
    claims = {
        "iss": _id_of(credential["issuer"]),
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    subject = _id_of(credential.get("credentialSubject"))
    if subject is not None:
        claims["sub"] = subject
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def sign(credential: dict, key: SigningKey) -> str:
    """The credential as a compact JWS: header ``alg``, ``kid`` (the key's URL), ``typ: JWT``."""
    payload = {**credential, **registered_claims(credential)}
    return jwt.encode(payload, key.private_key, algorithm=key.algorithm, headers={"kid": key_url(key.key_id)})


def _key_id_of(reference: str) -> str | None:
    """The key id a ``kid`` names, if it names one of this issuer's key URLs (or, for the VC-JWTs
    signed before decision 0020, a key on the issuer profile)."""
    legacy_prefix = issuer_id() + "#"
    if reference.startswith(legacy_prefix):
        return reference.removeprefix(legacy_prefix)
    match = portal_route(reference)
    return match.kwargs["key_id"] if match and match.view_name == "certificates:key" else None


def verify(token: str) -> tuple[dict, IssuerKey]:
    """The credential in a VC-JWT signed by one of this issuer's keys, old or current, without the
    JWT's registered claims (checked here against the credential).

    Raises ``SignatureProblem`` with code ``malformed``, ``algorithm``, ``foreign_issuer``,
    ``unknown_key``, ``signature`` or ``claims``.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SignatureProblem("malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS.values():
        raise SignatureProblem("algorithm")  # never "none", never a shared secret
    key_id = _key_id_of(str(header.get("kid", "")))
    if key_id is None:
        raise SignatureProblem("foreign_issuer")
    issuer_key = IssuerKey.objects.filter(key_id=key_id).first()
    if issuer_key is None:
        raise SignatureProblem("unknown_key")
    if issuer_key.algorithm != algorithm:
        raise SignatureProblem("algorithm")  # the key decides the algorithm, never the token
    public_key = jwt.PyJWK(issuer_key.public_jwk, algorithm=algorithm).key
    try:
        payload = jwt.decode(
            token, public_key, algorithms=[algorithm], options={"verify_aud": False, "verify_iss": False, "require": []}
        )
    except jwt.InvalidSignatureError:
        raise SignatureProblem("signature") from None
    except jwt.PyJWTError:
        raise SignatureProblem("malformed") from None
    return _credential_of(payload, legacy=algorithm == ALGORITHMS[KeyType.ED25519]), issuer_key


def _credential_of(payload: dict, *, legacy: bool) -> dict:
    """The credential without the registered claims, which must agree with it (Open Badges 3.0);
    the EdDSA VC-JWTs signed before decision 0020 have none."""
    if legacy:
        return payload
    credential = {name: value for name, value in payload.items() if name not in ("iss", "jti", "nbf", "sub", "exp")}
    try:
        expected = registered_claims(credential)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SignatureProblem("claims") from None
    if {name: payload.get(name) for name in ("iss", "jti", "nbf", "sub", "exp") if name in payload} != expected:
        raise SignatureProblem("claims")
    return credential


# --- The Data Integrity proof (eddsa-rdfc-2022) ---------------------------------------------------


def with_proof(credential: dict, key: SigningKey) -> dict:
    """The credential with an embedded Data Integrity proof by ``key`` (an Ed25519 key), in a list
    as the Open Badges 3.0 schema wants it."""
    private_key = key.private_key
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        raise ValueError("A Data Integrity proof (eddsa-rdfc-2022) is made with an Ed25519 key.")
    options = data_integrity.proof_options(
        verification_method=multikey_url(data_integrity.multikey(private_key.public_key())),
        created=timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return {**credential, "proof": [data_integrity.proof(credential, private_key, options)]}


def _proof_key_of(verification_method: str) -> IssuerKey | None:
    match = portal_route(verification_method)
    if match is None or match.view_name != "certificates:multikey":
        return None
    keys = IssuerKey.objects.filter(key_type=KeyType.ED25519)
    return next((key for key in keys if public_key_multibase(key) == match.kwargs["public_key_multibase"]), None)


def verify_proof(document: dict) -> tuple[dict, IssuerKey]:
    """The credential (without its proof) of a document whose Data Integrity proof one of this
    issuer's Ed25519 keys made. Raises ``SignatureProblem`` as ``verify`` does, or ``too_complex``.

    The key is found before anything is canonicalised, and the canonicalisation of the untrusted
    file runs in a child process with a time limit (``VERIFY_PDF_SECONDS``): RDFC-1.0 can take
    very long on a crafted graph.
    """
    try:
        credential, options, signature = data_integrity.unsecured(document)
    except data_integrity.ProofProblem:
        raise SignatureProblem("malformed") from None
    if unknown_contexts(credential):
        raise SignatureProblem("malformed")  # its terms cannot be read without fetching a context
    verification_method = options["verificationMethod"]
    if not verification_method.startswith(settings.PORTAL_BASE_URL + "/"):
        raise SignatureProblem("foreign_issuer")
    issuer_key = _proof_key_of(verification_method)
    if issuer_key is None:
        raise SignatureProblem("unknown_key")
    try:
        signed = pdf_limits.run_bounded(
            data_integrity.hash_data, credential, options, seconds=settings.VERIFY_PDF_SECONDS
        )
    except ValidationError:
        raise SignatureProblem("too_complex") from None
    public_key = ed25519.Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(issuer_key.public_jwk["x"] + "=="))
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        raise SignatureProblem("signature") from None
    return credential, issuer_key
