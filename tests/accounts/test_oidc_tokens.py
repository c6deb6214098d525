"""The ID token checks of ``ProviderBackend.verify_token`` on tokens signed here (an RSA key and a
JWKS served through a stand-in for the provider's JWKS endpoint): issuer, audience, expiry, issue
time within the clock leeway, subject, algorithm, key id, and the userinfo's subject."""

import json
import time

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from accounts.backends import CLOCK_LEEWAY_SECONDS, ProviderBackend

ISSUER = "https://idp.example.org"
JWKS = "https://idp.example.org/jwks"
USERINFO = "https://idp.example.org/userinfo"
CLIENT = "portal"
NONCE = "nonce-1"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, **fields) -> dict:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "use": "sig", **fields}


@pytest.fixture
def jwks(key):
    """The provider's JWKS: one key, with a key id, unless a test serves another."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        served.get(JWKS, json={"keys": [public_jwk(key, kid="key-1", alg="RS256")]})
        yield served


@pytest.fixture
def backend(settings):
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = ISSUER, CLIENT
    backend = ProviderBackend()
    backend.OIDC_OP_JWKS_ENDPOINT, backend.OIDC_OP_USER_ENDPOINT = JWKS, USERINFO
    backend.OIDC_RP_CLIENT_ID, backend.OIDC_RP_CLIENT_SECRET = CLIENT, "secret"
    backend.OIDC_RP_SIGN_ALGO, backend.OIDC_RP_IDP_SIGN_KEY = "RS256", None
    return backend


def id_token(key, *, headers=None, algorithm="RS256", **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": CLIENT, "sub": "subject-1", "iat": now, "exp": now + 300, "nonce": NONCE}
    # A claim given as a function of the present is made now, not when the tests were collected.
    payload = {name: value(now) if callable(value) else value for name, value in {**payload, **claims}.items()}
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": "key-1", **(headers or {})})


def test_a_well_formed_token_is_accepted(backend, jwks, key):
    assert backend.verify_token(id_token(key), nonce=NONCE)["sub"] == "subject-1"


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"iss": "https://other.example.org"}, jwt.InvalidIssuerError),
        ({"aud": "another-client"}, jwt.InvalidAudienceError),
        ({"exp": lambda now: now - CLOCK_LEEWAY_SECONDS - 10}, jwt.ExpiredSignatureError),
        ({"iat": lambda now: now + CLOCK_LEEWAY_SECONDS + 60}, jwt.ImmatureSignatureError),
        ({"sub": None}, jwt.MissingRequiredClaimError),
        ({"exp": None}, jwt.MissingRequiredClaimError),
    ],
)
def test_a_token_with_a_wrong_claim_is_refused(backend, jwks, key, claims, error):
    with pytest.raises(error):
        backend.verify_token(id_token(key, **claims), nonce=NONCE)


def test_an_issue_time_slightly_ahead_of_the_portals_clock_is_accepted(backend, jwks, key):
    token = id_token(key, iat=lambda now: now + CLOCK_LEEWAY_SECONDS // 2)
    assert backend.verify_token(token, nonce=NONCE)["sub"] == "subject-1"


def test_an_empty_subject_is_refused(backend, jwks, key):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(key, sub=""), nonce=NONCE)


def test_a_token_signed_with_a_shared_secret_or_unsigned_is_refused(backend, jwks, key):
    hs256 = id_token("portal-secret-portal-secret-portal-secret", algorithm="HS256")
    unsigned = id_token(None, algorithm="none")
    for token in (hs256, unsigned):
        with pytest.raises((jwt.PyJWTError, SuspiciousOperation)):
            backend.verify_token(token, nonce=NONCE)


def test_a_token_response_without_an_id_token_is_refused(backend, jwks):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(None, nonce=NONCE)


def test_a_token_signed_by_another_key_is_refused(backend, jwks):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        backend.verify_token(id_token(other), nonce=NONCE)


def test_keys_without_a_key_id_are_skipped_not_an_error(backend, jwks, key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.replace(responses.GET, JWKS, json={"keys": [public_jwk(other), public_jwk(key, kid="key-1")]})
    assert backend.verify_token(id_token(key), nonce=NONCE)["sub"] == "subject-1"


def test_a_token_without_a_key_id_needs_a_jwks_of_one_signing_key(backend, jwks, key):
    token = jwt.encode(jwt.decode(id_token(key), options={"verify_signature": False}), key, algorithm="RS256")
    jwks.replace(responses.GET, JWKS, json={"keys": [public_jwk(key)]})
    assert backend.verify_token(token, nonce=NONCE)["sub"] == "subject-1"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.replace(responses.GET, JWKS, json={"keys": [public_jwk(key), public_jwk(other)]})
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=NONCE)


def test_a_wrong_nonce_is_refused(backend, jwks, key):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(key), nonce="another-nonce")


def test_userinfo_about_another_subject_is_refused(backend, jwks, key, db):
    jwks.get(USERINFO, json={"sub": "subject-2", "email": "someone@example.org", "email_verified": True})
    payload = backend.verify_token(id_token(key), nonce=NONCE)
    with pytest.raises(SuspiciousOperation):
        backend.get_or_create_user("access-token", id_token(key), payload)
