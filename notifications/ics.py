"""An iCalendar (.ics) event for an assessment: its date, place and length, nothing personal."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

from assessments.models import Assessment


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(moment) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def assessment_event(assessment: Assessment, *, summary: str, cancelled: bool = False, sequence: int = 0) -> str:
    """One VEVENT; the same UID for every version, so calendars replace or cancel it."""
    start = assessment.scheduled_at
    end = start + timedelta(hours=assessment.qualification.max_assessment_hours)
    host = settings.PORTAL_BASE_URL.split("//", 1)[-1].split("/", 1)[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//competency-portal//assessments//EN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:assessment-{assessment.pk}@{host}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(assessment.location)}",
        f"URL:{settings.PORTAL_BASE_URL}{assessment.get_absolute_url()}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
