from django.contrib import admin

from portal.admin import ViewOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    """Written by the steps of the procedure, the account e-mails and the worker; failed ones are sent
    again from the E-mails page."""

    list_display = ["created_at", "event", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
