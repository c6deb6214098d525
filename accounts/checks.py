"""System checks of how sign-in is configured (docs/decisions/0034): they run before every
management command, the release's ``migrate`` included, so a centre that switches passwords off
without a provider, or names a provider over plain http, is stopped before anyone is locked out or
signs in over an unprotected channel."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from . import provider


@checks.register(checks.Tags.security)
def check_sign_in_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    partly = any((settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET))
    if partly and not provider.configured():
        errors.append(
            checks.Error(
                "The sign-in provider is configured only in part.",
                hint="Set all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none (docs/deploy.md).",
                id="accounts.E001",
            )
        )
    elif not settings.PORTAL_PASSWORD_SIGN_IN and not provider.configured():
        errors.append(
            checks.Error(
                "Passwords are switched off (PORTAL_PASSWORD_SIGN_IN=false) and no sign-in provider is configured: "
                "nobody but a superuser could sign in.",
                hint="Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or switch passwords on (docs/deploy.md).",
                id="accounts.E002",
            )
        )
    if settings.OIDC_ISSUER and not provider.secure(settings.OIDC_ISSUER):
        errors.append(
            checks.Error(
                f"OIDC_ISSUER must be an https:// address, not {urlsplit(settings.OIDC_ISSUER).scheme or 'none'}.",
                hint="Only a development provider on this machine may use http, with OIDC_ALLOW_HTTP=true.",
                id="accounts.E003",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def check_provider_over_https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.OIDC_ALLOW_HTTP:
        return [
            checks.Warning(
                "OIDC_ALLOW_HTTP lets the sign-in provider and its endpoints use plain http.",
                hint="Remove OIDC_ALLOW_HTTP: it is for a development provider only.",
                id="accounts.W001",
            )
        ]
    return []
