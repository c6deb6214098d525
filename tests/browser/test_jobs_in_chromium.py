"""A long export's page in Chromium: the progress bar moves and reaches done without a reload,
and the file is offered only then (decision 0025)."""

import threading
import time

import pytest
from django.db import connection
from openpyxl import load_workbook

from jobs import services
from jobs.kinds import KINDS, ExportKind, Table, register

from .. import factories
from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 24


@pytest.fixture
def slow_export():
    """An export whose rows come slowly, as from a large table."""

    def rows():
        for number in range(ROWS):
            time.sleep(0.25)
            yield [number, f"Row {number}"]

    register(
        ExportKind(kind="slow-export", name="numbers", table=lambda query: Table(["n", "text"], rows(), lambda: ROWS))
    )
    yield
    del KINDS["slow-export"]


def run_in_the_background(job_id: int) -> threading.Thread:
    def work():
        try:
            services.job_run(job_id=job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_the_progress_bar_moves_to_done_without_reloading(pages, settings, slow_export):
    settings.JOB_PROGRESS_EVERY = 1
    administrator = factories.AdministratorFactory(preferred_language="en")
    job = services.job_export_start(owner=administrator, kind="slow-export", query="", file_format="xlsx", total=ROWS)
    page = log_in(pages, administrator)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{pages.base}/jobs/{job.pk}/")
    assert page.locator("#job-progress").get_attribute("value") == "0"
    assert page.locator(".job-download").is_hidden()
    page.evaluate("window.notReloaded = true")
    worker = run_in_the_background(job.pk)
    try:
        page.wait_for_function(
            f"() => {{ const bar = document.getElementById('job-progress'); return bar.value > 0 && bar.value < {ROWS}; }}"
        )
        moving = page.locator("#job-progress").evaluate("bar => bar.value")
        assert "Running" in page.locator(".job-status-shown").inner_text()
        assert f"of {ROWS} rows" in page.locator(".job-counts").inner_text()
        page.wait_for_function(f"() => document.getElementById('job-progress').value == {ROWS}", timeout=30_000)
        page.locator(".job-download").wait_for(state="visible")
    finally:
        worker.join()
    assert 0 < moving < ROWS
    assert page.evaluate("window.notReloaded") is True  # the same page all along
    assert page.locator(".job-status-shown").inner_text() == "Done"
    assert page.locator(".job-cancel").is_hidden()
    pages.check_accessibility(page)
    with page.expect_download() as download:
        page.click("text=Download the file")
    with open(download.value.path(), "rb") as file:  # saved without its extension
        rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("n", "text") and len(rows) == ROWS + 1
