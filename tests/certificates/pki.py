"""A small public-key infrastructure made in the test, offline: a root certificate authority, a
seal certificate and a timestamp server's certificate issued by it, and the authority's
revocation list. What a trust service provider gives a test centre, without its network."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

CRL_URL = "http://crl.invalid/root.crl"  # named in the certificates; never fetched in a test
ONE_DAY = datetime.timedelta(days=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "BE")]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _usage(*, signing: bool = False, authority: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class ProviderPki:
    """The root authority, and what it issued. ``now`` is when the certificates start to be valid."""

    root_key: rsa.RSAPrivateKey = field(default_factory=_key)
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))

    def __post_init__(self):
        name = _name("Test Trust Service Root")
        self.root = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - ONE_DAY)
            .not_valid_after(self.now + 3650 * ONE_DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(authority=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.root_key.public_key()), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )
        self.revoked: list[int] = []

    def issue(self, common_name: str, key: rsa.RSAPrivateKey, *, days: int, time_stamping: bool = False):
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - ONE_DAY)
            .not_valid_after(self.now + days * ONE_DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signing=True), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()), critical=False
            )
            .add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)]
                ),
                critical=False,
            )
        )
        if time_stamping:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return builder.sign(self.root_key, hashes.SHA256())

    def seal_pkcs12(self, common_name: str = "Test centre seal", *, days: int = 365, key=None) -> bytes:
        """The seal as a trust service provider delivers it: key (RSA unless given), certificate and
        the chain."""
        key = key or _key()
        certificate = self.issue(common_name, key, days=days)
        return pkcs12.serialize_key_and_certificates(
            common_name.encode(), key, certificate, [self.root], serialization.BestAvailableEncryption(b"pass")
        )

    @cached_property
    def timestamper(self) -> DummyTimeStamper:
        """pyHanko's timestamp server in the process, with a certificate of this authority."""
        key = _key()
        certificate = self.issue("Test timestamp server", key, days=3650, time_stamping=True)
        der = serialization.Encoding.DER
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            ),
            certs_to_embed=[self.root_certificate],
        )

    @property
    def root_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.root.public_bytes(serialization.Encoding.DER))

    @cached_property
    def crl(self) -> asn1_crl.CertificateList:
        """The authority's revocation list now; a certificate revoked after reading it stays off it."""
        return self.crl_at(self.now)

    def crl_at(self, moment: datetime.datetime) -> asn1_crl.CertificateList:
        """The list the authority publishes at ``moment``, valid a week."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.subject)
            .last_update(moment - datetime.timedelta(minutes=5))
            .next_update(moment + 7 * ONE_DAY)
            .add_extension(x509.CRLNumber(int(moment.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()), critical=False
            )
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(self.now).build()
            )
        signed = builder.sign(self.root_key, hashes.SHA256())
        return asn1_crl.CertificateList.load(signed.public_bytes(serialization.Encoding.DER))
