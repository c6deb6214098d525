"""One HTTP POST to a receiver, and the rules of where the portal may send one (decision 0033).

A webhook is a request the portal makes to an address an administrator typed: without a guard,
an address inside the portal's own network (its database, a cloud's metadata service at
169.254.169.254, a service on localhost) would receive requests and show their answers on the
deliveries page. So the host is resolved once, every address it resolves to must be public, and
the connection goes to an address checked, never to a second lookup's answer (which a hostile DNS
server could point inside: "DNS rebinding"). ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` lifts the guard
for a receiver on the portal's own network (and the tests' local receiver).

No redirect is followed (a 3xx is an answer like any other), no proxy from the environment is
used, and the answer is read up to ``RESPONSE_EXCERPT`` bytes only.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# What is kept of an answer's body, for the deliveries page.
RESPONSE_EXCERPT = 1024


class Refused(Exception):
    """The address may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def url_refusal(url: str) -> str | None:
    """Why ``url`` may not receive webhooks (its scheme, credentials), or None."""
    parts = urlsplit(url)
    allowed = ("https",) if settings.WEBHOOKS_REQUIRE_HTTPS else ("http", "https")
    if parts.scheme not in allowed:
        return "https" if settings.WEBHOOKS_REQUIRE_HTTPS else "scheme"
    if not parts.hostname:
        return "host"
    if parts.username or parts.password:
        return "credentials"
    return None


def address_refusal(address: str) -> str | None:
    """Why a webhook may not go to this IP address (private, loopback, ...), or None."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope ("fe80::1%eth0") is no part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind
    # Shared address space (100.64.0.0/10) and the other special ranges are not global either.
    return None if ip.is_global else "not global"


def addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to: every one the host resolves to, each checked unless the setting
    allows private ones; one refused address refuses the host (a name that also points inside)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise Refused(f"{host} does not resolve: {error}")
    resolved = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in resolved:
            if (why := address_refusal(address)) is not None:
                raise Refused(f"{host} resolves to {address} ({why})")
    return resolved


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked, whatever the name resolves to by now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, the host name checked."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host's name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = tls_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; the answer's status and the start of its body. Raises ``Refused``
    for an address the rules above refuse, ``OSError`` (a timeout too) when no answer came."""
    if (why := url_refusal(url)) is not None:
        raise Refused(f"the URL is refused ({why})")
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    last_error: OSError | None = None
    for address in addresses(host, port):
        connection = connection_class(host, port, address=address, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT)
            return Answer(status=response.status, body=excerpt.decode("utf-8", errors="replace"))
        except ConnectionRefusedError as error:
            last_error = error  # the next address may answer
        finally:
            connection.close()
    raise last_error or OSError(f"{host} has no address")
