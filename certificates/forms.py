from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RerenderForm(forms.Form):
    first_language = forms.ChoiceField(label=_("First language"), choices=settings.LANGUAGES)
    second_language = forms.ChoiceField(label=_("Second language"), choices=settings.LANGUAGES)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first_language") and cleaned.get("first_language") == cleaned.get("second_language"):
            raise ValidationError(_("Choose two different languages."))
        return cleaned

    def languages(self) -> tuple[str, str]:
        return self.cleaned_data["first_language"], self.cleaned_data["second_language"]
