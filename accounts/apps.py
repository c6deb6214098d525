from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # sign_in connects the count of failures per client address; checks registers the system checks;
        # background registers the app's exports and imports as jobs.
        from . import background, checks, provider, sign_in  # noqa: F401

        if provider.configured():
            provider.scopes()  # a scope asking for the national register number stops the start
