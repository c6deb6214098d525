from django.shortcuts import render

from accounts.access import administrator_required
from portal.pagination import page_of

from .models import Notification
from .selectors import notification_list


@administrator_required
def notifications(request):
    """Administrators see every e-mail and whether it went out; failures first to look at."""
    status = request.GET.get("status", "")
    status = status if status in Notification.Status.values else ""
    return render(
        request,
        "notifications/list.html",
        {
            "page": page_of(request, notification_list(status)),
            "status": status,
            "statuses": Notification.Status.choices,
        },
    )
