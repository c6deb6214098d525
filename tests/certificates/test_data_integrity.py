"""The Data Integrity proof (eddsa-rdfc-2022) of the credential, and how the portal's verifier reads
every form of credential it has issued (decision 0020)."""

import base64
import copy
import hashlib
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from certificates.credentials import data_integrity, documents, signing
from certificates.models import IssuerKey

from .sealing_helpers import check, checks_of, envelope, payload_of

pytestmark = pytest.mark.django_db

# W3C "Data Integrity EdDSA Cryptosuites v1.0", appendix B.1 (Representation: eddsa-rdfc-2022):
# the key pair, the credential, the proof options and what they must give.
VECTOR_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_PRIVATE_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
VECTOR_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_CONTEXT],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
VECTOR_METHOD = f"did:key:{VECTOR_PUBLIC_KEY}#{VECTOR_PUBLIC_KEY}"
VECTOR_DOCUMENT_HASH = "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
VECTOR_PROOF_HASH = "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
VECTOR_PROOF_VALUE = "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"


@pytest.fixture
def examples_context(monkeypatch):
    """The W3C examples context (the document at that URL), for the test vector only."""
    served = data_integrity.load_document
    examples = {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}
    monkeypatch.setattr(
        data_integrity, "load_document", lambda url: examples if url == EXAMPLES_CONTEXT else served(url)
    )


def test_the_proof_reproduces_the_w3c_test_vector(examples_context):
    seed = data_integrity.from_base58btc(VECTOR_PRIVATE_KEY[1:])
    assert seed[:2] == b"\x80\x26"  # multicodec ed25519-priv
    private_key = ed25519.Ed25519PrivateKey.from_private_bytes(seed[2:])
    assert data_integrity.multikey(private_key.public_key()) == VECTOR_PUBLIC_KEY
    options = data_integrity.proof_options(verification_method=VECTOR_METHOD, created="2023-02-24T23:36:38Z")
    hashed = data_integrity.hash_data(VECTOR_CREDENTIAL, options)
    assert hashed.hex() == VECTOR_PROOF_HASH + VECTOR_DOCUMENT_HASH
    proof = data_integrity.proof(VECTOR_CREDENTIAL, private_key, options)
    assert proof == {**options, "proofValue": VECTOR_PROOF_VALUE}


def independent_hash(document: dict, options: dict) -> bytes:
    """The hash of vc-di-eddsa 3.3, written here again: PyLD and hashlib, nothing of the portal."""

    def loader(url, _options=None):
        with open(documents.CONTEXTS_DIR / documents.LOCAL_FILES[url], encoding="utf-8") as file:
            return {"contextUrl": None, "documentUrl": url, "document": json.load(file)}

    def canonical(item: dict) -> bytes:
        return jsonld.normalize(
            item, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
        ).encode()

    config = {**options, "@context": document["@context"]}
    return hashlib.sha256(canonical(config)).digest() + hashlib.sha256(canonical(document)).digest()


def base58_decode(text: str) -> bytes:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = 0
    for character in text:
        number = number * 58 + alphabet.index(character)
    return number.to_bytes(64, "big")


def test_an_independent_check_verifies_the_proof_with_the_multikey_the_portal_serves(client, certificate):
    from certificates.credentials.issuing import credential_issue

    document = json.loads(credential_issue(certificate=certificate, languages=("nl", "en")).data_integrity)
    (proof,) = document.pop("proof")
    response = client.get(proof["verificationMethod"].removeprefix("https://portal.example.org"))
    assert response["Content-Type"] == "application/ld+json" and "immutable" in response["Cache-Control"]
    multikey = response.json()
    assert multikey == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": proof["verificationMethod"],
        "type": "Multikey",
        "controller": "https://portal.example.org/credentials/issuer/",
        "publicKeyMultibase": multikey["publicKeyMultibase"],
    }
    raw = base58_decode(multikey["publicKeyMultibase"][1:]).lstrip(b"\0")
    assert raw[:2] == b"\xed\x01"
    public_key = ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
    signature = base58_decode(proof["proofValue"][1:])
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    public_key.verify(signature, independent_hash(document, options))  # raises when it does not verify
    assert options["created"].endswith("Z") and options["proofPurpose"] == "assertionMethod"
    profile = client.get("/credentials/issuer/").json()
    assert proof["verificationMethod"] in profile["assertionMethod"]


# --- The portal's verifier on every form ---------------------------------------------------------


@pytest.fixture
def issued(certificate):
    from certificates.credentials.issuing import credential_issue

    return credential_issue(certificate=certificate, languages=("nl", "en"))


def test_the_verifier_accepts_the_jwt_and_the_json_of_today(client, issued):
    for data, name in ((issued.jwt.encode(), "credential.jwt"), (issued.data_integrity.encode(), "credential.json")):
        answer = check(client, data, name).json()
        assert answer["verdict"] == "valid", answer
        assert all(checks_of(check(client, data, name)).values())


def test_the_verifier_refuses_a_changed_json(client, issued):
    document = json.loads(issued.data_integrity)
    document["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    answer = check(client, json.dumps(document).encode(), "credential.json").json()
    assert answer["verdict"] == "invalid"
    assert answer["checks"][0] == {
        "check": "signature",
        "ok": False,
        "message": "The credential's signature does not match: it was changed after signing.",
    }


@pytest.mark.parametrize(
    "method,message",
    [
        ("https://elsewhere.example/keys/z6Mk", "The credential was issued by someone else, not by this test centre."),
        (
            "https://portal.example.org/credentials/issuer/keys/z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2/",
            "The credential names a key this test centre has never used.",
        ),
    ],
)
def test_a_proof_by_another_key_is_not_this_issuers(client, issued, method, message):
    document = json.loads(issued.data_integrity)
    document["proof"][0]["verificationMethod"] = method
    assert check(client, json.dumps(document).encode(), "credential.json").json()["checks"][0]["message"] == message


def test_a_credential_signed_before_with_eddsa_keeps_verifying(client, issued):
    """What was issued before decision 0020: an EdDSA VC-JWT (typ vc+jwt, kid on the issuer profile)
    in a VC 2.0 envelope, as the holder downloaded it and the PDF embedded it."""
    key = signing.proof_key()
    assert IssuerKey.objects.get(key_id=key.key_id).algorithm == "EdDSA"
    credential = {name: value for name, value in payload_of(issued.jwt).items() if name not in ("iss", "jti", "nbf")}
    legacy = jwt.encode(
        credential,
        key.private_key,
        algorithm="EdDSA",
        headers={"kid": signing.legacy_key_reference(key.key_id), "typ": "vc+jwt", "cty": "vc"},
    )
    for data in (legacy.encode(), envelope(legacy)):
        assert check(client, data, "credential.json").json()["verdict"] == "valid"
    forged = jwt.encode(
        credential, key.private_key, algorithm="EdDSA", headers={"kid": signing.key_url(issued.key.key_id)}
    )
    assert check(client, forged.encode(), "credential.jwt").json()["checks"][0]["message"] == (
        "The credential is signed with a method this portal does not accept."
    )


def test_a_jwt_whose_claims_disagree_with_its_credential_is_refused(client, issued):
    payload = payload_of(issued.jwt)
    payload["jti"] = "https://portal.example.org/verify/another/"
    key = signing.jwt_key()
    token = jwt.encode(payload, key.private_key, algorithm="RS256", headers={"kid": signing.key_url(key.key_id)})
    assert check(client, token.encode(), "credential.jwt").json()["checks"][0]["message"] == (
        "The credential's token says something else than the credential it carries."
    )


def test_canonicalising_an_untrusted_file_is_bounded_in_time(client, issued, settings):
    settings.VERIFY_PDF_SECONDS = 0.001
    answer = check(client, issued.data_integrity.encode(), "credential.json").json()
    assert (
        answer["checks"][0]["message"]
        == "The credential is too complex to check; a credential of this test centre never is."
    )


def test_the_proof_value_is_checked_before_anything_is_canonicalised():
    document = {"@context": [documents.VC_V2_CONTEXT], "proof": [{"type": "DataIntegrityProof"}]}
    with pytest.raises(data_integrity.ProofProblem):
        data_integrity.unsecured(document)
    proof = copy.deepcopy(
        {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "verificationMethod": "https://portal.example.org/credentials/issuer/keys/z6Mk/",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + data_integrity.base58btc(b"\1" * 63),
        }
    )
    with pytest.raises(data_integrity.ProofProblem, match="Ed25519"):
        data_integrity.unsecured({**document, "proof": proof})


def test_the_key_of_a_multikey_round_trips():
    private_key = ed25519.Ed25519PrivateKey.generate()
    value = data_integrity.multikey(private_key.public_key())
    assert value.startswith("z6Mk")
    raw = data_integrity.from_base58btc(value[1:])
    assert base64.b16encode(raw[:2]) == b"ED01" and len(raw) == 34
