"""A real OpenID Connect provider for the tests: oidc-provider-mock, started as a process of its own
on a free port of 127.0.0.1. It signs ID tokens with RS256 and publishes its discovery document and
JWKS; a test chooses the person (subject and claims) through its API, then signs in as that subject
on its authorization page, as a browser would."""

import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import httpx

from .workers import free_port, stop, wait_for


class Provider:
    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self._answers, timeout=30, message="the OpenID Connect provider")

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def person(self, subject: str, **claims) -> None:
        """What the provider says about ``subject`` from now on."""
        httpx.put(f"{self.issuer}/users/{subject}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorization_url: str, subject: str) -> str:
        """Sign in as ``subject`` on the provider's page; the redirect back to the portal."""
        response = httpx.post(authorization_url, data={"sub": subject}, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def stop(self) -> None:
        stop(self.process, timeout=5)


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
