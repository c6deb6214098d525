"""One HTTP POST to a receiver, and the rules of where the portal may send one (decision 0033).

A webhook is a request the portal makes to an address an administrator typed: without a guard,
an address inside the portal's own network (its database, a cloud's metadata service at
169.254.169.254, a service on localhost) would receive requests and show their answers on the
deliveries page. So the host is resolved once, every address it resolves to must be public, and
the connection goes to an address checked, never to a second lookup's answer (which a hostile DNS
server could point inside: "DNS rebinding"). ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` lifts the guard
for a receiver on the portal's own network (and the tests' local receiver).

An IPv6 address that carries an IPv4 one (6to4, Teredo, NAT64, IPv4-mapped or -translated) is
checked by the IPv4 address it leads to as well, and the deprecated site-local range is refused.

No redirect is followed (a 3xx is an answer like any other), no proxy from the environment is
used, and the answer is read up to ``RESPONSE_EXCERPT`` bytes only. One deadline,
``WEBHOOKS_TIMEOUT_SECONDS``, bounds the whole attempt: the name's lookup, each connection, the
request and the answer (each socket operation waits only the time left), so a receiver that
trickles its answer a byte at a time is cut off too.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
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
    try:
        parts.hostname.encode("idna")
    except UnicodeError:  # a label empty or longer than 63 characters, or not a valid name
        return "host"
    try:
        if parts.port == 0:  # out of range (above 65535, negative, not a number) raises
            return "port"
    except ValueError:
        return "port"
    if parts.username or parts.password:
        return "credentials"
    return None


# IPv6 ranges whose last 32 bits are an IPv4 address a gateway or translator connects to: NAT64
# (well-known and local-use prefixes) and IPv4-translated (SIIT).
_LAST_32_BITS_IPV4 = tuple(
    ipaddress.IPv6Network(network) for network in ("64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96")
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 one leads to (mapped, 6to4, Teredo, NAT64, translated)."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in _LAST_32_BITS_IPV4):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [each for each in found if each is not None]


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:  # fec0::/10, deprecated, still routed inside
        return "site_local"
    # Shared address space (100.64.0.0/10) and the other special ranges are not global either.
    return None if ip.is_global else "not global"


def address_refusal(address: str) -> str | None:
    """Why a webhook may not go to this IP address (private, loopback, ...), or None. An IPv6
    address carrying an IPv4 one is refused when either is."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope ("fe80::1%eth0") is no part of it
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    for each in (*embedded, ip):
        if (why := _refusal(each)) is not None:
            return why
    return None


def _resolve(host: str, port: int, *, seconds: float) -> list[Any]:
    """``getaddrinfo``, which has no timeout of its own, given ``seconds`` in a thread of its own
    (left to finish on its own when it takes longer: the resolver's own timeouts end it)."""
    outcome: list[Any] = []

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP))
        except (OSError, UnicodeError) as error:
            outcome.append(error)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(max(seconds, 0))
    if not outcome:
        raise TimeoutError(f"looking up {host} timed out")
    if isinstance(outcome[0], Exception):
        raise Refused(f"{host} does not resolve: {outcome[0]}")
    return list(outcome[0])


def addresses(host: str, port: int, *, seconds: float) -> list[str]:
    """The addresses to connect to: every one the host resolves to (within ``seconds``), each
    checked unless the setting allows private ones; one refused address refuses the host (a name
    that also points inside)."""
    found = _resolve(host, port, seconds=seconds)
    resolved = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in resolved:
            if (why := address_refusal(address)) is not None:
                raise Refused(f"{host} resolves to {address} ({why})")
    return resolved


class _Deadline:
    """The time an attempt has left, from its one deadline."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; ``TimeoutError`` once there are none."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        return left


class _DeadlineSocket:
    """The connected socket as ``http.client`` uses it, each send and read waiting at most the time
    left. Like a socket's own ``makefile``, the socket stays open while its reader is, since the
    connection hands itself to the answer (``close`` then comes before the answer is read)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock, self.deadline = sock, deadline
        self.readers = 0
        self.closed = False

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def recv_into(self, buffer: Any) -> int:
        self.sock.settimeout(self.deadline.left())
        return self.sock.recv_into(buffer)

    def makefile(self, mode: str) -> io.BufferedReader:
        self.readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        self.closed = True
        if self.readers == 0:
            self.sock.close()

    def reader_closed(self) -> None:
        self.readers -= 1
        if self.closed:
            self.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        self.sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self.sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self.sock.reader_closed()
        super().close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked, whatever the name resolves to by now."""

    def __init__(self, host: str, port: int, *, address: str, deadline: _Deadline) -> None:
        super().__init__(host, port)
        self.address, self.deadline = address, deadline

    def _connected(self) -> socket.socket:
        return socket.create_connection((self.address, self.port), self.deadline.left())

    def connect(self) -> None:
        self.sock = _DeadlineSocket(self._connected(), self.deadline)


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, the host name checked."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: the certificate is checked against the host's name (SNI too)."""

    def _connected(self) -> socket.socket:
        sock = super()._connected()
        sock.settimeout(self.deadline.left())
        return tls_context().wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; the answer's status and the start of its body. Raises ``Refused``
    for an address the rules above refuse, ``OSError`` (a timeout too) when no answer came within
    ``WEBHOOKS_TIMEOUT_SECONDS``. An address that cannot be connected to gives way to the next one
    the name resolves to while time is left; once the request is sent, it is not sent again."""
    if (why := url_refusal(url)) is not None:
        raise Refused(f"the URL is refused ({why})")
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = _Deadline(settings.WEBHOOKS_TIMEOUT_SECONDS)
    last_error: OSError | None = None
    for address in addresses(host, port, seconds=deadline.left()):
        connection = connection_class(host, port, address=address, deadline=deadline)
        try:
            try:
                connection.connect()
            except OSError as error:  # refused, unreachable, timed out: the next address may answer
                last_error = error
                continue
            connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
            response = connection.getresponse()
            excerpt = response.read(RESPONSE_EXCERPT)
            return Answer(status=response.status, body=excerpt.decode("utf-8", errors="replace"))
        finally:
            connection.close()
    raise last_error or OSError(f"{host} has no address")
