from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import administrator_required
from portal.pagination import Keyset, keyset_page

from . import services
from .models import Notification
from .selectors import notification_list


@administrator_required
def notifications(request):
    """Administrators see every e-mail and whether it went out; failures first to look at.

    Recipient, kind, status, attempts and the last error only: never a message's text or link.
    """
    status = request.GET.get("status", "")
    status = status if status in Notification.Status.values else ""
    return render(
        request,
        "notifications/list.html",
        {
            # Newest first, a page at a time from the index on (created_at, id): never counted.
            "page": keyset_page(request, Keyset(notification_list(status), ("created_at", "pk"), descending=True)),
            "status": status,
            "statuses": Notification.Status.choices,
        },
    )


@require_POST
@administrator_required
def notification_resend(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk)
    try:
        services.notification_resend(notification=notification)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail was handed to the worker again."))
    return redirect(f"{reverse('notifications:list')}?status={Notification.Status.FAILED}")
