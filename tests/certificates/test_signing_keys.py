"""Each signing key does its one job, and a missing key is reported, not a server error."""

import pytest

from certificates.credentials import signing

from .sealing_helpers import check, checks_of, envelope

pytestmark = pytest.mark.django_db


def test_a_data_integrity_proof_is_made_with_the_ed25519_key_only():
    with pytest.raises(ValueError, match="Ed25519"):
        signing.with_proof({"id": "urn:example"}, signing.jwt_key())  # the RSA key of the VC-JWTs


def test_without_the_key_that_signs_the_status_list_the_verifier_says_the_status_cannot_be_checked(
    client, rendered, settings
):
    credential = envelope(rendered.certificate.credential.jwt)
    assert checks_of(check(client, credential, "credential.json"))["status"] is True
    settings.PORTAL_CREDENTIAL_RSA_KEY = ""  # the status list is a VC-JWT signed with it
    response = check(client, credential, "credential.json")
    assert response.status_code == 200
    assert response.json()["verdict"] == "invalid"
    assert checks_of(response)["status_unknown"] is False
