"""The revocation list: a W3C Bitstring Status List credential, signed like the credentials.

One list of 131,072 bits (16 KiB, the specification's minimum for herd privacy). Each
certificate's credential holds a random, never reused index; the bit is set when the certificate
is revoked. The list is built from the register on every request, so revocation flips the bit at
once and the list can never disagree with the register. It is served in both forms a credential
has (decision 0020): a VC-JWT (RS256), and JSON-LD with a Data Integrity proof for the verifiers
that read only those.
"""

import base64
import gzip
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from ..models import Certificate, CertificateCredential
from . import signing
from .documents import VC_V2_CONTEXT

LIST_SIZE = 131_072
PURPOSE = "revocation"


def status_list_url() -> str:
    return settings.PORTAL_BASE_URL + reverse("certificates:status_list")


def status_entry(index: int) -> dict:
    url = status_list_url()
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encode(indices: set[int]) -> str:
    """Multibase base64url (prefix "u", no padding) of the GZIP-compressed bitstring; bit 0 is
    the most significant bit of the first byte."""
    bits = bytearray(LIST_SIZE // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def bit_is_set(encoded_list: str, index: int) -> bool:
    if not encoded_list.startswith("u") or not 0 <= index < LIST_SIZE:
        raise ValueError("not a status list of this size")
    data = encoded_list[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    if len(bits) != LIST_SIZE // 8:
        raise ValueError("not a status list of this size")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoked_indices() -> set[int]:
    return set(
        CertificateCredential.objects.filter(certificate__status=Certificate.Status.REVOKED).values_list(
            "status_index", flat=True
        )
    )


def status_list_credential() -> dict:
    url = status_list_url()
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signing.issuer_id(),
        "validFrom": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(revoked_indices()),
        },
    }


def signed_status_list() -> str | None:
    """The list as a VC-JWT, or None when no signing key is configured."""
    key = signing.jwt_key()
    if key is None:
        return None
    signing.register_key(key)
    return signing.sign(status_list_credential(), key)


def status_list_with_proof() -> dict | None:
    """The list with an embedded Data Integrity proof, or None when no signing key is configured."""
    key = signing.proof_key()
    if key is None:
        return None
    signing.register_key(key)
    return signing.with_proof(status_list_credential(), key)
