from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    # Not required here: the revocation service asks for the reason, in one place.
    reason = forms.CharField(
        label=_("Reason for revocation"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RerenderForm(forms.Form):
    first_language = forms.ChoiceField(label=_("First language"), choices=settings.LANGUAGES)
    second_language = forms.ChoiceField(label=_("Second language"), choices=settings.LANGUAGES)

    def languages(self) -> tuple[str, str]:
        return self.cleaned_data["first_language"], self.cleaned_data["second_language"]


class VerifyNumberForm(forms.Form):
    """A document checked by its number and its verification code, as printed on the proof."""

    number = forms.CharField(label=_("Number of the proof"), max_length=40)
    code = forms.CharField(label=_("Verification code"), max_length=40)
