from django.contrib import admin

from .models import Assessment, PortfolioItem, ScoreSheet


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "qualification", "status", "scheduled_at", "first_assessor", "second_assessor"]
    list_filter = ["status", "qualification"]
    search_fields = ["candidate__email", "candidate__last_name"]
    # People and the procedure's state change only through the portal's own pages, where the
    # rules are checked and audited; here only the date and the place can be corrected.
    readonly_fields = [
        "candidate",
        "qualification",
        "first_assessor",
        "second_assessor",
        "status",
        "started_at",
        "ended_at",
        "decided_at",
    ]
    list_select_related = ["candidate", "qualification", "first_assessor", "second_assessor"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever deleted silently


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of the procedure: visible to staff, changed only through the portal's rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PortfolioItem)
class PortfolioItemAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "assessment", "content_type", "size", "uploaded_at"]
    list_select_related = ["assessment__candidate", "assessment__qualification"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "assessor", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["assessment__candidate", "assessment__qualification", "assessor"]
