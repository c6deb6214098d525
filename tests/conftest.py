import os
import socket
import tempfile
import uuid
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from hypothesis.configuration import set_hypothesis_home_dir

from qualifications.models import Qualification

from . import factories

# Hypothesis (under schemathesis) keeps its example database and the constants it reads from the
# source in a folder of its own: a throw-away one, not one in the project.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="portal-hypothesis-"))

ON_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Mutation testing (``make mutate``) runs the tests in several forked processes at once:
    each gets a test database of its own instead of recreating the shared one under the others."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from django.conf import settings

        for database in settings.DATABASES.values():
            test = database.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Password-reset limits and the sweep's lock live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in another language leaves it active in the thread: every test starts in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def issuing_centre(request):
    """Every portal has its test centre configured; tests of a missing centre remove it."""
    if request.node.get_closest_marker("django_db") is None:
        if "transactional_db" in request.fixturenames:
            request.getfixturevalue("transactional_db")
        elif "db" in request.fixturenames:
            request.getfixturevalue("db")
        else:
            return None
    return factories.IssuingCentreFactory()


@pytest.fixture
def qualification(db) -> Qualification:
    """The real qualification 0213, loaded from its fixture."""
    call_command("loaddata", "qualification_0213", verbosity=0)
    return Qualification.objects.get(code="0213")


# The second qualification's partial qualifications, by the orders of the competencies they group.
INBOUND = {1, 2, 3, 4}
OUTBOUND = {5, 6, 7}


def qualification_with_partials_create() -> Qualification:
    """A qualification of 8 competencies defining two partial qualifications: inbound contacts
    (competencies 1 to 4) and outbound contacts (5 to 7); competency 8 belongs to neither.
    Qualification 0213 defines none (docs/decisions/0015-partial-qualifications.md)."""
    qualification = factories.QualificationFactory(
        code="9213",
        title_nl="Testkwalificatie contactcenter",
        title_fr="Qualification d'essai centre de contact",
        title_en="Test qualification contact centre",
        competencies=(8, 2),
    )
    partials = [
        (INBOUND, "Inkomende contacten", "Contacts entrants", "Inbound contacts"),
        (OUTBOUND, "Uitgaande contacten", "Contacts sortants", "Outbound contacts"),
    ]
    for order, (competencies, title_nl, title_fr, title_en) in enumerate(partials, start=1):
        factories.PartialQualificationFactory(
            qualification=qualification,
            order=order,
            code=f"9213-D{order}",
            title_nl=title_nl,
            title_fr=title_fr,
            title_en=title_en,
            competencies=competencies,
        )
    return qualification


@pytest.fixture
def qualification_with_partials(db) -> Qualification:
    return qualification_with_partials_create()


@pytest.fixture
def candidate(db):
    return factories.CandidateFactory(first_name="Chris", last_name="Candidate")


@pytest.fixture
def other_candidate(db):
    return factories.CandidateFactory(first_name="Olga", last_name="Other")


@pytest.fixture
def assessor(db):
    return factories.AssessorFactory(first_name="Alex", last_name="Assessor")


@pytest.fixture
def second_assessor(db):
    return factories.AssessorFactory(first_name="Sam", last_name="Second")


@pytest.fixture
def outsider_assessor(db):
    return factories.AssessorFactory(first_name="Otto", last_name="Outsider")


@pytest.fixture
def administrator(db):
    return factories.AdministratorFactory(first_name="Ada", last_name="Admin")


@pytest.fixture
def assessment(qualification, candidate, assessor, second_assessor):
    return factories.AssessmentFactory(
        qualification=qualification, candidate=candidate, first_assessor=assessor, second_assessor=second_assessor
    )


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> None:
    """Skip when a real service is not reachable here; on CI it must be, so fail instead."""
    if reachable(url):
        return
    if ON_CI:
        pytest.fail(f"{name} must be reachable on CI at {url}")
    pytest.skip(f"{name} is not reachable at {url}")


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server on a free port of 127.0.0.1, for the whole session, with a bucket."""
    from .object_store import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3"))
    server.bucket = server.new_bucket()
    yield server
    server.stop()


@pytest.fixture
def object_storage(s3_server, settings):
    """The private files of this test in the S3 server, under a prefix of the test's own."""
    from .object_store import Bucket

    bucket = Bucket(s3_server, s3_server.bucket, f"test-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = {**settings.STORAGES, "private": bucket.storage_setting()}
    return bucket


@pytest.fixture(scope="session")
def clamd_daemon(tmp_path_factory):
    """A private ClamAV daemon for the session (``tests/clamd.py``); CI installs clamd."""
    from .clamd import Clamd, clamd_binary
    from .workers import free_port

    binary = clamd_binary()
    if binary is None:
        if ON_CI:
            pytest.fail("clamd must be installed on CI (Debian's clamav-daemon)")
        pytest.skip("clamd is not installed (Debian: apt-get install clamav-daemon)")
    daemon = Clamd(binary, tmp_path_factory.mktemp("clamd"), free_port())
    yield daemon
    daemon.stop()


@pytest.fixture
def scanner(clamd_daemon, settings):
    """Uploads are scanned by the private daemon in this test."""
    settings.CLAMD_URL = clamd_daemon.tcp_url
    settings.CLAMD_TIMEOUT = 10
    return clamd_daemon
