from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from portal.imports import write_together

        from . import (
            background,  # noqa: F401 -- registers its exports and imports as jobs
            receivers,  # noqa: F401 -- connects the audit of account events
        )
        from .services import entries_together

        write_together(entries_together)
