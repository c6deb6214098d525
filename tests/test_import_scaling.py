"""An import's queries grow by a small constant per row: each row goes through its service, whose
rules read and write what that row needs and nothing more, and an import meant to be written runs
its rows without a savepoint each (docs/decisions/0025). An import that starts costing more per
row shows here, before it shows as a job that no longer finishes in a minute."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as accounts
from accounts.forms import CandidatesImportForm
from accounts.models import User
from assessments import services as assessments
from assessments.forms import AssessmentsImportForm
from assessments.models import Assessment
from audit.models import AuditEntry
from notifications.models import Notification

from . import factories

pytestmark = pytest.mark.django_db

# Queries per row beyond the first 20 rows, measured (a hair above, for the chunks' own): a
# candidate's address check and the account, whose unique columns the database checks as it
# inserts; an assessment's candidate lock, one read of the candidate's assessments of the
# qualification, the row (its constraints checked by the database as it inserts). The audit
# entries and the e-mails are inserted a thousand at a time, the webhooks' endpoints read once.
PER_ROW = {"candidates": 2.1, "assessments": 3.1}


def candidates_rows(count: int, start: int = 0):
    table = [
        {"first_name": "Jan", "last_name": "Peeters", "email": f"person{start + n}@example.be"} for n in range(count)
    ]
    return CandidatesImportForm.parse(table)


def assessments_rows(count: int, qualification, *, start: int = 0):
    assessors = factories.AssessorFactory.create_batch(3)
    candidates = factories.CandidateFactory.create_batch(count)
    when = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    table = [
        {
            "candidate": candidate.email,
            "qualification": qualification.code,
            "first_assessor": assessors[n % 3].email,
            "second_assessor": assessors[(n + 1) % 3].email,
            "scheduled_at": when,
        }
        for n, candidate in enumerate(candidates)
    ]
    return AssessmentsImportForm.parse(table)


def queries_of(run, rows, administrator) -> int:
    assert not [row for row in rows if row.problems]
    with CaptureQueriesContext(connection) as queries:
        report = run(created_by=administrator, rows=rows, write=True)
    assert report.written and len(report.created) == len(rows)
    return len(queries)


def test_a_candidates_import_costs_a_few_queries_a_row(administrator):
    small = queries_of(accounts.candidates_import, candidates_rows(20), administrator)
    large = queries_of(accounts.candidates_import, candidates_rows(200, start=20), administrator)
    assert (large - small) / 180 <= PER_ROW["candidates"], (large - small) / 180
    assert User.objects.filter(email__endswith="@example.be", last_name="Peeters").count() == 220
    # Each account's entry, inserted together at the end, in the order and at the time recorded.
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).order_by("pk")
    assert [entry.summary for entry in entries[:2]] == ["candidate person0@example.be", "candidate person1@example.be"]
    assert entries.count() == 220
    times = [entry.created_at for entry in entries]
    assert times == sorted(times)


def test_an_assessments_import_costs_a_few_queries_a_row(administrator, qualification):
    small = queries_of(assessments.assessments_import, assessments_rows(20, qualification), administrator)
    large = queries_of(assessments.assessments_import, assessments_rows(200, qualification), administrator)
    assert (large - small) / 180 <= PER_ROW["assessments"], (large - small) / 180
    assert Assessment.objects.count() == 220
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ASSESSMENT_CREATED).count() == 220
    # The candidate's and the two assessors' e-mails of each, handed to the worker after the commit.
    assert Notification.objects.filter(event=Notification.Event.SCHEDULED).count() == 3 * 220


def test_a_row_refused_while_writing_keeps_nothing_and_every_problem_is_listed(administrator):
    """Rows parsed clean, refused by the service: the second and the fourth repeat the first's
    address. The write without savepoints stops at the second; the rows are then checked one by
    one, so the fourth's problem is listed too, and no account is kept."""
    rows = CandidatesImportForm.parse(
        [
            {"first_name": "Jan", "last_name": "Peeters", "email": email}
            for email in ("same@example.be", "SAME@example.be", "other@example.be", "same@example.be")
        ]
    )
    report = accounts.candidates_import(created_by=administrator, rows=rows, write=True)
    assert not report.written and report.created == []
    assert [row.number for row in report.problems] == [3, 5]
    assert not User.objects.filter(email__in=["same@example.be", "other@example.be"]).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).exists()


def test_a_refused_write_leaves_the_connection_usable_and_its_savepoints_on(administrator):
    rows = CandidatesImportForm.parse([{"first_name": "Jan", "last_name": "Peeters", "email": "x@example.be"}] * 2)
    accounts.candidates_import(created_by=administrator, rows=rows, write=True)
    assert "_savepoint_allowed" not in vars(connection)
    assert not connection.needs_rollback
    assert User.objects.filter(pk=administrator.pk).exists()


def test_a_clean_dry_run_costs_as_little_and_keeps_nothing(administrator):
    """A check of clean rows runs them like the import, then rolls them back."""
    counts = []
    for count, start in ((20, 0), (200, 20)):
        rows = candidates_rows(count, start=start)
        with CaptureQueriesContext(connection) as queries:
            report = accounts.candidates_import(created_by=administrator, rows=rows, write=False)
        assert not report.written and report.created == [] and report.problems == []
        counts.append(len(queries))
    assert (counts[1] - counts[0]) / 180 <= PER_ROW["candidates"], (counts[1] - counts[0]) / 180
    assert not User.objects.filter(last_name="Peeters").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).exists()
