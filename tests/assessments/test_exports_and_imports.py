"""Exports of the dashboard's selection, the reports and the audit trail; bulk imports of
candidates and assessments, checked first, then all rows or none (issue 14, item 3)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.models import User
from assessments.models import Assessment
from audit.models import AuditEntry
from notifications.models import Notification
from portal.kept_uploads import FOLDER
from portal.storage import listed_files

from .. import factories, flows
from ..emails import deliver

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[tuple]:
    assert "spreadsheetml" in response["Content-Type"] and response.streaming
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def upload(name: str, rows: list[list]) -> SimpleUploadedFile:
    if name.endswith(".xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return SimpleUploadedFile(name, buffer.getvalue())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode())


def in_days(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%d %H:%M")


def test_the_dashboard_exports_its_current_selection(client, administrator, qualification):
    flows.certify(
        factories.AssessmentFactory(
            qualification=qualification,
            location="Gent",
            candidate=factories.CandidateFactory(first_name="=HYPERLINK(1)", last_name="Peeters"),
        )
    )
    factories.AssessmentFactory(qualification=qualification, location="Brugge")
    client.force_login(administrator)
    rows = csv_rows(client.get("/assessments/export.csv?location=gent"))
    assert rows[0][:3] == ["Scheduled for", "First name", "Last name"]
    assert len(rows) == 2
    assert rows[1][1:3] == ["'=HYPERLINK(1)", "Peeters"]  # never run as a formula
    assert rows[1][6] == "Certified" and rows[1][9].startswith("0213-")
    everything = xlsx_rows(client.get("/assessments/export.xlsx"))
    assert len(everything) == 3 and everything[0][0] == "Scheduled for"
    assert {row[5] for row in everything[1:]} == {"Gent", "Brugge"}


def test_the_report_and_the_audit_trail_export(client, administrator, assessment):
    flows.start(assessment)
    flows.refresh_reports()
    client.force_login(administrator)
    report = xlsx_rows(client.get("/assessments/reports/export.xlsx"))
    assert ("Assessments by status", "Scoring", 1, 1) in report
    trail = csv_rows(client.get("/audit/export.csv?action=assessment_started"))
    assert trail[0] == ["When", "Who", "What", "About", "Summary"]
    assert [row[2] for row in trail[1:]] == ["Assessment started"]
    assert len(xlsx_rows(client.get("/audit/export.xlsx"))) == AuditEntry.objects.count() + 1
    assert client.get("/audit/export.pdf").status_code == 404


def test_exports_are_for_administrators_only(client, assessment):
    for user in (assessment.first_assessor, assessment.candidate):
        client.force_login(user)
        for url in ("/assessments/export.csv", "/assessments/reports/export.xlsx", "/audit/export.csv"):
            assert client.get(url).status_code == 404


CANDIDATE_HEADER = ["first_name", "last_name", "email", "language"]


def test_a_candidates_check_lists_every_problem_and_stores_nothing(client, administrator, candidate):
    client.force_login(administrator)
    rows = [
        CANDIDATE_HEADER,
        ["Ann", "Claes", "ann@example.org", "fr"],
        ["Bo", "Dirks", candidate.email.upper(), ""],
        ["Cas", "Engels", "ann@example.org", ""],
        ["Dee", "", "not-an-address", "de"],
    ]
    before = User.objects.count()
    for button in ("check", "import"):
        response = client.post("/accounts/people/import/", {"file": upload("people.csv", rows), button: "1"})
        problems = {row.number: " ".join(row.problems) for row in response.context["report"].problems}
        assert set(problems) == {3, 4, 5}
        assert "already exists" in problems[3] and "already exists" in problems[4]  # the service's rule
        assert (
            "Last name:" in problems[5]
            and "E-mail address:" in problems[5]
            and "Language of the invitation:" in problems[5]
        )
        assert "nothing was stored" in response.content.decode()
    assert User.objects.count() == before and not Notification.objects.exists()


def test_a_clean_candidates_import_stores_every_row_and_invites(client, administrator):
    client.force_login(administrator)
    rows = [CANDIDATE_HEADER, ["Ann", "Claes", "Ann@Example.org", "fr"], ["Bo", "Dirks", "bo@example.org", None]]
    checked = client.post("/accounts/people/import/", {"file": upload("people.xlsx", rows), "check": "1"})
    assert checked.context["report"].problems == [] and not User.objects.filter(email="bo@example.org").exists()
    response = client.post("/accounts/people/import/", {"file": upload("people.xlsx", rows), "import": "1"})
    assert response.status_code == 302
    ann = User.objects.get(email="ann@example.org")
    assert (ann.role, ann.preferred_language) == (User.Role.CANDIDATE, "fr")
    assert User.objects.get(email="bo@example.org").preferred_language == "nl"
    assert mail.outbox == []  # stored with the accounts, sent by the worker
    assert sorted(m.to[0] for m in deliver()) == ["ann@example.org", "bo@example.org"]
    assert AuditEntry.objects.filter(action="account_created").count() == 2


def test_an_unreadable_file_or_missing_column_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post("/accounts/people/import/", {"file": upload("people.csv", [["first_name", "email"]])})
    assert "Columns missing: last_name" in response.content.decode()
    response = client.post("/accounts/people/import/", {"file": SimpleUploadedFile("people.pdf", b"%PDF")})
    assert "Choose a .csv or .xlsx file." in response.content.decode()
    response = client.post("/accounts/people/import/", {"file": SimpleUploadedFile("people.xlsx", b"not a zip")})
    assert "cannot be read" in response.content.decode()


ASSESSMENT_HEADER = ["candidate", "qualification", "first_assessor", "second_assessor", "scheduled_at", "location"]


def test_an_assessments_check_names_every_row_problem(
    client, administrator, qualification, candidate, other_candidate, assessor, second_assessor
):
    client.force_login(administrator)
    rows = [
        ASSESSMENT_HEADER,
        [candidate.email, "0213", assessor.email, second_assessor.email, in_days(3), "Gent"],
        [candidate.email, "0213", "nobody@example.org", second_assessor.email, in_days(3), ""],
        [candidate.email, "0213", assessor.email, second_assessor.email, in_days(-3), ""],
        [candidate.email, "0213", other_candidate.email, second_assessor.email, in_days(3), ""],
        [candidate.email, "0213", candidate.email, second_assessor.email, in_days(3), ""],
        [candidate.email, "9999", assessor.email, assessor.email, "tomorrow", ""],
    ]
    for button in ("check", "import"):
        response = client.post("/assessments/import/", {"file": upload("plan.csv", rows), button: "1"})
        problems = {row.number: " ".join(row.problems) for row in response.context["report"].problems}
        assert set(problems) == {3, 4, 5, 6, 7}
        assert "No account has this e-mail address" in problems[3]  # unknown assessor
        assert "in the past" in problems[4]
        assert "active assessor accounts" in problems[5]  # a candidate as assessor
        assert "cannot assess their own assessment" in problems[6]
        assert "Qualification:" in problems[7] and "Scheduled for:" in problems[7]  # labels, not column codes
    assert not Assessment.objects.exists()


def test_a_clean_assessments_import_schedules_every_row(
    client, administrator, qualification, candidate, other_candidate, assessor, second_assessor
):
    client.force_login(administrator)
    rows = [
        ASSESSMENT_HEADER,
        [candidate.email, "0213", assessor.email, second_assessor.email, in_days(3), "Gent"],
        [other_candidate.email, "0213", second_assessor.email, assessor.email, in_days(4), ""],
    ]
    response = client.post("/assessments/import/", {"file": upload("plan.xlsx", rows), "import": "1"})
    assert response.status_code == 302
    assert Assessment.objects.count() == 2
    assert AuditEntry.objects.filter(action="assessment_created").count() == 2
    assert Assessment.objects.get(candidate=candidate).location == "Gent"


def test_imports_are_for_administrators_only(client, assessor):
    client.force_login(assessor)
    assert client.get("/assessments/import/").status_code == 404
    assert client.get("/accounts/people/import/").status_code == 404


def test_an_import_lists_a_place_or_name_with_control_characters_as_a_row_problem(
    client, administrator, qualification, candidate, assessor, second_assessor
):
    client.force_login(administrator)
    rows = [
        ASSESSMENT_HEADER,
        [candidate.email, "0213", assessor.email, second_assessor.email, in_days(3), "Gent"],
        [
            factories.CandidateFactory().email,
            "0213",
            assessor.email,
            second_assessor.email,
            in_days(4),
            "Gent\r\nATTENDEE:x",
        ],
    ]
    response = client.post("/assessments/import/", {"file": upload("plan.csv", rows), "import": "1"})
    assert response.status_code == 200  # not stored
    problems = {row.number: " ".join(row.problems) for row in response.context["report"].problems}
    assert set(problems) == {3} and "plain text on one line" in problems[3]
    assert not Assessment.objects.exists()
    people = [CANDIDATE_HEADER, ["Ann", "Cla\x1bes", "ann@example.org", ""]]
    response = client.post("/accounts/people/import/", {"file": upload("people.csv", people), "import": "1"})
    assert response.status_code == 200
    problems = {row.number: " ".join(row.problems) for row in response.context["report"].problems}
    assert set(problems) == {2} and "plain text on one line" in problems[2]


def test_an_export_never_holds_control_characters(client, administrator, qualification):
    # As stored before names and places were checked: the spreadsheet format has no place for them.
    factories.AssessmentFactory(
        qualification=qualification,
        location="Gent\x0bzaal\x1b2\r\n",
        candidate=factories.CandidateFactory(first_name="Ann\x07", last_name="Pee\x08ters"),
    )
    client.force_login(administrator)
    rows = xlsx_rows(client.get("/assessments/export.xlsx"))
    assert rows[1][1:3] == ("Ann\ufffd", "Pee\ufffdters") and rows[1][5] == "Gent\ufffdzaal\ufffd2\r\n"


def kept_files() -> list[str]:
    return listed_files(FOLDER)


def test_after_a_clean_check_import_stores_the_checked_file_without_asking_for_it_again(client, administrator):
    client.force_login(administrator)
    rows = [CANDIDATE_HEADER, ["Ann", "Claes", "ann@example.org", "fr"], ["Bo", "Dirks", "bo@example.org", ""]]
    checked = client.post("/accounts/people/import/", {"file": upload("people.csv", rows), "check": "1"})
    assert checked.context["report"].problems == [] and len(kept_files()) == 1
    assert "people.csv" in checked.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()
    imported = client.post("/accounts/people/import/", {"import": "1"})
    assert imported.status_code == 302
    assert set(
        User.objects.filter(email__in=["ann@example.org", "bo@example.org"]).values_list("email", flat=True)
    ) == {
        "ann@example.org",
        "bo@example.org",
    }
    assert kept_files() == []
    again = client.post("/accounts/people/import/", {"import": "1"})  # nothing kept any more
    assert again.status_code == 200 and "file" in again.context["form"].errors


def test_a_checked_assessments_file_is_imported_and_kept_for_this_session_only(
    client, administrator, qualification, candidate, assessor, second_assessor
):
    rows = [ASSESSMENT_HEADER, [candidate.email, "0213", assessor.email, second_assessor.email, in_days(3), "Gent"]]
    client.force_login(administrator)
    client.post("/assessments/import/", {"file": upload("plan.xlsx", rows), "check": "1"})
    client.force_login(factories.AdministratorFactory())  # another session holds no file
    assert client.post("/assessments/import/", {"import": "1"}).status_code == 200
    assert not Assessment.objects.exists()
    client.force_login(administrator)
    client.post("/assessments/import/", {"file": upload("plan.xlsx", rows), "check": "1"})
    assert client.post("/assessments/import/", {"import": "1"}).status_code == 302
    assert Assessment.objects.get().location == "Gent"


def test_a_file_with_problems_is_not_kept(client, administrator, candidate):
    client.force_login(administrator)
    clean = [CANDIDATE_HEADER, ["Ann", "Claes", "ann@example.org", ""]]
    client.post("/accounts/people/import/", {"file": upload("people.csv", clean), "check": "1"})
    refused = [CANDIDATE_HEADER, ["Bo", "Dirks", candidate.email, ""]]
    response = client.post("/accounts/people/import/", {"file": upload("other.csv", refused), "check": "1"})
    assert response.context["report"].problems and kept_files() == []
    assert client.post("/accounts/people/import/", {"import": "1"}).status_code == 200
    assert not User.objects.filter(email="ann@example.org").exists()


def test_the_check_lists_every_problem_of_a_row(client, administrator, qualification, candidate, second_assessor):
    client.force_login(administrator)
    rows = [ASSESSMENT_HEADER, [candidate.email, "0213", candidate.email, second_assessor.email, in_days(-3), ""]]
    response = client.post("/assessments/import/", {"file": upload("plan.csv", rows), "check": "1"})
    (row,) = response.context["report"].problems
    text = " ".join(row.problems)
    assert "cannot assess their own assessment" in text and "in the past" in text
    assert len(row.problems) == 2  # not repeated in the database constraint's words


def test_the_candidates_check_lists_every_problem_of_a_row(client, administrator, candidate):
    client.force_login(administrator)
    rows = [CANDIDATE_HEADER, ["Ann", "Cla\x1bes", candidate.email.upper(), ""]]
    response = client.post("/accounts/people/import/", {"file": upload("people.csv", rows), "check": "1"})
    (row,) = response.context["report"].problems
    assert len(row.problems) == 2
    assert "already exists" in row.problems[0] and "plain text on one line" in row.problems[1]
