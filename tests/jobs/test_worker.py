"""A real Celery worker runs a long export end to end: queued on commit, claimed, written, done,
and its owner told (decision 0025)."""

import pytest
from openpyxl import load_workbook

from jobs import services
from jobs.models import Job
from notifications.models import Notification
from portal.storage import private_storage

from .. import factories
from ..workers import Worker, broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def finished(job_id: int) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.finished else None


def test_a_worker_writes_a_long_export_and_tells_its_owner(tmp_path):
    administrator = factories.AdministratorFactory(preferred_language="en")
    people = factories.CandidateFactory.create_batch(5)
    url = "filesystem://localhost//"
    with broker(url, tmp_path):
        worker = Worker(url, tmp_path)
        try:
            job = services.job_export_start(
                owner=administrator, kind="people-export", query="role=candidate", file_format="xlsx", total=5
            )  # handed to the broker on commit
            job = wait_for(lambda: finished(job.pk), timeout=90, message="the export job")
        except AssertionError:
            raise AssertionError(worker.output()) from None
        finally:
            worker.stop()
    assert (job.status, job.done, job.total) == ("done", 5, 5), job.error
    with private_storage.open(job.result_name) as file:
        rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "Last name"
    assert sorted(row[2] for row in rows[1:]) == sorted(person.email for person in people)
    assert Notification.objects.get(recipient=administrator).event == "job_done"
