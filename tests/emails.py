"""What the worker does with the e-mails the portal queued, for tests without a worker."""

import uuid

from django.core import mail

from notifications import services
from notifications.models import Notification


def deliver() -> list:
    """Send every queued e-mail, oldest first; returns the messages sent."""
    before = len(mail.outbox)
    for pk in (
        Notification.objects.filter(status=Notification.Status.QUEUED).order_by("pk").values_list("pk", flat=True)
    ):
        services.notification_send(notification_id=pk, attempt_id=uuid.uuid4().hex)
    return mail.outbox[before:]
