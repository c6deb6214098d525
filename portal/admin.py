"""What every ModelAdmin of the portal shares (docs/decisions/0010-security-hardening.md).

The procedure's records are written by the services, with their checks, audit entries and
notifications; the Django admin only shows them. Where the admin does edit (accounts, issuing
centres), the ids it is sent are parsed like every other typed id.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models

from .ids import IdChoiceField, IdMultipleChoiceField


class ParsedIdsMixin:
    """Choices of other rows parse their ids with ``portal.ids``, as every form of the portal does."""

    formfield_overrides: "Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]" = {
        models.ForeignKey: {"form_class": IdChoiceField},
        models.OneToOneField: {"form_class": IdChoiceField},
        models.ManyToManyField: {"form_class": IdMultipleChoiceField},
    }


class ViewOnlyMixin:
    """Shown to staff; never added, changed or deleted here, whatever the account's permissions.

    Private files are left out: they are downloaded on the portal's own pages, through the access
    check and the audit trail, never through an address the admin would link to.
    """

    def get_exclude(self, request, obj=None):
        files = [field.name for field in self.model._meta.get_fields() if isinstance(field, models.FileField)]
        return [*(super().get_exclude(request, obj) or []), *files]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    pass


class ViewOnlyTabularInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0


class ViewOnlyStackedInline(ViewOnlyMixin, admin.StackedInline):
    extra = 0
