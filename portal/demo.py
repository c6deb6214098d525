"""The demo data of ``make run``: made only where PORTAL_DEMO is set, which production never sets."""

from django.conf import settings
from django.core.management.base import CommandError


def refuse_outside_demo() -> None:
    """Every command that makes demo data starts here."""
    if not settings.PORTAL_DEMO:
        raise CommandError("Demo data is only created when PORTAL_DEMO=1 (never in production).")
