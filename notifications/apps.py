from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from portal.imports import write_together

        from . import receivers  # noqa: F401  (connects the receivers)
        from .services import emails_together

        write_together(emails_together)
