import pytest

from certificates import services
from certificates.models import SupplementVersion

from .. import flows
from .badge_helpers import issued


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
def proof(assessment):
    """A proof of professional qualification whose documents are ready and whose credential is
    signed, in Dutch and French."""
    return issued(flows.certify(assessment))
