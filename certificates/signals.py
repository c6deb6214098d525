"""Events of issued documents, for the apps above ``certificates`` (``notifications``)."""

from django.dispatch import Signal

document_ready = Signal()  # version: a rendered PDF is ready to download
document_revoked = Signal()  # certificate
