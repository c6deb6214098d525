from django.contrib import admin, messages
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import ViewOnlyAdmin, ViewOnlyTabularInline

from . import sealing, services
from .models import Certificate, IssuingCentre, SupplementVersion


class SupplementVersionInline(ViewOnlyTabularInline):
    model = SupplementVersion
    fields = ["number", "first_language", "second_language", "status", "sha256", "proof_sha256", "rendered_at", "error"]


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
    """The three proofs: issued, re-rendered and revoked by the services alone."""

    list_display = ["number", "kind", "holder_name", "issued_at", "status"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["number", "holder_name"]
    inlines = [SupplementVersionInline]


@admin.register(IssuingCentre)
class IssuingCentreAdmin(admin.ModelAdmin):
    """The test centre printed on every document, named in its credential and as the PDF's author.

    Entered here by administrators, once; from then on a change makes a new version
    (``services.issuing_centre_revise``), which issues the documents from then on, while each
    document keeps the version it was issued with. Earlier versions are shown, never changed or
    deleted.
    """

    list_display = ["name", "recognition_number", "version", "is_current", "entered_at"]
    readonly_fields = ["version", "is_current", "entered_at", "history"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(services.CENTRE_FIELDS)})]
        return [
            (
                None,
                {
                    "fields": [*services.CENTRE_FIELDS, "version", "is_current", "entered_at"],
                    "description": _(
                        "Saving a change makes a new version of the centre, which issues the documents from then "
                        "on. Every document keeps the version it was issued with, also when it is rendered again."
                    ),
                },
            ),
            (_("Versions"), {"fields": ["history"]}),
        ]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and IssuingCentre.objects.current() is None

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        typed = {field: form.cleaned_data[field] for field in services.CENTRE_FIELDS}
        if change:
            saved = services.issuing_centre_revise(actor=request.user, centre=obj, **typed)
        else:
            saved = services.issuing_centre_enter(actor=request.user, **typed)
        # The admin goes on with the version saved: its message, its log entry and "Save and
        # continue editing" name the new version, not the one it replaced.
        obj.pk = saved.pk
        obj.refresh_from_db()
        self._warn_of_another_seal(request)

    def _warn_of_another_seal(self, request) -> None:
        try:
            mismatch = sealing.seal_mismatch(sealing.configured_seal())
        except (OSError, ValueError):
            return  # a seal that cannot be opened is reported by check --deploy and by each rendering
        if mismatch is not None:
            text = _(
                "The seal certificate names “%(holder)s”, not “%(centre)s”. Documents are still sealed with it; "
                "ask the trust service provider for a seal certificate in the centre's name."
            )
            self.message_user(request, text % {"holder": mismatch.holder, "centre": mismatch.centre}, messages.WARNING)

    @admin.display(description=gettext_lazy("Versions"))
    def history(self, centre: IssuingCentre) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    version.version,
                    version.name,
                    ", ".join(version.address_lines),
                    version.recognition_number,
                    formats.localize(timezone.localtime(version.entered_at)) if version.entered_at else "—",
                    version.certificates.count(),
                )
                for version in centre.history()
            ),
        )
        fields = ["version", "name", "address", "recognition_number", "entered_at"]
        names = (IssuingCentre._meta.get_field(field).verbose_name for field in fields)  # type: ignore[union-attr]
        headings = [*names, _("documents issued")]
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ((heading,) for heading in headings)),
            rows,
        )
