from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from . import (  # noqa: F401
            receivers,  # revokes the keys of a deactivated or demoted administrator
            schema,  # registers the schema's sign-in schemes
        )
