"""The outcome reports' export: counted first, answered at once when short, otherwise written by
the worker as a job (decision 0025), with the same rows either way."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jobs import services as job_services
from jobs.models import Job
from reports import selectors

from .. import factories, flows

pytestmark = pytest.mark.django_db

EXPORT = "/assessments/reports/outcomes"


def rows_of(file_format: str, content: bytes) -> list[list]:
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    # Cells past a row's last value are empty; a blank row is a row of Nones.
    return [[cell for cell in row if cell is not None] for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def decided(qualification):
    """Three decisions by three pairs of assessors, counted."""
    flows.certify(factories.AssessmentFactory(qualification=qualification))
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={1, 2})
    flows.refresh_reports()


@pytest.fixture
def signed_in(client, administrator):
    administrator.preferred_language = "en"
    administrator.save()
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_long_export_is_a_job_that_writes_the_same_rows(signed_in, administrator, settings, decided, file_format):
    at_once = signed_in.get(f"{EXPORT}.{file_format}")
    assert at_once.streaming and not Job.objects.exists()
    expected = rows_of(file_format, b"".join(at_once.streaming_content))
    assert len(expected) == 1 + selectors.outcome_report().count()
    assert expected[-4][0] == "Agreement per assessor pair"  # then the three pairs

    settings.JOB_ROWS_IMMEDIATE = 3
    settings.JOB_PROGRESS_EVERY = 2
    response = signed_in.get(f"{EXPORT}.{file_format}")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.status, job.total) == (administrator, "queued", len(expected) - 1)
    job_services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", len(expected) - 1, len(expected) - 1)
    download = signed_in.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Disposition"].startswith(f'attachment; filename="outcome-reports.{file_format}"')
    assert rows_of(file_format, b"".join(download.streaming_content)) == expected


def test_the_job_writes_in_its_owners_language(signed_in, administrator, settings, decided):
    administrator.preferred_language = "nl"
    administrator.save()
    settings.JOB_ROWS_IMMEDIATE = 3
    signed_in.get(f"{EXPORT}.csv")
    job = Job.objects.get()
    job_services.job_run(job_id=job.pk)
    rows = rows_of("csv", b"".join(signed_in.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert rows[0][0] == "Uitkomsten per maand"
    assert rows[-4][0] == "Overeenstemming per paar assessoren"


def test_the_pairs_are_counted_before_they_are_read_and_read_as_they_are_written(decided):
    report = selectors.outcome_report()
    with CaptureQueriesContext(connection) as counted:
        total = report.count()
    [count] = counted.captured_queries
    assert count["sql"].startswith("SELECT COUNT(*)") and 'FROM "reports_pairtally"' in count["sql"]
    rows = report.rows()
    with CaptureQueriesContext(connection) as read:
        written = list(rows)
    assert len(written) == total and len(read) == 1  # one query for every pair, with their names


def test_the_export_is_for_administrators_only(client, assessment, settings):
    settings.JOB_ROWS_IMMEDIATE = 0
    for user in (assessment.first_assessor, assessment.candidate):
        client.force_login(user)
        for file_format in ("csv", "xlsx"):
            assert client.get(f"{EXPORT}.{file_format}").status_code == 404
    client.logout()
    assert client.get(f"{EXPORT}.csv").status_code == 302  # to the sign-in page
    assert not Job.objects.exists()


def test_an_unknown_format_is_a_404(signed_in, settings):
    settings.JOB_ROWS_IMMEDIATE = 0
    assert signed_in.get(f"{EXPORT}.pdf").status_code == 404
    assert not Job.objects.exists()
