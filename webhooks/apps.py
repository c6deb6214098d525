from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from portal.imports import write_together

        from . import checks, receivers  # noqa: F401  (registers the system checks, connects the receivers)
        from .services import endpoints_read_once

        write_together(endpoints_read_once)
