import functools
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from certificates import rendering, sealing, services
from certificates.models import Certificate, IssuingCentre, SupplementVersion
from certificates.rendering import render_supplement_pdf
from qualifications.models import Qualification

from .. import factories, flows
from ..conftest import qualification_with_partials_create
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


# --- Documents rendered once per module ---------------------------------------------------------
# A module whose tests only read documents renders them once, in a transaction of its own that is
# rolled back after its last test: a module fixture that takes ``module_db`` and calls ``render_once``.
# Its tests are marked ``django_db`` all the same, so that the test database is set up for them.


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """The 0213 qualification and an issuing centre, in a transaction kept for the whole module."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        call_command("loaddata", "qualification_0213", verbosity=0)
        factories.IssuingCentreFactory()
        yield
        transaction.set_rollback(True)


@dataclass(frozen=True)
class RenderedDocument:
    """A document as issued (credential embedded, sealed), and what its tests compare it with."""

    kind: str  # "supplement", "statement", "proof" (of professional qualification) or "partial"
    languages: tuple[str, str]
    pdf: bytes
    html: str
    number: str
    holder_name: str
    verification_url: str
    centre_name: str
    sealed_on: object  # the local date of the render and seal


def issue_and_render(
    *, kind: str, languages: tuple[str, str], name=("Chris", "Candidate"), holder_name=None, not_proven=(10,)
) -> RenderedDocument:
    """Issue a proof of professional qualification (its "supplement" or the "proof" itself), a
    "statement" or a proof of partial qualification ("partial") to a new candidate and render it.

    ``holder_name`` replaces the name copied at issuance (a name the account form would not take);
    ``not_proven`` are the orders of the competencies a statement leaves out. A proof of partial
    qualification is of the qualification with two partial qualifications (tests/conftest.py),
    its candidate proving the first (competencies 1 to 4) and competency 6.
    """
    candidate = factories.CandidateFactory(first_name=name[0], last_name=name[1])
    if kind == "partial":
        qualification = Qualification.objects.filter(code="9213").first() or qualification_with_partials_create()
        not_proven = {5, 7, 8}
    else:
        qualification = Qualification.objects.get(code="0213")
    assessment = factories.AssessmentFactory(qualification=qualification, candidate=candidate)
    certified = kind in ("supplement", "proof")
    decided = flows.certify(assessment) if certified else flows.decide(assessment, not_proven=set(not_proven))
    certificate = decided.certificate
    if holder_name is not None:
        Certificate.objects.filter(pk=certificate.pk).update(holder_name=holder_name)
        certificate.refresh_from_db()
    version = render(services.supplement_queue(certificate=certificate, languages=languages))
    assert version.status == SupplementVersion.Status.READY, version.error
    proof = kind == "proof"
    with (version.proof_file if proof else version.file).open("rb") as handle:
        pdf = handle.read()
    return RenderedDocument(
        kind=kind,
        languages=version.proof_languages if proof else languages,
        pdf=pdf,
        html=rendering.proof_html(version) if proof else rendering.supplement_html(version),
        number=certificate.number,
        holder_name=certificate.holder_name,
        verification_url=certificate.verification_url,
        centre_name=certificate.issuing_centre.name,
        sealed_on=timezone.localdate(),
    )


def render_once(**specs) -> dict[str, RenderedDocument]:
    """The documents of a module, issued and rendered by ``issue_and_render`` (``module_db`` first).

    Then the module's centre stops issuing: each test has the suite's own current centre
    (``issuing_centre`` in tests/conftest.py), in the test's own transaction.
    """
    documents = {key: issue_and_render(**spec) for key, spec in specs.items()}
    IssuingCentre.objects.update(is_current=False)
    return documents
