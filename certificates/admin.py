from django.contrib import admin

from portal.admin import ViewOnlyAdmin, ViewOnlyTabularInline

from .models import Certificate, IssuingCentre, SupplementVersion


class SupplementVersionInline(ViewOnlyTabularInline):
    model = SupplementVersion
    fields = ["number", "first_language", "second_language", "status", "sha256", "proof_sha256", "rendered_at", "error"]


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
    """Certificates and statements: issued, re-rendered and revoked by the services alone."""

    list_display = ["number", "holder_name", "issued_at", "status"]
    list_filter = ["status", "year"]
    search_fields = ["number", "holder_name"]
    inlines = [SupplementVersionInline]


@admin.register(IssuingCentre)
class IssuingCentreAdmin(admin.ModelAdmin):
    """The test centre printed in section 5 of every supplement and as the PDF's author.

    Entered here by administrators. One centre at most issues new certificates (the form checks
    the constraint ``one_current_issuing_centre``). Each certificate keeps the centre that issued
    it, so once a centre has issued, its name and recognition number stay (a successor is a new
    centre) and it is not deleted; its address may change.
    """

    list_display = ["name", "recognition_number", "is_current"]
    fields = ["name", "address", "recognition_number", "is_current"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "recognition_number"] if obj is not None and obj.has_issued else []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.has_issued
