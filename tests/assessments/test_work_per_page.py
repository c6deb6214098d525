"""List pages do the same work whatever the number of assessments: the rows PostgreSQL reads
for them (EXPLAIN ANALYZE of every query of the page, ``tests.plans``) do not grow when the data
grow tenfold.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from assessments import selectors
from assessments.models import Assessment, Objection
from audit.models import AuditEntry
from notifications.models import Notification
from reports.services import reports_rebuild

from .. import factories
from ..plans import analyze, work_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE"),
]

PAGES = [
    "/assessments/",
    "/assessments/?at=last",
    "/assessments/?at=first",
    "/assessments/?status=certified",
    "/assessments/?status=revoked",
    "/assessments/?date_from={month_ago}&date_to={in_a_month}",
    "/assessments/new/",
    "/audit/",
    "/audit/?at=last",
    "/audit/?action=assessment_created",
    "/accounts/people/",
    "/accounts/people/?at=last",
    "/assessments/reports/",
    "/assessments/day/?day={far_day}",
    "/notifications/",
    "/notifications/?status=sent",
    "/notifications/?at=last",
]


def grow(qualification, assessors, count: int) -> None:
    """``count`` more assessments, half of them in the past and certified (some objected to), each
    with audit entries."""
    now = timezone.now()
    candidates = User.objects.bulk_create(
        User(
            email=f"c{n}-{now.timestamp()}@example.org",
            username=f"c{n}-{now.timestamp()}@example.org",
            first_name="Name",
            last_name=f"Last{n:05d}",
            role=User.Role.CANDIDATE,
        )
        for n in range(count)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(
            candidate=candidate,
            qualification=qualification,
            first_assessor=assessors[n % len(assessors)],
            second_assessor=assessors[(n + 1) % len(assessors)],
            scheduled_at=now + timedelta(minutes=(n % 2 * 2 - 1) * (n + 1) * 30),
            status="certified" if n % 2 else "registered",
            location="Gent",
        )
        for n, candidate in enumerate(candidates)
    )
    # Objections on one certified decision in ten, decided; two of each batch still open.
    certified = [a for a in assessments if a.status == "certified"]
    Objection.objects.bulk_create(
        Objection(
            assessment=a,
            reason="",
            lodged_at=a.scheduled_at,
            status=Objection.Status.OPEN if n < 2 else Objection.Status.REJECTED,
        )
        for n, a in enumerate(certified[::10])
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="assessment_created",
            summary=f"0213 {a.candidate.email}",
            subject_label="0213",
            created_at=now - timedelta(minutes=n),
        )
        for n, a in enumerate(assessments * 3)
    )
    # Two e-mails per assessment, as the portal sends them (scheduled; decided or a reminder).
    Notification.objects.bulk_create(
        Notification(recipient=a.candidate, assessment=a, event=event, status="sent")
        for a in assessments
        for event in ("scheduled", "decided")
    )
    # Written beside the services: counted into the reports' counters as a deployment's rebuild does.
    reports_rebuild()
    analyze()


def rows_read(client, url: str) -> int:
    return work_of(lambda: _page(client, url)).rows


def _page(client, url: str) -> None:
    assert client.get(url).status_code == 200


def test_list_pages_read_as_many_rows_at_ten_times_the_data(client, administrator):
    qualification = factories.QualificationFactory()
    assessors = [factories.AssessorFactory() for _ in range(10)]
    today = timezone.localdate()
    pages = [
        page.format(
            month_ago=today - timedelta(days=30),
            in_a_month=today + timedelta(days=30),
            far_day=today + timedelta(days=3650),  # a day without sessions: the day view reads none
        )
        for page in PAGES
    ]
    client.force_login(administrator)
    grow(qualification, assessors, 60)
    small = {page: rows_read(client, page) for page in pages}
    grow(qualification, assessors, 540)
    large = {page: rows_read(client, page) for page in pages}
    grown = {page: (small[page], large[page]) for page in pages if large[page] > small[page] * 1.2 + 20}
    assert not grown, f"rows read (60 → 600 assessments) grew on: {grown}"


def test_assessor_dashboard_reads_as_many_rows_at_ten_times_the_data(client):
    """An assessor's sessions in either seat, latest first: a page from each seat's index, where
    ``first = X OR second = X`` has no index in schedule order (and counting them read them all)."""
    qualification = factories.QualificationFactory()
    assessors = [factories.AssessorFactory() for _ in range(10)]
    client.force_login(assessors[0])
    pages = ["/assessments/", "/assessments/?at=last"]
    grow(qualification, assessors, 600)
    small = {page: rows_read(client, page) for page in pages}
    grow(qualification, assessors, 5400)
    large = {page: rows_read(client, page) for page in pages}
    grown = {page: (small[page], large[page]) for page in pages if large[page] > small[page] * 1.2 + 20}
    assert not grown, f"rows read (600 → 6,000 assessments) grew on: {grown}"


def test_objection_filter_reads_the_objections_of_its_status_by_index(client, administrator):
    """The dashboard filtered on open objections reads the open ones by the status index, then
    their assessments: not every objection, nor the schedule from today probing each session for
    an objection (with few sessions to come objected to, that walk reads the whole future). On a
    few hundred sessions the planner still prefers that walk, which costs little there; from a few
    thousand on, the ids are read first and the rows read no longer grow."""
    qualification = factories.QualificationFactory()
    assessors = [factories.AssessorFactory() for _ in range(10)]
    client.force_login(administrator)
    page = "/assessments/?objection=open"
    grow(qualification, assessors, 2000)
    # A hundred open objections, all to decisions of the past: as many as the planner, told their
    # ids, expects some among the sessions still to come, and walks the future to find them.
    Objection.objects.update(status=Objection.Status.OPEN)
    analyze()
    small = work_of(lambda: _page(client, page))
    grow(qualification, assessors, 18000)
    large = work_of(lambda: _page(client, page))
    assert large.rows <= small.rows * 1.2 + 20, f"rows read (2,000 → 20,000 assessments): {small.rows} → {large.rows}"
    assert "objection_status" in large.indexes
    assert large.read("assessments_objection") <= {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


# Outside a transaction, so that the table is vacuumed as it grows, as autovacuum would: an
# index-only scan skips the table's rows where VACUUM marked them visible to all.
@pytest.mark.django_db(transaction=True)
def test_day_view_reads_a_page_of_a_busy_day_whatever_its_sessions(client, administrator):
    """A page of the day's sessions is read from the schedule's index where the page before ended:
    as many rows with 180 sessions on the day, in three rooms, as with 1,800. Its count reads the
    day's entries of the index alone, no row of the table."""
    day = timezone.localdate() + timedelta(days=5)
    client.force_login(administrator)
    for other_day in (day - timedelta(days=1), day + timedelta(days=1)):
        factories.sessions_on(other_day, 300)
    rooms = [f"Room {n}" for n in range(1, 4)]
    for room in rooms:
        factories.sessions_on(day, 60, location=room)
    analyze()
    middle = client.get(f"/assessments/day/?day={day:%Y-%m-%d}").context["page"].next_url
    pages = [f"/assessments/day/?day={day:%Y-%m-%d}", f"/assessments/day/?day={day:%Y-%m-%d}&at=last"]

    def page_rows(url: str) -> int:  # the page's work without its count's
        return rows_read(client, url) - work_of(lambda: selectors.day_session_count(day)).rows

    small = {page: page_rows(page) for page in [*pages, "/assessments/day/" + middle]}
    count = work_of(lambda: selectors.day_session_count(day))
    assert count.scans == {("Index Only Scan", "assessments_assessment")}
    assert count.indexes == {"assessment_schedule_idx"} and count.rows == 180
    for room in rooms:
        factories.sessions_on(day, 540, location=room)
    analyze()
    large = {page: page_rows(page) for page in [*pages, "/assessments/day/" + middle]}
    grown = {page: (small[page], large[page]) for page in small if large[page] > small[page] * 1.2 + 20}
    assert not grown, f"rows read (180 → 1,800 sessions on the day) grew on: {grown}"
    # Now most of the table: the planner may read the location index whole instead, still no row.
    count = work_of(lambda: selectors.day_session_count(day))
    assert count.scans == {("Index Only Scan", "assessments_assessment")}
