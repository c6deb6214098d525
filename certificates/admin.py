from django.contrib import admin

from .models import Certificate, IssuingCentre, SupplementVersion


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


@admin.register(IssuingCentre)
class IssuingCentreAdmin(admin.ModelAdmin):
    """The test centre printed in section 5 of every supplement and as the PDF's author."""

    list_display = ["name", "recognition_number", "is_current"]
    fields = ["name", "address", "recognition_number", "is_current"]

    def has_delete_permission(self, request, obj=None):
        # A centre that issued certificates stays: they name it.
        return obj is None or not obj.certificates.exists()
