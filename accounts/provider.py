"""The OpenID Connect provider the portal signs people in with, as configured (OIDC_ISSUER and
the client's id and secret): whether there is one, what its button says, and its endpoints.

The endpoints are read from the issuer's discovery document when a sign-in first needs them and
kept in the cache for an hour, so the portal starts without the provider and follows a provider
that moves an endpoint; every one of them must be https (OIDC_ALLOW_HTTP: a development provider
only). See docs/decisions/0034.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

DISCOVERY_CACHE_SECONDS = 3600

# Scopes that ask a provider for the national register number (ACM/IDM's "rrn", the INSZ/SSIN):
# the portal neither needs nor may keep it, so it never asks.
NATIONAL_NUMBER_SCOPES = frozenset({"rrn", "insz", "ssin", "nrn"})


class ProviderUnavailable(Exception):
    """The discovery document could not be read or does not describe the configured issuer."""


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str


def configured() -> bool:
    """A provider is used only with its issuer, the client's id and the client's secret."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET)


def secure(url: str) -> bool:
    """Whether the provider may be reached at this address: https, or http only where
    OIDC_ALLOW_HTTP allows it (a development provider; the tests)."""
    scheme = urlsplit(url).scheme
    return scheme == "https" or (scheme == "http" and settings.OIDC_ALLOW_HTTP)


def issuer() -> str:
    return settings.OIDC_ISSUER


def scopes() -> str:
    """The scopes asked for; a national register number scope is a configuration error."""
    asked = settings.OIDC_RP_SCOPES.split()
    refused = NATIONAL_NUMBER_SCOPES.intersection(scope.lower() for scope in asked)
    if refused:
        raise ImproperlyConfigured(f"OIDC_SCOPES must not ask for the national register number: {sorted(refused)}")
    if "openid" not in asked or "email" not in asked:
        raise ImproperlyConfigured("OIDC_SCOPES must include openid and email.")
    return " ".join(asked)


def display_name() -> str:
    return settings.OIDC_PROVIDER_NAME or gettext("the Flemish government (eID, itsme)")


def endpoints() -> Endpoints:
    """The provider's endpoints, from its discovery document (cached)."""
    key = f"oidc-discovery:{issuer()}"
    document = cache.get(key)
    if document is None:
        document = _discover()
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return Endpoints(
        authorization=document["authorization_endpoint"],
        token=document["token_endpoint"],
        userinfo=document["userinfo_endpoint"],
        jwks=document["jwks_uri"],
    )


def _discover() -> dict:
    if not secure(issuer()):
        raise ProviderUnavailable("the issuer is not an https address")
    url = issuer().rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery document not readable: {error}") from error
    # OpenID Connect Discovery 1.0, 4.3: the issuer it names must be exactly the one configured.
    if not isinstance(document, dict) or document.get("issuer") != issuer():
        raise ProviderUnavailable("the discovery document names another issuer")
    needed = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    if not all(isinstance(document.get(name), str) for name in needed):
        raise ProviderUnavailable("the discovery document lacks an endpoint")
    if not all(secure(document[name]) for name in ("issuer", *needed)):
        raise ProviderUnavailable("the discovery document names an endpoint that is not https")
    return {name: document[name] for name in ("issuer", *needed)}
