from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import CrispyForm

from .models import READ, RESOURCES, WRITE


def scope_choices():
    return [("", _("No access")), (READ, _("Read")), (WRITE, _("Read and write"))]


class ApiKeyForm(CrispyForm):
    submit_label = _("Make the key")

    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("Which integration uses it."))
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a key that does not expire."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for resource, label in RESOURCES.items():
            self.fields[f"scope_{resource}"] = forms.ChoiceField(label=label, choices=scope_choices(), required=False)

    def scopes(self) -> dict[str, str]:
        return {resource: self.cleaned_data[f"scope_{resource}"] for resource in RESOURCES}

    def expires_at(self):
        """The end of the day chosen, in the portal's time zone."""
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.max.time()))

    def field_for_error(self, argument: str) -> str:
        return {"expires_at": "expires_on"}.get(argument, argument)
