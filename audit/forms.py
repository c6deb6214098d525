"""The audit trail's search and filters: they parse; ``selectors.audit_entries`` reads."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.api import AccountField
from portal.forms import filter_helper

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    search = forms.CharField(label=_("Name, e-mail or number of a proof"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Every action")), *AuditEntry.Action.choices]
    )
    person = AccountField(label=_("Person"), role="", required=False, help_text="")
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = filter_helper(self, _("Search the audit trail"), "audit:trail")

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
