"""An iCalendar (.ics) event for an assessment: its date, place and length (planned, or real once
the end is recorded), nothing personal.

Written by the icalendar library, which escapes text values (backslash, semicolon, comma, line
breaks: RFC 5545 3.3.11) and folds lines at 75 octets, so a place or a title can never add a
property or a component of its own.
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from assessments.models import Assessment


def assessment_event(assessment: Assessment, *, summary: str, cancelled: bool = False, sequence: int = 0) -> str:
    """One VEVENT; the same UID for every version, so calendars replace or cancel it."""
    start = assessment.scheduled_at.astimezone(UTC)
    host = settings.PORTAL_BASE_URL.split("//", 1)[-1].split("/", 1)[0]
    event = Event()
    event.add("uid", f"assessment-{assessment.pk}@{host}")
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", assessment.calendar_end.astimezone(UTC))
    event.add("summary", summary)
    event.add("location", assessment.location)
    event.add("url", f"{settings.PORTAL_BASE_URL}{assessment.get_absolute_url()}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//competency-portal//assessments//EN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()
