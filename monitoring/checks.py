"""System checks of what an operator configures for uploads and monitoring."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from portal import scanning


@checks.register(checks.Tags.security)
def check_virus_scanner(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Uploads are scanned when a daemon is named; without one, every command says so (production
    refuses to start that way unless PORTAL_ALLOW_UNSCANNED_UPLOADS is set: portal.settings.production)."""
    if not settings.CLAMD_URL:
        return [
            checks.Warning(
                "Uploads are not scanned for viruses: no virus scanner is configured.",
                hint="Set CLAMD_URL to ClamAV's daemon (unix:///run/clamav/clamd.ctl or tcp://host:3310); "
                "see docs/deploy.md.",
                id="monitoring.W001",
            )
        ]
    try:
        scanning.client(settings.CLAMD_URL, settings.CLAMD_TIMEOUT)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="monitoring.E001")]
    return []
