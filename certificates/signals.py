"""Events of issued documents, for the apps above ``certificates`` (``notifications``, ``webhooks``)."""

from django.dispatch import Signal

document_issued = Signal()  # certificate: a proof was issued (its PDF is rendered after)
document_ready = Signal()  # version: a rendered PDF is ready to download
document_revoked = Signal()  # certificate
