"""The counters' writer against the rest of the portal, with real connections in threads: two
refreshes never run together, a rebuild swaps the counters at once while the page reads the former
ones, and a change that commits after a later one is still counted."""

import threading
import time

import pytest
from django.db import connection

from assessments.signals import scoring_opened
from reports import selectors
from reports import services as report_services

from .. import factories, flows
from .test_refresh import reports_from_counters, reports_from_every_row

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds: the most any step here may take before the test calls it stuck


def in_thread(name: str, step, outcomes: dict) -> threading.Thread:
    """Start ``step`` in a thread of its own (its own database connection); its result, and the
    moment it returned, land in ``outcomes[name]``."""

    def run():
        try:
            outcomes[name] = (step(), time.monotonic())
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def scoring() -> int:
    return dict(selectors.report_figures().by_status)["Scoring"]


def test_two_refreshes_never_run_together(qualification, monkeypatch):
    assessment = factories.AssessmentFactory(qualification=qualification)
    flows.refresh_reports()
    flows.start(assessment)
    inside, release = threading.Event(), threading.Event()
    refresh = report_services._refresh

    def held_by_the_first(state, started):
        if threading.current_thread().name == "first":
            inside.set()
            assert release.wait(WAIT)
        refresh(state, started)

    monkeypatch.setattr(report_services, "_refresh", held_by_the_first)
    outcomes: dict = {}
    first = in_thread("first", report_services.reports_refresh, outcomes)
    assert inside.wait(WAIT)
    second = in_thread("second", report_services.reports_refresh, outcomes)
    if connection.vendor == "postgresql":
        # The first holds the state row: the second skips at once instead of counting beside it.
        second.join(WAIT)
        assert outcomes["second"][0] is False
        assert first.is_alive() and "first" not in outcomes
    else:
        # SQLite locks the database for a writing transaction: the second waits for the first.
        second.join(1)
        assert second.is_alive() and "second" not in outcomes
    released_at = time.monotonic()
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert outcomes["first"][0] is True
    if connection.vendor != "postgresql":
        assert outcomes["second"][0] is True and outcomes["second"][1] > released_at
    assert scoring() == 1


def test_the_rebuild_swaps_the_counters_at_once_while_the_page_reads_the_former_ones(
    client, administrator, qualification, monkeypatch
):
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.refresh_reports()
    former = reports_from_counters()
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={2, 3})
    flows.start(factories.AssessmentFactory(qualification=qualification))
    client.force_login(administrator)
    written, release = threading.Event(), threading.Event()
    build = report_services._build

    def held_before_the_commit(state, started):
        build(state, started)
        written.set()
        assert release.wait(WAIT)

    monkeypatch.setattr(report_services, "_build", held_before_the_commit)
    outcomes: dict = {}
    rebuild = in_thread("rebuild", report_services.reports_rebuild, outcomes)
    assert written.wait(WAIT)
    # Every new counter is written, not committed: the page reads the former counters, whole.
    assert reports_from_counters() == former
    response = client.get("/assessments/reports/")
    assert response.status_code == 200 and response.context["figures"] == former[0]
    release.set()
    rebuild.join(WAIT)
    assert "rebuild" in outcomes
    assert reports_from_counters() == reports_from_every_row() != former


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")
def test_a_change_that_commits_after_a_later_one_is_still_counted(qualification):
    # Of two qualifications: starting one locks its qualification's row until it commits.
    slow = factories.AssessmentFactory(qualification=qualification)
    quick = factories.AssessmentFactory()
    flows.refresh_reports()
    written, release = threading.Event(), threading.Event()

    def hold_the_slow_one(sender, assessment, **kwargs):
        if assessment.pk == slow.pk:  # its audit entry is written, its transaction still open
            written.set()
            assert release.wait(WAIT)

    scoring_opened.connect(hold_the_slow_one, weak=False)
    try:
        outcomes: dict = {}
        starting = in_thread("slow", lambda: flows.start(slow), outcomes)
        assert written.wait(WAIT)
        flows.start(quick)  # an audit entry after the slow one's, committed first
        flows.refresh_reports()
        assert scoring() == 1
        release.set()
        starting.join(WAIT)
        assert "slow" in outcomes
    finally:
        scoring_opened.disconnect(hold_the_slow_one)
    flows.refresh_reports()
    assert scoring() == 2
