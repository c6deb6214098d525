"""Scheduling in the portal: reschedule, cancel, no past dates, overlap warnings, start window,
the day view."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import selectors, services
from assessments.manage_views import DAY_SESSIONS_PER_PAGE
from assessments.models import Assessment
from audit.models import AuditEntry
from reports.selectors import report_figures

from .. import factories, flows

pytestmark = pytest.mark.django_db


def in_hours(hours: float):
    return timezone.now() + timedelta(hours=hours)


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def test_a_new_assessment_cannot_be_in_the_past(administrator, qualification, candidate, assessor, second_assessor):
    with pytest.raises(ValidationError) as refused:
        services.assessment_create(
            created_by=administrator,
            candidate=candidate,
            qualification=qualification,
            first_assessor=assessor,
            second_assessor=second_assessor,
            scheduled_at=in_hours(-1),
        )
    assert codes(refused.value) == {"in_the_past"}
    assert not Assessment.objects.exists()


def test_reschedule_with_a_reason_is_audited(administrator, assessment):
    moved = services.assessment_reschedule(
        actor=administrator,
        assessment=assessment,
        scheduled_at=in_hours(30),
        location="Room 2",
        reason="Candidate is ill",
    )
    assessment.refresh_from_db()
    assert assessment.location == "Room 2" and abs(assessment.scheduled_at - in_hours(30)) < timedelta(minutes=1)
    entry = AuditEntry.objects.about(moved).get(action="assessment_rescheduled")
    assert entry.data["reason"] == "Candidate is ill" and entry.data["location_after"] == "Room 2"
    assert "→" in entry.summary


@pytest.mark.parametrize("when,reason,code", [(-2, "ill", "in_the_past"), (5, "  ", "reason_required")])
def test_reschedule_refuses_the_past_and_a_missing_reason(administrator, assessment, when, reason, code):
    with pytest.raises(ValidationError) as refused:
        services.assessment_reschedule(
            actor=administrator, assessment=assessment, scheduled_at=in_hours(when), location="", reason=reason
        )
    assert codes(refused.value) == {code}
    assert not AuditEntry.objects.filter(action="assessment_rescheduled").exists()


def test_cancel_with_a_reason_moves_to_cancelled_and_is_audited(administrator, assessment):
    with pytest.raises(ValidationError) as refused:
        services.assessment_cancel(actor=administrator, assessment=assessment, reason="")
    assert codes(refused.value) == {"reason_required"}
    services.assessment_cancel(actor=administrator, assessment=assessment, reason="Qualification withdrawn")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CANCELLED
    assert assessment.cancellation_reason == "Qualification withdrawn"
    assert AuditEntry.objects.about(assessment).get(action="assessment_cancelled").data["reason"] == (
        "Qualification withdrawn"
    )
    # Nothing moves out of cancelled: no start, no reschedule, no second cancellation.
    with pytest.raises(ValidationError):
        flows.start(assessment)
    for step in (
        lambda: services.assessment_reschedule(
            actor=administrator, assessment=assessment, scheduled_at=in_hours(5), location="", reason="again"
        ),
        lambda: services.assessment_cancel(actor=administrator, assessment=assessment, reason="again"),
    ):
        with pytest.raises(ValidationError) as refused:
            step()
        assert codes(refused.value) == {"not_registered"}


def test_a_started_assessment_cannot_be_rescheduled_or_cancelled(administrator, assessment):
    flows.start(assessment)
    with pytest.raises(ValidationError) as refused:
        services.assessment_cancel(actor=administrator, assessment=assessment, reason="late")
    assert codes(refused.value) == {"not_registered"}


def test_the_transitions_know_cancelled():
    assert Assessment.Status.CANCELLED in Assessment.TRANSITIONS[Assessment.Status.REGISTERED]
    assert Assessment.Status.CANCELLED not in Assessment.TRANSITIONS.get(Assessment.Status.CANCELLED, set())


def test_the_start_is_refused_well_before_the_scheduled_time(assessment, settings):
    settings.ASSESSMENT_START_EARLIEST_MINUTES = 120
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=in_hours(3))
    with pytest.raises(ValidationError) as refused:
        flows.start(assessment)
    assert codes(refused.value) == {"too_early"}
    settings.ASSESSMENT_START_EARLIEST_MINUTES = 240
    assert flows.start(assessment).status == Assessment.Status.SCORING


def test_an_overlapping_session_of_an_assessor_is_found(qualification, assessor):
    hours = qualification.max_assessment_hours
    this = factories.AssessmentFactory(qualification=qualification, first_assessor=assessor, scheduled_at=in_hours(24))
    overlapping = factories.AssessmentFactory(
        qualification=qualification, second_assessor=assessor, scheduled_at=in_hours(24 + hours - 1)
    )
    factories.AssessmentFactory(
        qualification=qualification, first_assessor=assessor, scheduled_at=in_hours(24 + hours + 1)
    )  # after this one ends
    factories.AssessmentFactory(qualification=qualification, scheduled_at=in_hours(24))  # other assessors
    cancelled = factories.AssessmentFactory(
        qualification=qualification,
        first_assessor=assessor,
        scheduled_at=in_hours(24),
        status=Assessment.Status.CANCELLED,
    )
    assert selectors.assessor_overlaps(this) == [overlapping]
    assert cancelled not in selectors.assessor_overlaps(this)


def test_the_administrator_is_warned_of_an_overlap_when_creating(
    client, administrator, qualification, assessor, second_assessor, candidate
):
    busy = factories.AssessmentFactory(
        qualification=qualification, first_assessor=assessor, scheduled_at=in_hours(26), location="Room A"
    )
    client.force_login(administrator)
    when = timezone.localtime(in_hours(27))
    response = client.post(
        "/assessments/new/",
        {
            "candidate": candidate.email,
            "qualification": qualification.pk,
            "first_assessor": assessor.email,
            "second_assessor": second_assessor.email,
            "scheduled_at": f"{when:%Y-%m-%dT%H:%M}",
            "location": "Room B",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "The assessment was created." in page
    assert f"Already booked at an overlapping time ({assessor.full_name}): {busy.candidate.full_name}" in page


def test_reschedule_and_cancel_in_the_portal(client, administrator, assessment):
    client.force_login(administrator)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'href="/assessments/{assessment.pk}/schedule/">Reschedule or cancel</a>' in page
    when = timezone.localtime(in_hours(48))
    response = client.post(
        f"/assessments/{assessment.pk}/schedule/",
        {
            "scheduled_at": f"{when:%Y-%m-%dT%H:%M}",
            "location": "Room 9",
            "reason": "",
        },
    )
    assert response.status_code == 200 and "Give the reason for the change." in response.content.decode()
    response = client.post(
        f"/assessments/{assessment.pk}/schedule/",
        {
            "scheduled_at": f"{when:%Y-%m-%dT%H:%M}",
            "location": "Room 9",
            "reason": "Room booked twice",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.location == "Room 9"
    response = client.post(
        f"/assessments/{assessment.pk}/schedule/?cancel=1", {"cancel-reason": "Candidate withdrew"}, follow=True
    )
    assert "The assessment was cancelled." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CANCELLED
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Candidate withdrew" in page and "Reschedule or cancel" not in page
    assert client.get(f"/assessments/{assessment.pk}/schedule/").status_code == 302
    flows.refresh_reports()
    assert dict(report_figures().by_status)["Cancelled"] == 1


def test_change_the_assessors_is_offered_only_where_allowed(client, administrator, assessment):
    client.force_login(administrator)
    link = f'href="/assessments/{assessment.pk}/assessors/"'
    assert link in client.get(f"/assessments/{assessment.pk}/").content.decode()
    flows.start(assessment)
    assert link not in client.get(f"/assessments/{assessment.pk}/").content.decode()
    response = client.get(f"/assessments/{assessment.pk}/assessors/", follow=True)
    assert "The assessors cannot change once scoring has started." in response.content.decode()


def test_the_record_start_button_waits_for_the_window(client, assessment, settings):
    settings.ASSESSMENT_START_EARLIEST_MINUTES = 120
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=in_hours(5))
    client.force_login(assessment.first_assessor)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "/start/" not in page and "The start can be recorded from" in page
    response = client.post(f"/assessments/{assessment.pk}/start/", follow=True)
    assert "its start can be recorded from" in response.content.decode()


def test_the_day_view_lists_the_sessions_of_a_date(client, administrator, qualification):
    day = timezone.localdate() + timedelta(days=2)
    at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=9)
    morning = factories.AssessmentFactory(qualification=qualification, scheduled_at=at, location="Room 1")
    afternoon = factories.AssessmentFactory(
        qualification=qualification, scheduled_at=at + timedelta(hours=5), location="Room 2"
    )
    factories.AssessmentFactory(qualification=qualification, scheduled_at=at + timedelta(days=1))
    client.force_login(administrator)
    response = client.get(f"/assessments/day/?day={day:%Y-%m-%d}")
    assert list(response.context["page"]) == [morning, afternoon]
    page = response.content.decode()
    for assessment in (morning, afternoon):
        assert assessment.location in page and assessment.first_assessor.full_name in page
        assert assessment.second_assessor.full_name in page
    assert "09:00" in page
    assert client.get("/assessments/day/").context["day"] == timezone.localdate()


def day_pages(client, url: str, link: str) -> list[list[Assessment]]:
    """The pages reached from ``url`` by following its ``link`` ("next_url", "previous_url")."""
    pages = []
    while url:
        page = client.get(url).context["page"]
        pages.append(page.object_list)
        url = getattr(page, link) and "/assessments/day/" + getattr(page, link)
    return pages


def test_a_busy_day_is_shown_a_page_at_a_time_in_the_order_of_the_day(client, administrator):
    day = timezone.localdate() + timedelta(days=3)
    sessions = factories.sessions_on(day, 2 * DAY_SESSIONS_PER_PAGE + 10)
    midnight = selectors.local_day_start(day)
    factories.AssessmentFactory(scheduled_at=midnight - timedelta(seconds=1))  # the evening before
    factories.AssessmentFactory(scheduled_at=midnight + timedelta(days=1))  # the next day's first
    in_order = sorted(sessions, key=lambda session: (session.scheduled_at, session.pk))
    client.force_login(administrator)
    forwards = day_pages(client, f"/assessments/day/?day={day:%Y-%m-%d}", "next_url")
    assert [len(page) for page in forwards] == [DAY_SESSIONS_PER_PAGE, DAY_SESSIONS_PER_PAGE, 10]
    assert [session for page in forwards for session in page] == in_order
    backwards = day_pages(client, f"/assessments/day/?day={day:%Y-%m-%d}&at=last", "previous_url")
    assert [session for page in reversed(backwards) for session in page] == in_order
    page = client.get(f"/assessments/day/?day={day:%Y-%m-%d}").content.decode()
    assert f"{len(sessions)} sessions on this date." in page and "Later" in page


def test_the_day_view_runs_as_many_queries_for_a_busy_day(client, administrator, django_assert_max_num_queries):
    quiet, busy = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=4)
    factories.sessions_on(quiet, 2)
    factories.sessions_on(busy, 3 * DAY_SESSIONS_PER_PAGE)
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/assessments/day/?day={quiet:%Y-%m-%d}")
    for url in (f"/assessments/day/?day={busy:%Y-%m-%d}", f"/assessments/day/?day={busy:%Y-%m-%d}&at=last"):
        with django_assert_max_num_queries(len(queries)):
            response = client.get(url)
        assert len(response.context["page"]) == DAY_SESSIONS_PER_PAGE
    later = response.context["page"].previous_url
    with django_assert_max_num_queries(len(queries)):
        assert len(client.get("/assessments/day/" + later).context["page"]) == DAY_SESSIONS_PER_PAGE


def test_the_day_view_shows_one_place_and_keeps_it_across_pages_and_days(client, administrator):
    day = timezone.localdate() + timedelta(days=3)
    room = factories.sessions_on(day, DAY_SESSIONS_PER_PAGE + 1, location="Room 1")
    factories.sessions_on(day, 5, location="Room 2")
    client.force_login(administrator)
    response = client.get(f"/assessments/day/?day={day:%Y-%m-%d}&location=room+1")
    first = response.context["page"]
    later = client.get("/assessments/day/" + first.next_url).context["page"]
    assert [*first, *later] == sorted(room, key=lambda session: (session.scheduled_at, session.pk))
    assert "location=room+1" in first.next_url
    page = response.content.decode()
    assert f"{len(room)} sessions at room 1 on this date." in page
    assert f"?day={day + timedelta(days=1):%Y-%m-%d}&amp;location=room+1" in page
    empty = client.get(f"/assessments/day/?day={day:%Y-%m-%d}&location=Room+3").content.decode()
    assert "No session is scheduled at Room 3 on this date." in empty


def test_a_date_that_is_no_date_keeps_the_place_and_says_why(client, administrator):
    today = timezone.localdate()
    factories.sessions_on(today, 2, location="Room 1")
    factories.sessions_on(today, 3, location="Room 2")
    client.force_login(administrator)
    response = client.get("/assessments/day/?day=31-02-yesterday&location=Room+1")
    assert response.context["day"] == today and response.context["location"] == "Room 1"
    assert len(list(response.context["page"])) == 2
    assert response.context["form"].errors["day"]
