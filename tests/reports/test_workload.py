"""The reports page shows the busiest assessors only, cut in the database; the report's export
lists every assessor."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors
from reports.models import AssessorTally

from .. import factories

pytestmark = pytest.mark.django_db

PAGE = "/assessments/reports/"


def assessors_with_workload(*workloads: tuple[int, int]) -> list:
    """An assessor per (open, all) assessments, as the counters hold them."""
    people = []
    for open_count, all_count in workloads:
        assessor = factories.AssessorFactory()
        AssessorTally.objects.create(assessor=assessor, open=open_count, total=all_count)
        people.append(assessor)
    return people


@pytest.fixture
def signed_in(client, administrator):
    client.force_login(administrator)
    return client


def test_the_page_shows_the_busiest_assessors_in_order_and_the_export_all(signed_in, monkeypatch):
    monkeypatch.setattr(selectors, "ASSESSORS_SHOWN", 3)
    idle, busiest, third, second, fourth = assessors_with_workload((0, 9), (5, 6), (2, 2), (2, 8), (1, 30))
    response = signed_in.get(PAGE)
    assert [assessor for assessor, _open, _all in response.context["figures"].workload] == [busiest, second, third]
    page = response.content.decode()
    assert fourth.full_name not in page and idle.full_name not in page
    assert "At most 3 assessors, those with the most open assessments" in page
    text = b"".join(signed_in.get("/assessments/reports/export.csv").streaming_content).decode("utf-8-sig")
    workload = [row[1:] for row in csv.reader(io.StringIO(text)) if row[0] == "Assessor workload"]
    assert sorted(workload) == sorted(
        [f"{a.full_name} <{a.email}>", str(o), str(t)]
        for a, o, t in ((idle, 0, 9), (busiest, 5, 6), (third, 2, 2), (second, 2, 8), (fourth, 1, 30))
    )


def test_the_page_reads_the_same_queries_whatever_the_number_of_assessors(
    signed_in, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors, "ASSESSORS_SHOWN", 3)
    assessors_with_workload(*[(n, n) for n in range(1, 5)])
    with CaptureQueriesContext(connection) as baseline:
        signed_in.get(PAGE)
    assessors_with_workload(*[(n, n) for n in range(5, 30)])
    with django_assert_max_num_queries(len(baseline)):
        response = signed_in.get(PAGE)
    assert [row[1] for row in response.context["figures"].workload] == [29, 28, 27]


def test_the_page_cuts_the_list_in_the_database(signed_in):
    with CaptureQueriesContext(connection) as queries:
        signed_in.get(PAGE)
    [workload] = [q["sql"] for q in queries if 'FROM "reports_assessortally"' in q["sql"]]
    assert f"LIMIT {selectors.ASSESSORS_SHOWN}" in workload and "ORDER BY" in workload
