"""The holder's files checked by software the project did not write (decisions 0020 and 0023).

Each verifier gets only what a stranger would: the downloaded file, and what the URLs it names
answer (the key a VC-JWT's ``kid`` names, the Multikey a proof names, the status list); pyHanko's
command line gets the sealed PDF and the root it is told to trust. Each prints its result, so
``pytest -s`` shows it.
"""

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import jwt
import pytest
from asn1crypto import pem as asn1_pem
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, OB3Verifier
from pyhanko.cli import cli_root

from certificates import services
from certificates.credentials import data_integrity, documents
from certificates.credentials.issuing import credential_issue
from certificates.sealing import configured_seal

from .. import factories, flows
from .conftest import render

ROOT = Path(__file__).resolve().parents[2]
NODE_VERIFIER = Path(os.environ.get("PORTAL_NODE_VERIFIER_DIR") or ROOT / "var" / "node-verifier")
NODE_SCRIPT = Path(__file__).parent / "outside" / "verify_credential.mjs"
BASE = "https://portal.example.org"


def issue(qualification=None):
    assessment = flows.certify(
        factories.AssessmentFactory(**({"qualification": qualification} if qualification else {}))
    )
    return credential_issue(certificate=assessment.certificate, languages=("nl", "en"))


@pytest.fixture
def issued(db):
    return issue()


def downloaded(client, credential, extension: str) -> bytes:
    client.force_login(credential.certificate.assessment.candidate)
    response = client.get(f"/certificates/{credential.certificate.pk}/credential.{extension}")
    client.logout()
    assert response.status_code == 200
    return response.content


def fetch(client, url: str, accept: str = "*/*"):
    """What the portal answers a stranger at ``url`` (through the test client)."""
    assert url.startswith(BASE + "/"), url
    response = client.get(url.removeprefix(BASE), HTTP_ACCEPT=accept)
    assert response.status_code == 200, url
    return response


def pem(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def multikey_pem(client, verification_method: str) -> bytes:
    multikey = fetch(client, verification_method).json()
    assert multikey["type"] == "Multikey" and multikey["publicKeyMultibase"].startswith("z6Mk")
    raw = data_integrity.from_base58btc(multikey["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"
    return pem(ed25519.Ed25519PublicKey.from_public_bytes(raw[2:]))


def test_openbadgeslib_verifies_the_jwt_with_the_key_its_kid_names_and_reads_the_status_list(
    client, issued, administrator
):
    token = downloaded(client, issued, "jwt").decode()
    jwk = fetch(client, jwt.get_unverified_header(token)["kid"]).json()
    verifier = OB3Verifier(pem(jwt.PyJWK(jwk).key))

    def download(url: str) -> bytes:
        return fetch(client, url).content

    badge = verifier.verify(token, check_status=True, verify_status_list=True, download=download)
    print("openbadgeslib OB3Verifier:", badge.id, badge.issuer.id, badge.achievement.name)
    assert badge.id == issued.certificate.verification_url
    assert badge.issuer.id == f"{BASE}/credentials/issuer/"
    services.certificate_revoke(certificate=issued.certificate, actor=administrator, reason="Fraud")
    with pytest.raises(OB3VerificationError, match="revocation") as revoked:
        verifier.verify(token, check_status=True, verify_status_list=True, download=download)
    print("openbadgeslib OB3Verifier after the revocation:", revoked.value)


def test_openbadgeslib_verifies_the_data_integrity_proof_with_the_multikey_it_names(client, issued, administrator):
    document = json.loads(downloaded(client, issued, "json"))
    verifier = OB3LdpVerifier(multikey_pem(client, document["proof"][0]["verificationMethod"]))

    def download(url: str) -> bytes:
        return fetch(client, url, accept="application/ld+json").content

    # openbadgeslib checks the signature of a status list only when it is a VC-JWT signed by the
    # credential's own key; the list's bit it reads all the same.
    badge = verifier.verify(document, check_status=True, verify_status_list=False, download=download)
    print("openbadgeslib OB3LdpVerifier:", badge.id, badge.issuer.id, badge.achievement.name)
    assert badge.id == issued.certificate.verification_url
    services.certificate_revoke(certificate=issued.certificate, actor=administrator, reason="Fraud")
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(document, check_status=True, verify_status_list=False, download=download)
    document["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    with pytest.raises(OB3VerificationError, match="signature") as changed:
        verifier.verify(document)
    print("openbadgeslib OB3LdpVerifier on a changed name:", changed.value)


# Each kind of proof, on the real qualification (whose competency codes have spaces) and on the
# qualification with partial qualifications: (fixture, orders not proven, kind).
KINDS = [
    ("qualification", (), "certificate"),
    ("qualification", (2, 4, 5, 6, 7, 9, 10), "statement"),
    ("qualification_with_partials", (5, 8), "partial"),
]


@pytest.mark.parametrize("fixture,not_proven,kind", KINDS, ids=[kind for _fixture, _not_proven, kind in KINDS])
@pytest.mark.django_db
def test_openbadgeslib_verifies_both_files_of_every_kind_of_proof(client, request, fixture, not_proven, kind):
    assessment = flows.decide(
        factories.AssessmentFactory(qualification=request.getfixturevalue(fixture)), not_proven=set(not_proven)
    )
    assert assessment.certificate.kind == kind
    credential = credential_issue(certificate=assessment.certificate, languages=("nl", "fr"))
    document = json.loads(downloaded(client, credential, "json"))
    proven = OB3LdpVerifier(multikey_pem(client, document["proof"][0]["verificationMethod"])).verify(document)
    print(f"openbadgeslib OB3LdpVerifier ({kind}):", proven.id, proven.achievement.id, proven.achievement.name)
    token = downloaded(client, credential, "jwt").decode()
    signed = OB3Verifier(pem(jwt.PyJWK(fetch(client, jwt.get_unverified_header(token)["kid"]).json()).key)).verify(
        token
    )
    print(f"openbadgeslib OB3Verifier ({kind}):", signed.id, signed.achievement.id, signed.achievement.name)
    achievement = document["credentialSubject"]["achievement"]
    assert proven.achievement.id == signed.achievement.id == achievement["id"]
    assert proven.achievement.name == signed.achievement.name == achievement["name"]


def test_both_files_are_valid_open_badges_credentials_by_the_official_schema(client, issued):
    document = json.loads(downloaded(client, issued, "json"))
    payload = jwt.decode(downloaded(client, issued, "jwt"), options={"verify_signature": False})
    assert documents.schema_errors(document) == []
    assert documents.schema_errors(payload) == []
    assert {name: value for name, value in document.items() if name != "proof"} == {
        name: value for name, value in payload.items() if name not in ("iss", "jti", "nbf")
    }


NODE_MISSING = (
    "node is not installed"
    if not shutil.which("node")
    else f"the DCC verifier is not installed in {NODE_VERIFIER} (make test installs it with npm)"
    if not (NODE_VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir()
    else None
)


def dcc_verifier(credential: dict, live_server_url: str, directory: Path) -> dict:
    """The Digital Credentials Consortium's verifier-core on ``credential``, offline: the portal's
    URLs answered by the live test server, contexts from the portal's local copies."""
    (directory / "credential.json").write_text(json.dumps(credential))
    contexts = {url: str(documents.CONTEXTS_DIR / name) for url, name in documents.LOCAL_FILES.items()}
    (directory / "contexts.json").write_text(json.dumps(contexts))
    result = subprocess.run(
        [
            "node",
            str(NODE_SCRIPT),
            str(NODE_VERIFIER),
            str(directory / "credential.json"),
            str(directory / "contexts.json"),
            BASE,
            live_server_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    print("DCC verifier-core, fetches:", result.stderr, sep="\n")
    print("DCC verifier-core, result:", result.stdout, sep="\n")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(NODE_MISSING is not None, reason=NODE_MISSING or "")
@pytest.mark.django_db(transaction=True)
def test_the_digital_credentials_consortium_verifier_accepts_the_json(live_server, client, tmp_path, settings):
    assert settings.PORTAL_BASE_URL == BASE  # the credential's URLs; the script sends them to the live server
    credential = issue()
    document = json.loads(downloaded(client, credential, "json"))
    result = dcc_verifier(document, live_server.url, tmp_path)
    assert "errors" not in result
    steps = {step["id"]: step.get("valid") for step in result["log"]}
    assert steps["valid_signature"] is True and steps["revocation_status"] is True and steps["expiration"] is True
    assert result["additionalInformation"][0]["results"][0]["result"]["valid"] is True  # the OB 3.0 schema

    administrator = factories.AdministratorFactory()
    services.certificate_revoke(certificate=credential.certificate, actor=administrator, reason="Fraud")
    steps = {step["id"]: step.get("valid") for step in dcc_verifier(document, live_server.url, tmp_path)["log"]}
    assert steps["valid_signature"] is True and steps["revocation_status"] is False


@pytest.mark.skipif(NODE_MISSING is not None, reason=NODE_MISSING or "")
@pytest.mark.parametrize("fixture,not_proven,kind", KINDS, ids=[kind for _fixture, _not_proven, kind in KINDS])
@pytest.mark.django_db(transaction=True)
def test_the_digital_credentials_consortium_verifier_accepts_every_kind_of_proof(
    live_server, client, tmp_path, request, fixture, not_proven, kind
):
    assessment = flows.decide(
        factories.AssessmentFactory(qualification=request.getfixturevalue(fixture)), not_proven=set(not_proven)
    )
    assert assessment.certificate.kind == kind
    credential = credential_issue(certificate=assessment.certificate, languages=("nl", "fr"))
    result = dcc_verifier(json.loads(downloaded(client, credential, "json")), live_server.url, tmp_path)
    assert "errors" not in result
    steps = {step["id"]: step.get("valid") for step in result["log"]}
    # Not "registered_issuer": the test centre is in none of the DCC's issuer registries.
    assert steps["valid_signature"] is True and steps["revocation_status"] is True and steps["expiration"] is True
    assert result["additionalInformation"][0]["results"][0]["result"]["valid"] is True  # the OB 3.0 schema


@pytest.fixture
def offline(monkeypatch) -> list:
    """Every connection a validator tries, refused and recorded."""
    attempts = []

    def refuse(*args, **_kwargs):
        attempts.append(args)
        raise OSError("offline")

    monkeypatch.setattr(socket.socket, "connect", lambda self, address: refuse(address))
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def pyhanko_command(*arguments: str) -> str:
    result = CliRunner().invoke(cli_root, list(arguments), catch_exceptions=False)
    print(f"$ pyhanko {' '.join(arguments)}", result.output, sep="\n")
    assert result.exit_code == 0, result.output
    return result.output


def test_pyhankos_validator_judges_the_sealed_supplement_valid(db, certificate, tmp_path, offline):
    pdf = Path(render(certificate.versions.get()).file.path)
    trusted = tmp_path / "seal.pem"
    trusted.write_bytes(asn1_pem.armor("CERTIFICATE", configured_seal().certificate.dump()))
    output = pyhanko_command("sign", "validate", "--trust", str(trusted), "--trust-replace", "--pretty-print", str(pdf))
    assert "The signer's certificate is trusted." in output and "The signature is cryptographically sound." in output
    assert "The signature covers the entire file." in output
    assert "The signature is judged VALID." in output
    assert offline == []


def test_pyhankos_ades_validator_judges_the_long_term_seal_valid(
    db, certificate, tmp_path, offline, pki, long_term_sealing
):
    pdf = Path(render(certificate.versions.get()).file.path)
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    arguments = ["sign", "adesverify", "--trust", str(root), "--trust-replace", "--pretty-print", str(pdf)]
    output = pyhanko_command(*arguments)
    assert "The signer's certificate is trusted." in output and "The TSA certificate is trusted." in output
    assert "All modifications relate to signature maintenance" in output
    assert "The signature is judged VALID." in output
    assert offline == []
