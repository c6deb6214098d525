"""System checks of the certificates app, run by ``manage.py check --deploy``."""

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def check_seal_names_the_issuing_centre(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The seal opens, and names the current issuing centre as the documents do (decision 0019).

    A seal that names another centre is a warning, not an error: the documents are still sealed,
    and the verifier shows who sealed them.
    """
    from . import sealing  # read when the checks run, not when the app loads

    try:
        seal = sealing.configured_seal()
    except (OSError, ValueError) as error:
        return [checks.Error(f"The seal (PORTAL_SEAL_PKCS12) cannot be opened: {error}", id="certificates.E001")]
    try:
        mismatch = sealing.seal_mismatch(seal)
    except DatabaseError:  # no database yet, or not migrated: there is no centre to compare
        return []
    if mismatch is None:
        return []
    return [
        checks.Warning(
            f"The seal certificate names “{mismatch.holder}”, the documents name the issuing centre "
            f"“{mismatch.centre}”.",
            hint="Ask the trust service provider for a seal certificate in the centre's name (subject "
            "organisation or common name), or correct the centre's name in the admin.",
            id="certificates.W001",
        )
    ]
