from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Assessment, AuditEntry, PortfolioItem, ScoreSheet, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ["email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["last_name", "first_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["first_name", "last_name", "preferred_language"]}),
        ("Role", {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "first_name", "last_name", "role", "password1", "password2"]})]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "qualification", "status", "scheduled_at", "first_assessor", "second_assessor"]
    list_filter = ["status", "qualification"]
    search_fields = ["candidate__email", "candidate__last_name"]
    # The procedure's state changes only through the portal's own pages (guarded, audited).
    readonly_fields = ["status", "started_at", "ended_at", "decided_at"]
    raw_id_fields = ["candidate", "first_assessor", "second_assessor"]

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever deleted silently


@admin.register(PortfolioItem)
class PortfolioItemAdmin(admin.ModelAdmin):
    list_display = ["original_name", "assessment", "content_type", "size", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "uploaded_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["assessment", "assessor", "status", "submitted_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "assessment", "summary"]
    list_filter = ["action"]
    search_fields = ["summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
