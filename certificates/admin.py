from django.contrib import admin

from .models import Certificate, SupplementVersion


class SupplementVersionInline(admin.TabularInline):
    model = SupplementVersion
    fields = ["number", "first_language", "second_language", "status", "sha256", "rendered_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "holder_name", "issued_at", "status"]
    list_filter = ["status", "year"]
    search_fields = ["number", "holder_name"]
    readonly_fields = [f.name for f in Certificate._meta.fields]
    inlines = [SupplementVersionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
