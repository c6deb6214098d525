"""Over https the connection goes to the address checked, and TLS still checks the certificate
against the host's name, which it sends (SNI)."""

import datetime
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webhooks import sending

from .receiver import Receiver, running

HOST = "hooks.example.test"


def _certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test authority, and a certificate of HOST that it signed."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Webhook test CA", ca_key, "Webhook test CA", ca_key, ca=True)
    leaf = _certificate(HOST, key, "Webhook test CA", ca_key, ca=False)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder


@pytest.fixture
def tls_receiver(pki, monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(sending, "tls_context", lambda: ssl.create_default_context(cafile=str(pki / "ca.pem")))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(pki / "leaf.pem", pki / "key.pem")
    names: list[str | None] = []
    server.sni_callback = lambda _socket, name, _context: names.append(name)
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # every name of the tests resolves to the receiver
        return real("127.0.0.1" if host.endswith(".example.test") else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    serving = running(Receiver(), tls=server)
    with serving as receiver:
        yield receiver, serving.port, names


def test_https_reaches_the_checked_address_under_the_hosts_name(tls_receiver):
    receiver, port, names = tls_receiver
    answer = sending.post(f"https://{HOST}:{port}/hooks/", body=b"{}", headers={})
    assert answer.status == 200
    assert names == [HOST]
    assert receiver.received[0].headers["host"] == f"{HOST}:{port}"


def test_a_certificate_of_another_name_is_refused(tls_receiver):
    receiver, port, _names = tls_receiver
    with pytest.raises(ssl.SSLCertVerificationError):
        sending.post(f"https://elsewhere.example.test:{port}/hooks/", body=b"{}", headers={})
    assert receiver.received == []
