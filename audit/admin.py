from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Visible to staff; nothing is added, changed or deleted here."""

    list_display = ["created_at", "actor", "action", "subject_type", "subject_id", "summary"]
    list_filter = ["action"]
    search_fields = ["summary"]
    list_select_related = ["actor", "subject_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
