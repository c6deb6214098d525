"""The two ways to sign in: a password (Django's model backend, within the centre's choice) and the
OpenID Connect provider (mozilla-django-oidc's code flow, matched by ``services.oidc_sign_in``).
See docs/decisions/0034."""

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import provider, services, sign_in
from .models import User

# Seconds of clock difference with the provider tolerated on the ID token's exp, iat and nbf.
CLOCK_LEEWAY_SECONDS = 60


class PasswordBackend(ModelBackend):
    """Passwords, as long as ``sign_in.password_allowed`` lets this account use one."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and sign_in.password_allowed(user)


class ProviderBackend(OIDCAuthenticationBackend):
    """The provider's code flow: token exchange, the ID token checked (RS256 with a key of the
    provider's JWKS, its issuer, audience, expiry and nonce), the claims read from the userinfo
    endpoint, and the account found by ``services.oidc_sign_in``.

    It is listed in AUTHENTICATION_BACKENDS only so that Django finds the account of a session it
    signed in; ``authenticate`` refuses everything, so neither a password nor django-axes' count
    of failed passwords ever reaches it (the callback view calls ``sign_in_from_callback``).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        # mozilla-django-oidc's __init__ reads the endpoints; Django builds every backend at every
        # password sign-in, and the provider is asked nothing before somebody signs in with it.
        self.UserModel = User
        self.refusal: services.OidcRefusal | None = None

    def authenticate(self, request, **credentials):
        return None

    def sign_in_from_callback(self, request, *, nonce: str, code_verifier: str | None) -> User | None:
        found = provider.endpoints()
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_USER_ENDPOINT = found.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def get_user(self, user_id):
        """The account of a session opened with the provider, as long as it is active (Django's
        ModelBackend; mozilla-django-oidc's would keep a deactivated person signed in)."""
        return ModelBackend.get_user(self, user_id)

    def retrieve_matching_jwk(self, token):
        """The signing key of the provider's JWKS named by the token's ``kid`` (keys without a
        ``kid`` are skipped); a token without one (OpenID Connect Core 10.1 allows that) only with
        a JWKS of exactly one signing key."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        keys = [key for key in keys if key.get("alg", header.get("alg")) == header.get("alg")]
        if len(keys) != 1:
            raise SuspiciousOperation("Not exactly one key of the provider's JWKS matches the ID token.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc finds the key and checks the nonce; ``_verify_jws`` checks the
        signature, issuer, audience, expiry and issue time (OpenID Connect Core 3.1.3.7)."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("The token response has no ID token.")
        payload = super().verify_token(token, **kwargs)
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise SuspiciousOperation("The ID token has no subject.")
        return payload

    def _verify_jws(self, payload, key):
        """The ID token's signature (RS256 only: neither ``none`` nor a shared secret), its issuer,
        its audience, and its expiry and issue time within CLOCK_LEEWAY_SECONDS. Every failure
        raises a ``jwt.PyJWTError``."""
        return jwt.decode(
            payload,
            key,
            algorithms=[settings.OIDC_RP_SIGN_ALGO],
            issuer=provider.issuer(),
            audience=self.OIDC_RP_CLIENT_ID,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about another subject is not this person's.
        if claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("The userinfo response is about another subject.")
        try:
            return services.oidc_sign_in(
                issuer=provider.issuer(),
                subject=payload["sub"],
                email=claims.get("email"),
                email_verified=claims.get("email_verified"),
            )
        except services.OidcRefusal as refusal:
            self.refusal = refusal
            return None
