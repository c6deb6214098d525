from django.contrib import admin

from portal.admin import ViewOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    """Visible to staff; nothing is added, changed or deleted here."""

    list_display = ["created_at", "actor", "action", "subject_type", "subject_id", "summary"]
    list_filter = ["action"]
    search_fields = ["summary"]
    list_select_related = ["actor", "subject_type"]
