import functools

import pytest

from certificates import sealing, services
from certificates.models import SupplementVersion
from certificates.rendering import render_supplement_pdf

from .. import flows
from .badge_helpers import issued
from .pki import ProviderPki


@pytest.fixture
def certified(assessment):
    return flows.certify(assessment)


@pytest.fixture
def certificate(certified):
    return certified.certificate


def render(version: SupplementVersion, attempt: str = "test-attempt") -> SupplementVersion:
    services.supplement_render(version_id=version.pk, attempt_id=attempt)
    version.refresh_from_db()
    return version


@pytest.fixture
def rendered(certificate) -> SupplementVersion:
    return render(certificate.versions.get())


@pytest.fixture
def pki() -> ProviderPki:
    return ProviderPki()


@pytest.fixture
def provider_seal(pki, settings, tmp_path) -> sealing.Seal:
    """The configured seal: a certificate of a trust service provider (valid one day), with its
    chain in the PKCS#12."""
    path = tmp_path / "provider-seal.p12"
    path.write_bytes(pki.seal_pkcs12(days=1))
    settings.PORTAL_SEAL_PKCS12, settings.PORTAL_SEAL_PASSPHRASE = str(path), "pass"
    return sealing.configured_seal()


def sealed_long_term(version: SupplementVersion, pki: ProviderPki, seal: sealing.Seal) -> bytes:
    """The version's PDF sealed as production seals it with a timestamp server, with the provider's
    revocation list handed over instead of fetched, and pyHanko's timestamp server in the process."""
    context = sealing.long_term_context(seal, pki.timestamper, crls=[pki.crl], fetching=False)
    return sealing.seal_pdf(
        render_supplement_pdf(version), seal=seal, timestamper=pki.timestamper, validation_context=context
    )


@pytest.fixture
def long_term_sealing(monkeypatch, pki, provider_seal):
    """The portal's own sealing with a timestamp server configured, offline: pyHanko's timestamp
    server in the process, the provider's revocation list handed over instead of fetched."""
    monkeypatch.setattr(sealing, "_timestamper", lambda: pki.timestamper)
    monkeypatch.setattr(
        sealing, "long_term_context", functools.partial(sealing.long_term_context, crls=[pki.crl], fetching=False)
    )


@pytest.fixture
def proof(assessment):
    """A proof of professional qualification whose documents are ready and whose credential is
    signed, in Dutch and French."""
    return issued(flows.certify(assessment))
