from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certificates import dev_keys


class Command(BaseCommand):
    help = (
        "Create a self-signed TEST seal (PORTAL_SEAL_PKCS12) and the credential keys, Ed25519 "
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
            Path(settings.PORTAL_SEAL_PKCS12),
            passphrase=settings.PORTAL_SEAL_PASSPHRASE,
            # Named as the centre: the mark of a test seal says, in the reader's language, what it is.
            common_name=settings.PORTAL_ISSUER_NAME,
        ):
            self.stdout.write(f"Created a development TEST seal: {settings.PORTAL_SEAL_PKCS12}")
        if dev_keys.ensure_credential_key(Path(settings.PORTAL_CREDENTIAL_KEY)):
            self.stdout.write(f"Created a development credential key: {settings.PORTAL_CREDENTIAL_KEY}")
        if dev_keys.ensure_credential_rsa_key(Path(settings.PORTAL_CREDENTIAL_RSA_KEY)):
            self.stdout.write(f"Created a development RSA credential key: {settings.PORTAL_CREDENTIAL_RSA_KEY}")
