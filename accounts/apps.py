from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import (
            background,  # noqa: F401 -- registers its exports and imports as jobs
            sign_in,  # noqa: F401  (connects the count of failures per client address)
        )
