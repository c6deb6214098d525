"""The Data Integrity proof of a credential: cryptosuite ``eddsa-rdfc-2022`` (W3C Data Integrity
EdDSA Cryptosuites v1.0, section 3.3), with the keys as Multikeys (Ed25519, ``z6Mk…``).

Both the proof options and the credential are canonicalised with RDFC-1.0 (PyLD, under the
algorithm's earlier name URDNA2015: the output is the same) from the local contexts only; the
signature is Ed25519 over SHA-256(canonical proof options) followed by SHA-256(canonical
credential), written as multibase base58btc. Imports nothing of Django, so a child process of the
verifier can canonicalise an untrusted file on its own (``pdf_limits.run_bounded``).
"""

import copy
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from .documents import load_document

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint: 0xed 0x01).
ED25519_PUBLIC_KEY_CODEC = b"\xed\x01"


class ProofProblem(ValueError):
    """Why a proof cannot be checked or does not verify."""


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = BASE58_ALPHABET[remainder] + encoded
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


def from_base58btc(text: str) -> bytes:
    number = 0
    for character in text:
        number = number * 58 + BASE58_ALPHABET.index(character)  # ValueError on a foreign character
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public_key: ed25519.Ed25519PublicKey) -> str:
    """The key's ``publicKeyMultibase``: "z" (base58btc) over the Ed25519 multicodec and the key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(ED25519_PUBLIC_KEY_CODEC + raw)


def _document_loader(url: str, _options=None) -> dict:
    # A copy: PyLD may hold on to what it is given, and load_document hands out one cached object.
    # "static": the local copies never change, so PyLD keeps each context as it resolved it for the
    # process instead of resolving it again for every canonicalisation (a third of a signature's time).
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(load_document(url)), "tag": "static"}


def canonical_form(document: dict) -> str:
    """The document's RDF dataset as canonical N-Quads (RDFC-1.0); a context without a local copy
    raises (PyLD's JsonLdError), since nothing is ever fetched."""
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _document_loader}
    return jsonld.normalize(document, options)


def hash_data(document: dict, proof_options: dict) -> bytes:
    """What is signed: SHA-256 of the canonical proof options (in the document's context), then
    SHA-256 of the canonical document."""
    proof_config = {**proof_options, "@context": document["@context"]}
    return (
        hashlib.sha256(canonical_form(proof_config).encode()).digest()
        + hashlib.sha256(canonical_form(document).encode()).digest()
    )


def proof_options(*, verification_method: str, created: str) -> dict:
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }


def proof(document: dict, private_key: ed25519.Ed25519PrivateKey, options: dict) -> dict:
    """The proof of the document: its options and the signature (``proofValue``)."""
    signature = private_key.sign(hash_data(document, options))
    return {**options, "proofValue": "z" + base58btc(signature)}


def unsecured(document: dict) -> tuple[dict, dict, bytes]:
    """The document without its proof, the proof's options and the signature; ProofProblem when the
    proof is not one eddsa-rdfc-2022 proof for assertions (alone, or alone in a list)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofProblem("not one proof")
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    if (
        options.get("type") != PROOF_TYPE
        or options.get("cryptosuite") != CRYPTOSUITE
        or options.get("proofPurpose") != PROOF_PURPOSE
        or not isinstance(options.get("verificationMethod"), str)
        or "@context" in options  # the options are read in the document's context, no other
    ):
        raise ProofProblem("not an eddsa-rdfc-2022 assertion proof")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofProblem("proofValue is not base58btc")
    try:
        signature = from_base58btc(value[1:])
    except ValueError:
        raise ProofProblem("proofValue is not base58btc") from None
    if len(signature) != 64:
        raise ProofProblem("not an Ed25519 signature")
    return {name: value for name, value in document.items() if name != "proof"}, options, signature
