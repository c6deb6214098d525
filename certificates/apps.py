from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Proofs")

    def ready(self) -> None:
        from assessments.api import register_documents

        from . import checks  # noqa: F401 (registers the system checks)
        from .api import DocumentsOfDecisions

        # The procedure reads the documents of its decisions through this (docs/decisions/0029).
        register_documents(DocumentsOfDecisions())
