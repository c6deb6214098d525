"""System checks of how webhooks are configured (decision 0033)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_addresses(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy`` warns when webhooks may reach the portal's own network, or travel unencrypted."""
    warnings: list[checks.CheckMessage] = []
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        warnings.append(
            checks.Warning(
                "Webhooks may be sent to private, loopback and link-local addresses.",
                hint="An administrator's endpoint can then reach services inside the portal's network; unset "
                "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES unless a receiver lives there (docs/deploy.md).",
                id="webhooks.W001",
            )
        )
    if not settings.WEBHOOKS_REQUIRE_HTTPS:
        warnings.append(
            checks.Warning(
                "Webhooks may be sent over plain http.",
                hint="Set WEBHOOKS_REQUIRE_HTTPS (the production settings do).",
                id="webhooks.W002",
            )
        )
    return warnings
