from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import CrispyForm

from .models import Event


class EndpointForm(CrispyForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The receiver's address. Each message is a signed POST (Standard Webhooks)."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple)


class EndpointChangeForm(EndpointForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A disabled endpoint receives nothing; queued messages are not sent."),
    )
