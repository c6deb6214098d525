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
from qualifications.models import Competency

from .. import factories, flows
from .sealing_helpers import check, envelope, make_credential_key, payload_of

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


def test_every_signature_names_its_key_and_verifies_with_the_issuer_profile(client, credential):
    header = jwt.get_unverified_header(credential.jwt)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    assert header["kid"] == f"https://portal.example.org/credentials/issuer/#{credential.key.key_id}"
    profile = client.get("/credentials/issuer/").json()
    assert schema_errors(profile, documents.PROFILE_SCHEMA) == []
    assert profile["id"] == payload_of(credential.jwt)["issuer"]["id"]
    (method,) = [m for m in profile["verificationMethod"] if m["id"] == header["kid"]]
    public_key = jwt.PyJWK(method["publicKeyJwk"]).key
    assert jwt.decode(credential.jwt, public_key, algorithms=["EdDSA"])["id"] == credential.certificate.verification_url


def test_a_rotated_key_stays_on_the_profile_and_its_credentials_keep_verifying(
    client, settings, tmp_path, credential, qualification
):
    old_key = credential.key
    settings.PORTAL_CREDENTIAL_KEY = str(make_credential_key(tmp_path, "rotated"))
    newer = credential_issue(
        certificate=flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate,
        languages=("fr", "en"),
    )
    assert newer.key != old_key
    keys = {
        method["id"].rsplit("#", 1)[1] for method in client.get("/credentials/issuer/").json()["verificationMethod"]
    }
    assert keys == {old_key.key_id, newer.key.key_id}
    for item in (credential, newer):
        assert check(client, envelope(item.jwt), "credential.json").json()["verdict"] == "valid"


def test_the_credential_is_signed_once_per_language_pair_and_keeps_its_status_index(certificate, credential):
    assert credential_issue(certificate=certificate, languages=("nl", "en")).jwt == credential.jwt
    french = credential_issue(certificate=certificate, languages=("fr", "nl"))
    assert french.pk == credential.pk and french.status_index == credential.status_index
    assert (
        french.jwt != credential.jwt
        and payload_of(french.jwt)["credentialSubject"]["achievement"]["inLanguage"] == "fr"
    )


def test_without_a_key_no_credential_is_made(settings, certificate):
    settings.PORTAL_CREDENTIAL_KEY = ""
    assert credential_issue(certificate=certificate, languages=("nl", "en")) is None


def test_the_holder_downloads_the_credential_for_a_wallet(client, candidate, certificate, credential):
    client.force_login(candidate)
    response = client.get(f"/certificates/{certificate.pk}/credential/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="credential-{certificate.number}.json"'
    assert json.loads(response.content)["id"] == f"data:application/vc+jwt,{credential.jwt}"
    assert AuditEntry.objects.filter(action="file_downloaded", actor=candidate).count() == 1


@pytest.mark.parametrize("who", ["other_candidate", "assessor"])
def test_nobody_else_downloads_the_credential(client, request, certificate, credential, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/certificates/{certificate.pk}/credential/").status_code == 404


def test_a_revoked_certificates_credential_is_not_handed_out_to_the_holder(
    client, candidate, administrator, certificate, credential
):
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Fraud")
    client.force_login(candidate)
    assert client.get(f"/certificates/{certificate.pk}/credential/").status_code == 404


def test_the_status_list_encodes_bit_zero_as_the_first_bit():
    encoded = status_list.encode({0, 9})
    assert status_list.bit_is_set(encoded, 0) and status_list.bit_is_set(encoded, 9)
    assert not status_list.bit_is_set(encoded, 1) and not status_list.bit_is_set(encoded, 131_071)


def test_revocation_flips_the_bit_in_the_signed_status_list(client, administrator, certificate, credential):
    entry = payload_of(credential.jwt)["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == "https://portal.example.org/credentials/status/revocation/"

    def bit() -> bool:
        response = client.get("/credentials/status/revocation/")
        assert response["Content-Type"] == "application/vc+jwt"
        payload, _key = signing.verify(response.content.decode())
        assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        return status_list.bit_is_set(payload["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))

    assert bit() is False
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Fraud")
    assert bit() is True
