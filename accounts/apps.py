from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import provider, sign_in  # noqa: F401  (sign_in connects the count of failures per client address)

        if provider.configured():
            provider.scopes()  # a scope asking for the national register number stops the start
