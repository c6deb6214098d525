"""A real Celery worker renders certificates end to end, from the file-system broker and from Redis."""

import pytest
from pypdf import PdfReader

from certificates.models import Certificate, SupplementVersion

from .. import factories, flows
from ..conftest import REDIS_URL, require_service
from ..workers import Worker, broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def ready(version_id):
    version = SupplementVersion.objects.get(pk=version_id)
    return version if version.status == SupplementVersion.Status.READY else None


def certify_and_wait(qualification, worker):
    assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))  # queued on commit
    version = assessment.certificate.versions.get()
    try:
        version = wait_for(lambda: ready(version.pk), timeout=90, message="the supplement")
    except AssertionError:
        raise AssertionError(worker.output()) from None
    return version


def check_rendered(version):
    reader = PdfReader(version.file.path)
    assert version.certificate.number in reader.pages[0].extract_text()
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("transport", ["filesystem", "redis"])
def test_a_worker_renders_the_supplement_end_to_end(qualification, tmp_path, transport):
    url = "filesystem://localhost//" if transport == "filesystem" else REDIS_URL
    if transport == "redis":
        require_service("Redis", url)
    with broker(url, tmp_path):
        worker = Worker(url, tmp_path)
        try:
            check_rendered(certify_and_wait(qualification, worker))
        finally:
            worker.stop()
