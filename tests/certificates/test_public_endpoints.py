"""What verifiers and web wallets fetch: CORS on the public credential endpoints only, and how long
each answer may be kept (decision 0020)."""

import pytest

from certificates import services
from certificates.credentials import data_integrity, documents, signing
from certificates.credentials.issuing import credential_issue

pytestmark = pytest.mark.django_db
ORIGIN = "https://wallet.example"


@pytest.fixture
def credential(certificate):
    return credential_issue(certificate=certificate, languages=("nl", "en"))


def public_urls(credential) -> list[str]:
    proof_method = signing.multikey_url(data_integrity.multikey(signing.proof_key().private_key.public_key()))
    return [
        "/credentials/issuer/",
        "/credentials/keys.json",
        f"/credentials/keys/{credential.key.key_id}.json",
        proof_method.removeprefix("https://portal.example.org"),
        "/credentials/status/revocation/",
    ]


def test_every_public_credential_endpoint_may_be_read_from_any_page_without_cookies(client, credential):
    for url in public_urls(credential):
        response = client.get(url, HTTP_ORIGIN=ORIGIN)
        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response, url


def test_a_browser_may_post_a_file_to_the_machine_verifier(client):
    preflight = client.options("/verify/check.json", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert client.post("/verify/check.json", HTTP_ORIGIN=ORIGIN)["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url", ["/", "/verify/", "/accounts/login/", "/qualifications/", "/certificates/1/credential.json"]
)
def test_no_other_page_is_open_to_other_origins(client, url):
    assert "Access-Control-Allow-Origin" not in client.get(url, HTTP_ORIGIN=ORIGIN)


def test_a_key_is_kept_for_good_and_the_lists_of_keys_for_an_hour(client, credential):
    issuer, keys, key, multikey, _status = public_urls(credential)
    for url in (key, multikey):
        assert client.get(url)["Cache-Control"] == "public, max-age=31536000, immutable"
    for url in (issuer, keys):
        assert client.get(url)["Cache-Control"] == "public, max-age=3600"


def test_an_achievement_may_be_read_from_any_page_and_is_kept_for_an_hour(client, qualification):
    response = client.get("/credentials/achievements/0213/competencies/1,3/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in response
    assert response["Cache-Control"] == "public, max-age=3600"


def test_the_jwks_lists_every_key_with_its_url_as_kid(client, credential):
    response = client.get("/credentials/keys.json")
    assert response["Content-Type"] == "application/jwk-set+json"
    keys = response.json()["keys"]
    assert {(key["kty"], key["alg"]) for key in keys} == {("RSA", "RS256"), ("OKP", "EdDSA")}
    for key in keys:
        assert key["kid"] == signing.key_url(signing.jwk_thumbprint(key)) and "d" not in key
        assert client.get(key["kid"].removeprefix("https://portal.example.org")).json() == key


def test_the_issuer_profile_is_the_controller_of_its_multikeys(client, credential):
    profile = client.get("/credentials/issuer/").json()
    assert documents.schema_errors(profile, documents.PROFILE_SCHEMA) == []
    assert documents.unknown_contexts(profile) == []
    (method,) = profile["verificationMethod"]
    assert method["type"] == "Multikey" and method["controller"] == profile["id"]
    assert profile["assertionMethod"] == [method["id"]]


def test_the_status_list_is_asked_for_again_each_time_and_answers_304_while_unchanged(
    client, administrator, certificate, credential
):
    for accept in ("application/vc+jwt", "application/ld+json"):
        first = client.get("/credentials/status/revocation/", HTTP_ACCEPT=accept)
        assert first["Cache-Control"] == "no-cache, public"
        assert "Accept" in [header.strip() for header in first["Vary"].split(",")]
        again = client.get("/credentials/status/revocation/", HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again["ETag"] == first["ETag"]
    etag = client.get("/credentials/status/revocation/")["ETag"]
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="Fraud")
    after = client.get("/credentials/status/revocation/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
