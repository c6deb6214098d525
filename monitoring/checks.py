"""System checks of what an operator configures for uploads and monitoring."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from portal import scanning


@checks.register(checks.Tags.security, deploy=True)
def check_uploads_scanned(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without a daemon, uploads are not scanned: ``check --deploy`` says so (production refuses to
    start that way unless PORTAL_ALLOW_UNSCANNED_UPLOADS is set: portal.settings.production).
    Development, where no scanner is the default, is not told at every command."""
    if not settings.CLAMD_URL:
        return [
            checks.Warning(
                "Uploads are not scanned for viruses: no virus scanner is configured.",
                hint="Set CLAMD_URL to ClamAV's daemon (unix:///run/clamav/clamd.ctl or tcp://host:3310); "
                "see docs/deploy.md.",
                id="monitoring.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def check_virus_scanner(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A daemon's address that cannot be used stops every command."""
    if not settings.CLAMD_URL:
        return []
    try:
        scanning.client(settings.CLAMD_URL, settings.CLAMD_TIMEOUT)
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="monitoring.E001")]
    return []
