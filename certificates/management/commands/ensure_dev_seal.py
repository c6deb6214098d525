from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from certificates import dev_keys
from certificates.models import IssuingCentre

# The development seal's name before any issuing centre is entered.
UNNAMED_SEAL = "Development test centre"


def seal_name() -> str:
    """The current issuing centre's name, as a real seal names the centre that issues."""
    try:
        centre = IssuingCentre.objects.current()
    except DatabaseError:  # not migrated yet
        return UNNAMED_SEAL
    return centre.name if centre is not None else UNNAMED_SEAL


class Command(BaseCommand):
    help = (
        "Create a self-signed TEST seal (PORTAL_SEAL_PKCS12) in the issuing centre's name and the credential keys, Ed25519 "
        "(PORTAL_CREDENTIAL_KEY) and RSA (PORTAL_CREDENTIAL_RSA_KEY), for development, unless they exist. "
        "Refused unless DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_seal makes a development seal and runs only with DEBUG=1.")
        if not (settings.PORTAL_SEAL_PKCS12 and settings.PORTAL_CREDENTIAL_KEY and settings.PORTAL_CREDENTIAL_RSA_KEY):
            raise CommandError(
                "Set PORTAL_SEAL_PKCS12, PORTAL_CREDENTIAL_KEY and PORTAL_CREDENTIAL_RSA_KEY to where they should be made."
            )
        if dev_keys.ensure_seal(
            Path(settings.PORTAL_SEAL_PKCS12), passphrase=settings.PORTAL_SEAL_PASSPHRASE, common_name=seal_name()
        ):
            self.stdout.write(f"Created a development TEST seal: {settings.PORTAL_SEAL_PKCS12}")
        if dev_keys.ensure_credential_key(Path(settings.PORTAL_CREDENTIAL_KEY)):
            self.stdout.write(f"Created a development credential key: {settings.PORTAL_CREDENTIAL_KEY}")
        if dev_keys.ensure_credential_rsa_key(Path(settings.PORTAL_CREDENTIAL_RSA_KEY)):
            self.stdout.write(f"Created a development RSA credential key: {settings.PORTAL_CREDENTIAL_RSA_KEY}")
