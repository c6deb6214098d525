from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import CrispyForm
from portal.ids import IdChoiceField

from . import throttling
from .models import User


class AccountForm(CrispyForm):
    submit_label = _("Create and send the invitation")
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    preferred_language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class AccountChoiceField(IdChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.full_name} <{user.email}>"


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own Dutch for this message is ungrammatical ("een juiste e-mailadres").
        "invalid_login": _(
            "The e-mail address and password do not match an active account. Check both and try again."
        ),
        "locked": _("Too many failed attempts. Wait %(minutes)s minutes and try again."),
    }

    def clean(self):
        # Addresses are stored in lower case; people type them in any case.
        email = self.cleaned_data["username"] = (self.cleaned_data.get("username") or "").strip().lower()
        address = throttling.client_address(self.request) if self.request else ""
        if throttling.is_locked(email, address):
            raise ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": max(settings.LOGIN_LOCKOUT_SECONDS // 60, 1)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttling.record_failure(email, address)
            raise
        throttling.record_success(email, address)
        return cleaned


class ProfileForm(CrispyForm):
    submit_label = _("Save")
    errors_by_argument = {"language": "preferred_language"}
    preferred_language = forms.ChoiceField(label=_("My language"), choices=settings.LANGUAGES,
                                           help_text=_("The portal speaks this language after you sign in."))

    def field_for_error(self, argument: str) -> str:
        return self.errors_by_argument.get(argument, argument)
