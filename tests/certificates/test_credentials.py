"""The Open Badges 3.0 credential of a certificate, the issuer profile and the status list."""

import hashlib
import json

import jwt
import pytest

from audit.models import AuditEntry
from certificates import services
from certificates.credentials import documents, signing, status_list
from certificates.credentials.documents import DocumentNotLocal, schema_errors
from certificates.credentials.issuing import credential_issue
from certificates.models import CertificateCredential
from qualifications.models import Competency

from .. import factories, flows
from .sealing_helpers import check, make_credential_key, payload_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential(certificate):
    return credential_issue(certificate=certificate, languages=("nl", "en"))


def test_the_credential_validates_against_the_official_schema_and_local_contexts(credential):
    payload = payload_of(credential.jwt)
    assert schema_errors(payload) == []
    assert documents.unknown_contexts(payload) == []
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"


def test_the_schema_catches_a_broken_credential(credential):
    payload = payload_of(credential.jwt)
    del payload["credentialSubject"]["achievement"]["criteria"]
    assert schema_errors(payload)


def test_the_document_loader_serves_local_copies_and_refuses_any_other_url():
    assert documents.load_document(documents.OB3_CONTEXT)["@context"]
    with pytest.raises(DocumentNotLocal):
        documents.load_document("https://example.org/some-context.json")


def test_the_achievement_is_the_qualification_in_the_certificates_language_pair(credential, qualification):
    achievement = payload_of(credential.jwt)["credentialSubject"]["achievement"]
    assert achievement["name"] == f"{qualification.title_nl} / {qualification.title_en}"
    assert qualification.definition_nl in achievement["description"]
    assert qualification.definition_en in achievement["description"]
    assert achievement["humanCode"] == "0213" and achievement["achievementType"] == "Certificate"
    levels = {(a["targetFramework"], a["targetCode"]) for a in achievement["alignment"]}
    assert levels == {("Vlaamse kwalificatiestructuur", "3"), ("European Qualifications Framework", "3")}
    competencies = Competency.objects.filter(qualification=qualification)
    assert len(achievement["resultDescription"]) == competencies.count() == 10
    for competency, description in zip(competencies, achievement["resultDescription"], strict=True):
        assert description["name"] == f"{competency.code} {competency.text_nl} / {competency.text_en}"


def test_the_subject_is_a_salted_hash_of_the_email_and_the_holders_name(credential, certificate):
    payload = payload_of(credential.jwt)
    email = certificate.assessment.candidate.email
    assert email not in json.dumps(payload)
    hashed, name = payload["credentialSubject"]["identifier"]
    expected = "sha256$" + hashlib.sha256((email + credential.identity_salt).encode()).hexdigest()
    assert hashed == {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": expected,
        "salt": credential.identity_salt,
    }
    assert name["identityType"] == "name" and name["identityHash"] == certificate.holder_name


def test_the_jwt_is_open_badges_3_json_web_token_proof_format(credential):
    header = jwt.get_unverified_header(credential.jwt)
    assert header == {
        "alg": "RS256",
        "kid": f"https://portal.example.org/credentials/keys/{credential.key.key_id}.json",
        "typ": "JWT",
    }
    payload = payload_of(credential.jwt)
    certificate = credential.certificate
    assert payload["iss"] == payload["issuer"]["id"] == "https://portal.example.org/credentials/issuer/"
    assert payload["jti"] == payload["id"] == certificate.verification_url
    assert payload["nbf"] == int(certificate.issued_at.timestamp())
    assert "sub" not in payload and "exp" not in payload  # the subject has no id, the credential no end


def test_the_kid_is_the_url_of_the_one_key_that_verifies_the_jwt(client, credential):
    kid = jwt.get_unverified_header(credential.jwt)["kid"]
    response = client.get(kid.removeprefix("https://portal.example.org"))
    assert response["Content-Type"] == "application/jwk+json"
    jwk = response.json()
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["kid"] == kid and "d" not in jwk
    decoded = jwt.decode(credential.jwt, jwt.PyJWK(jwk).key, algorithms=[jwk["alg"]])
    assert decoded["id"] == credential.certificate.verification_url
    assert client.get("/credentials/keys/unknown.json").status_code == 404


def test_a_rotated_key_stays_published_and_its_credentials_keep_verifying(
    client, settings, tmp_path, credential, qualification
):
    old_jwt_key = credential.key
    old_proof = json.loads(credential.data_integrity)["proof"][0]["verificationMethod"]
    settings.PORTAL_CREDENTIAL_RSA_KEY = str(make_credential_key(tmp_path, "rotated-rsa", rsa=True))
    settings.PORTAL_CREDENTIAL_KEY = str(make_credential_key(tmp_path, "rotated"))
    newer = credential_issue(
        certificate=flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate,
        languages=("fr", "en"),
    )
    assert newer.key != old_jwt_key
    assert json.loads(newer.data_integrity)["proof"][0]["verificationMethod"] != old_proof
    kids = {key["kid"].rsplit("/", 1)[1] for key in client.get("/credentials/keys.json").json()["keys"]}
    assert {f"{old_jwt_key.key_id}.json", f"{newer.key.key_id}.json"} <= kids and len(kids) == 4
    assert old_proof in client.get("/credentials/issuer/").json()["assertionMethod"]
    assert client.get(old_proof.removeprefix("https://portal.example.org")).status_code == 200
    for item in (credential, newer):
        assert check(client, item.jwt.encode(), "credential.jwt").json()["verdict"] == "valid"
        assert check(client, item.data_integrity.encode(), "credential.json").json()["verdict"] == "valid"


def test_the_credential_is_signed_once_per_language_pair_and_keeps_its_status_index(certificate, credential):
    assert credential_issue(certificate=certificate, languages=("nl", "en")).jwt == credential.jwt
    french = credential_issue(certificate=certificate, languages=("fr", "nl"))
    assert french.pk == credential.pk and french.status_index == credential.status_index
    assert (
        french.jwt != credential.jwt
        and payload_of(french.jwt)["credentialSubject"]["achievement"]["inLanguage"] == "fr"
    )


@pytest.mark.parametrize("setting", ["PORTAL_CREDENTIAL_KEY", "PORTAL_CREDENTIAL_RSA_KEY"])
def test_without_both_keys_no_credential_is_made(settings, certificate, setting):
    setattr(settings, setting, "")
    assert credential_issue(certificate=certificate, languages=("nl", "en")) is None


def test_the_holder_downloads_the_jwt_and_the_json_with_its_proof(client, candidate, certificate, credential):
    client.force_login(candidate)
    token = client.get(f"/certificates/{certificate.pk}/credential.jwt")
    assert token["Content-Type"] == "application/jwt"
    assert token["Content-Disposition"] == f'attachment; filename="credential-{certificate.number}.jwt"'
    assert token.content.decode() == credential.jwt
    document = client.get(f"/certificates/{certificate.pk}/credential.json")
    assert document["Content-Type"] == "application/vc+ld+json"
    assert document["Content-Disposition"] == f'attachment; filename="credential-{certificate.number}.json"'
    proven = json.loads(document.content)
    assert proven["proof"][0]["type"] == "DataIntegrityProof" and proven["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert {name: value for name, value in proven.items() if name != "proof"} == signing.verify(credential.jwt)[0]
    downloads = AuditEntry.objects.filter(action="file_downloaded", actor=candidate)
    assert sorted(downloads.values_list("summary", flat=True)) == [
        f"credential-{certificate.number}.json",
        f"credential-{certificate.number}.jwt",
    ]


def test_a_credential_signed_before_the_data_integrity_proof_is_signed_again_when_downloaded(
    client, candidate, certificate, credential
):
    CertificateCredential.objects.filter(pk=credential.pk).update(data_integrity="", jwt="legacy.token.value")
    client.force_login(candidate)
    document = json.loads(client.get(f"/certificates/{certificate.pk}/credential.json").content)
    credential.refresh_from_db()
    assert document["proof"] and credential.data_integrity and credential.jwt != "legacy.token.value"
    assert str(credential.status_index) == payload_of(credential.jwt)["credentialStatus"]["statusListIndex"]


@pytest.mark.parametrize("who", ["other_candidate", "assessor"])
def test_nobody_else_downloads_the_credential(client, request, certificate, credential, who):
    client.force_login(request.getfixturevalue(who))
    for extension in ("jwt", "json"):
        assert client.get(f"/certificates/{certificate.pk}/credential.{extension}").status_code == 404


def test_a_revoked_certificates_credential_is_not_handed_out_to_the_holder(
    client, candidate, administrator, certificate, credential
):
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Fraud")
    client.force_login(candidate)
    for extension in ("jwt", "json"):
        assert client.get(f"/certificates/{certificate.pk}/credential.{extension}").status_code == 404


def test_the_status_list_encodes_bit_zero_as_the_first_bit():
    encoded = status_list.encode({0, 9})
    assert status_list.bit_is_set(encoded, 0) and status_list.bit_is_set(encoded, 9)
    assert not status_list.bit_is_set(encoded, 1) and not status_list.bit_is_set(encoded, 131_071)


def test_revocation_flips_the_bit_at_once_in_both_signed_forms_of_the_status_list(
    client, administrator, certificate, credential
):
    entry = payload_of(credential.jwt)["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == "https://portal.example.org/credentials/status/revocation/"

    def bits() -> tuple[bool, bool]:
        token = client.get("/credentials/status/revocation/")
        assert token["Content-Type"] == "application/vc+jwt"
        payload, key = signing.verify(token.content.decode())
        assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"] and key.algorithm == "RS256"
        document = client.get("/credentials/status/revocation/", HTTP_ACCEPT="application/ld+json, application/json")
        assert document["Content-Type"] == "application/ld+json"
        proven, _key = signing.verify_proof(document.json())
        index = int(entry["statusListIndex"])
        return tuple(
            status_list.bit_is_set(item["credentialSubject"]["encodedList"], index) for item in (payload, proven)
        )

    assert bits() == (False, False)
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Fraud")
    assert bits() == (True, True)
