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

    def retrieve_matching_jwk(self, token):
        """The key named by the token's ``kid``; a token without one (OpenID Connect Core 10.1
        allows that) only with a JWKS of exactly one signing key."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("An ID token without a key id, and not one signing key to check it with.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc checks the signature, the expiry and the nonce; OpenID Connect Core
        3.1.3.7 asks the issuer and the audience to be checked too."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") != provider.issuer() or self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued by another provider or for another client.")
        if "exp" not in payload or not payload.get("sub"):
            raise SuspiciousOperation("The ID token has no expiry or no subject.")
        return payload

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
