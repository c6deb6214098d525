"""Long exports and imports in the worker: the threshold, the owner's access only, progress,
cancel, expiry, and a file cut off by a failure never offered (decision 0025)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.forms import CandidatesImportForm
from accounts.models import User
from accounts.services import candidates_import
from assessments.forms import AssessmentsImportForm
from audit.api import Action, audit_record
from jobs import services
from jobs.kinds import KINDS, ExportKind, ImportKind, Table, register
from jobs.models import Job
from notifications.models import Notification
from portal.storage import private_storage

from .. import factories
from ..emails import deliver
from ..test_no_english import ENGLISH_WORDS, foreign_strings, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.JOB_ROWS_IMMEDIATE = 3
    settings.JOB_PROGRESS_EVERY = 2


def stored_job_files() -> list[str]:
    try:
        folders = private_storage.listdir("jobs")[0]
    except FileNotFoundError:
        return []
    return [name for folder in folders for name in private_storage.listdir(f"jobs/{folder}")[1]]


def last_job() -> Job:
    return Job.objects.latest("pk")


@pytest.fixture
def people():
    return [factories.CandidateFactory(last_name=f"Peeters{n:02}") for n in range(6)]


@pytest.fixture
def test_export():
    """An export kind of the tests: ``rows`` is what the worker writes."""
    state = {"rows": iter(())}

    def table(query):
        return Table(header=["n"], rows=state["rows"], count=lambda: 10)

    register(ExportKind(kind="test-export", name="numbers", table=table))
    yield state
    del KINDS["test-export"]


def test_up_to_the_threshold_an_export_is_answered_at_once(client, administrator, settings, people):
    settings.JOB_ROWS_IMMEDIATE = 10
    client.force_login(administrator)
    response = client.get("/accounts/people/export.csv")
    assert response.status_code == 200 and response.streaming
    assert not Job.objects.exists()
    assert not services.runs_in_background(10) and services.runs_in_background(11)


def test_a_long_export_is_a_job_whose_xlsx_file_is_whole(client, administrator, people):
    client.force_login(administrator)
    response = client.get("/accounts/people/export.xlsx?role=candidate")
    job = last_job()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.status, job.total, job.params["query"]) == (administrator, "queued", 6, "role=candidate")
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 6, 6)
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Disposition"].startswith('attachment; filename="people.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Familienaam", "Voornaam")  # the owner's language, Dutch
    assert [row[0] for row in rows[1:]] == [f"Peeters{n:02}" for n in range(6)]


def test_a_long_csv_export_of_the_audit_trail_is_written_by_the_worker(client, administrator, people):
    for person in people:
        audit_record(actor=administrator, action=Action.ACCOUNT_UPDATED, summary="Name corrected", subject=person)
    client.force_login(administrator)
    client.get("/audit/export.csv")
    job = last_job()
    services.job_run(job_id=job.pk)
    text = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Wanneer", "Wie", "Wat", "Over", "Samenvatting"] and len(rows) == job.total + 1 > 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server-side cursors")
def test_an_export_reads_its_rows_through_a_cursor_that_streams(client):
    """Outside a transaction Django declares the cursor WITH HOLD, and PostgreSQL copies the
    whole result before the first row: the worker reads in a transaction of its own."""
    administrator = factories.AdministratorFactory()
    for n in range(6):
        factories.CandidateFactory(last_name=f"Peeters{n:02}")
    client.force_login(administrator)
    client.get("/accounts/people/export.csv")
    job = last_job()
    with CaptureQueriesContext(connection) as queries:
        services.job_run(job_id=job.pk)
    declared = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DECLARE")]
    assert declared and not [sql for sql in declared if "WITH HOLD" in sql]
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 6)


def test_only_the_owner_sees_a_job_not_even_another_administrator(client, administrator, people):
    client.force_login(administrator)
    client.get("/accounts/people/export.csv")
    job = last_job()
    services.job_run(job_id=job.pk)
    client.force_login(factories.AdministratorFactory())
    for url in ("", "progress/", "download/"):
        assert client.get(f"/jobs/{job.pk}/{url}").status_code == 404, url
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    assert client.get("/jobs/").context["jobs"] == []
    client.logout()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 302  # to the sign-in page


def test_the_download_is_refused_until_the_job_is_done(client, administrator, people):
    client.force_login(administrator)
    client.get("/accounts/people/export.csv")
    job = last_job()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    services.job_run(job_id=job.pk)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200


def test_the_progress_endpoint_says_how_far_the_job_is(client, administrator, people):
    client.force_login(administrator)
    client.get("/accounts/people/export.csv")
    job = last_job()
    Job.objects.filter(pk=job.pk).update(status="running", done=3)
    assert client.get(f"/jobs/{job.pk}/progress/").json() == {
        "status": "running",
        "status_shown": "Running",
        "done": 3,
        "total": 6,
        "percent": 50,
        "finished": False,
    }
    Job.objects.filter(pk=job.pk).update(status="queued", done=0)
    services.job_run(job_id=job.pk)
    progress = client.get(f"/jobs/{job.pk}/progress/").json()
    assert (progress["status"], progress["done"], progress["percent"], progress["finished"]) == ("done", 6, 100, True)


def test_the_job_page_refreshes_itself_without_script_and_polls_with_it(client, administrator, people):
    client.force_login(administrator)
    job_page = client.get(client.get("/accounts/people/export.csv")["Location"]).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in job_page
    assert "js/job-progress.js" in job_page and "<progress" in job_page
    assert f'data-progress-url="/jobs/{last_job().pk}/progress/"' in job_page


def test_a_cancelled_job_is_not_run(client, administrator, people):
    client.force_login(administrator)
    client.get("/accounts/people/export.csv")
    job = last_job()
    client.post(f"/jobs/{job.pk}/cancel/")
    assert services.job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "cancelled" and not job.result_name and stored_job_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_job_cancelled_while_it_runs_stops_and_keeps_no_file(test_export):
    """The owner's cancel is another request, on another connection, while the worker reads the
    rows in a transaction of its own: it does not wait for the export's end, and stops it."""
    import threading

    from django.db import connections

    administrator = factories.AdministratorFactory()
    job = services.job_export_start(owner=administrator, kind="test-export", query="", file_format="csv", total=10)

    def cancel_as_the_owner():
        try:
            services.job_cancel(job=Job.objects.get(pk=job.pk))
        finally:
            connections.close_all()

    def rows():
        for n in range(10):
            if n == 4:
                request = threading.Thread(target=cancel_as_the_owner)
                request.start()
                request.join(timeout=10)
                assert not request.is_alive(), "the cancel waited for the export"
            yield [n]

    test_export["rows"] = rows()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.result_name) == ("cancelled", "")
    assert job.done < 10 and stored_job_files() == []
    assert not Notification.objects.exists()  # the owner cancelled it themselves


def test_a_failure_mid_export_never_delivers_the_truncated_file(client, administrator, test_export):
    administrator.preferred_language = "nl"
    administrator.save()
    job = services.job_export_start(owner=administrator, kind="test-export", query="", file_format="xlsx", total=10)

    def rows():
        yield from ([n] for n in range(5))
        raise ConnectionError("the database went away")

    test_export["rows"] = rows()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.result_name) == ("failed", "")
    assert job.error.startswith("De taak stopte door een fout")  # in the owner's language
    assert stored_job_files() == []
    client.force_login(administrator)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    notification = Notification.objects.get()
    assert (notification.recipient, notification.event) == (administrator, "job_failed")


def test_the_owner_is_told_by_e_mail_in_their_language_when_a_job_is_done(administrator, people):
    administrator.preferred_language = "fr"
    administrator.save()
    job = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    services.job_run(job_id=job.pk)
    [message] = deliver()
    assert message.to == [administrator.email]
    assert message.subject == "Votre export ou import est terminé"
    assert f"https://portal.example.org/jobs/{job.pk}/" in message.body
    assert Notification.objects.get().event == "job_done"


def test_the_sweep_deletes_expired_jobs_and_their_files(administrator, people):
    kept = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    expired = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    for job in (kept, expired):
        services.job_run(job_id=job.pk)
    assert len(stored_job_files()) == 2
    Job.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.jobs_sweep() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_job_files() == ["people.csv"]


def test_a_job_expires_after_the_hours_set(administrator, settings):
    settings.JOB_RESULT_HOURS = 2
    job = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    assert timedelta(hours=2) - (job.expires_at - timezone.now()) < timedelta(minutes=1)


def test_the_sweep_fails_a_job_whose_worker_died(administrator, settings):
    job = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    started = timezone.now() - timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(status="running", started_at=started)
    services.jobs_sweep()
    job.refresh_from_db()
    assert job.status == "failed" and job.error


def candidates_file(rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["first_name", "last_name", "email"], *rows])
    return SimpleUploadedFile("candidates.csv", buffer.getvalue().encode())


def test_a_long_import_is_checked_in_the_worker_and_its_problems_listed(client, administrator):
    factories.CandidateFactory(email="taken@example.org")
    rows = [["An", f"Peeters{n}", f"an{n}@example.org"] for n in range(4)] + [["Bo", "Taken", "taken@example.org"]]
    client.force_login(administrator)
    response = client.post("/accounts/people/import/", {"file": candidates_file(rows), "check": ""})
    job = last_job()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.params == {"write": False} and job.total == 5
    services.job_run(job_id=job.pk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "1 row has a problem; nothing was stored." in page
    job.refresh_from_db()
    assert [row["number"] for row in job.report["problems"]] == [6]
    assert not User.objects.filter(email="an0@example.org").exists()


def test_a_file_checked_without_problem_is_imported_from_its_job(client, administrator):
    rows = [["An", f"Peeters{n}", f"an{n}@example.org"] for n in range(5)]
    client.force_login(administrator)
    client.post("/accounts/people/import/", {"file": candidates_file(rows), "check": ""})
    check = last_job()
    services.job_run(job_id=check.pk)
    assert "Import this file" in client.get(f"/jobs/{check.pk}/").content.decode()
    response = client.post(f"/jobs/{check.pk}/import/")
    imported = last_job()
    assert response["Location"] == f"/jobs/{imported.pk}/" and imported.params == {"write": True}
    services.job_run(job_id=imported.pk)
    imported.refresh_from_db()
    assert imported.report["written"] and imported.report["created"] == 5
    assert User.objects.filter(email__startswith="an", role="candidate").count() == 5
    # A file with a problem, or one already imported, is not imported again.
    assert client.post(f"/jobs/{imported.pk}/import/").status_code == 302
    assert last_job() == imported


def assessment_records(count: int, qualification) -> list[dict[str, str]]:
    candidates = factories.CandidateFactory.create_batch(count)
    first, second = factories.AssessorFactory(), factories.AssessorFactory()
    return [
        {
            "candidate": candidate.email.upper(),
            "qualification": qualification.code,
            "first_assessor": f"Assessor <{first.email}>",
            "second_assessor": second.email,
            "scheduled_at": "2099-01-01 09:00",
            "location": "",
        }
        for candidate in candidates
    ]


def test_an_import_looks_up_its_rows_people_in_bulk(qualification):
    few, many = assessment_records(5, qualification), assessment_records(300, qualification)
    with CaptureQueriesContext(connection) as few_queries:
        few_rows = AssessmentsImportForm.parse(few)
    with CaptureQueriesContext(connection) as many_queries:
        many_rows = AssessmentsImportForm.parse(many)
    assert len(many_queries) == len(few_queries) <= 3
    assert all(not row.problems for row in few_rows + many_rows)
    assert many_rows[0].values["candidate"].email == many[0]["candidate"].lower()
    unknown = AssessmentsImportForm.parse([{**few[0], "candidate": "nobody@example.org", "qualification": "9999"}])
    assert unknown[0].problems == [
        "Candidate: No account has this e-mail address.",
        "Qualification: Select a valid choice. That choice is not one of the available choices.",
    ]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_job_pages_speak_the_owners_language(client, administrator, people, language):
    administrator.preferred_language = language
    administrator.save()
    client.force_login(administrator)
    client.cookies["django_language"] = language
    export = services.job_export_start(owner=administrator, kind="people-export", query="", file_format="csv", total=7)
    check = services.job_import_start(
        owner=administrator,
        kind="candidates-import",
        upload=candidates_file([["An", "Peeters", "x"]] * 4),
        write=False,
        total=4,
    )
    services.job_run(job_id=check.pk)
    foreign = foreign_strings(language)
    for url in (f"/jobs/{export.pk}/", f"/jobs/{check.pk}/", "/jobs/"):
        text = visible_text(client.get(url).content.decode())
        assert not [string for string in foreign if string in text], url
        assert not ENGLISH_WORDS.findall(text), url


def test_an_import_cancelled_while_it_runs_stores_nothing(administrator):
    def cancelled_meanwhile(**arguments):
        Job.objects.filter(kind="test-import").update(status="cancelled")  # the owner's click
        return candidates_import(**arguments)

    register(
        ImportKind(kind="test-import", form_class=CandidatesImportForm, run=cancelled_meanwhile, done_url="people")
    )
    try:
        rows = [["An", f"Peeters{n}", f"an{n}@example.org"] for n in range(5)]
        job = services.job_import_start(
            owner=administrator, kind="test-import", upload=candidates_file(rows), write=True, total=5
        )
        services.job_run(job_id=job.pk)
    finally:
        del KINDS["test-import"]
    job.refresh_from_db()
    assert job.status == "cancelled" and not job.report
    assert not User.objects.filter(email__startswith="an").exists()
    assert not Notification.objects.exists()


def test_a_huge_job_id_is_a_404(client, administrator):
    client.force_login(administrator)
    for url in ("", "progress/", "download/"):
        assert client.get(f"/jobs/99999999999999999999999/{url}").status_code == 404
    assert client.post("/jobs/99999999999999999999999/cancel/").status_code == 404


def test_an_xlsx_export_longer_than_a_sheet_goes_on_to_the_next_sheet(monkeypatch):
    """Excel refuses a sheet of more than 1,048,576 rows as damaged: an export of more continues on
    a next sheet, which repeats the header; an empty export is a header alone."""
    from portal import exports

    monkeypatch.setattr(exports, "XLSX_ROWS_PER_SHEET", 3)
    for count, sheets in ((7, [[1, 2, 3], [4, 5, 6], [7]]), (6, [[1, 2, 3], [4, 5, 6]]), (0, [[]])):
        file = io.BytesIO()
        assert exports.export_write(file, "xlsx", ["n"], ([n] for n in range(1, count + 1))) == count
        workbook = load_workbook(file, read_only=True)
        read = [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]
        assert read == [["n", *numbers] for numbers in sheets]


def test_an_xlsx_export_of_more_rows_than_a_sheet_holds_is_refused_at_once(administrator, test_export, monkeypatch):
    """Told as soon as the worker counts the rows, not after the half hour such a workbook would
    take to fail; the same selection as CSV is written."""
    monkeypatch.setattr(services, "XLSX_ROWS_PER_SHEET", 9)
    test_export["rows"] = iter([[n] for n in range(10)])
    job = services.job_export_start(owner=administrator, kind="test-export", query="", file_format="xlsx", total=10)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.result_name) == ("failed", "")
    assert job.error == (  # in the owner's language, the factory's Dutch
        "Deze 10 rijen zijn meer dan een rekenblad kan bevatten (9): exporteer ze als CSV, of verklein de selectie."
    )
    test_export["rows"] = iter([[n] for n in range(10)])
    job = services.job_export_start(owner=administrator, kind="test-export", query="", file_format="csv", total=10)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 10)


def test_the_list_of_jobs_shows_a_running_jobs_rows_done(client, administrator, test_export):
    """While a job runs in its transaction, its rows done are in the shared cache, not on its row."""
    from django.core.cache import cache

    job = services.job_export_start(owner=administrator, kind="test-export", query="", file_format="csv", total=10)
    Job.objects.filter(pk=job.pk).update(status="running")
    cache.set(services.progress_key(job.pk), 6)
    client.force_login(administrator)
    [(listed, progress)] = client.get("/jobs/").context["jobs"]
    assert listed == job and (progress["done"], progress["total"]) == (6, 10)
