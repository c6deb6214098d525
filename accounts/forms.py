from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.forms import CrispyForm
from portal.ids import IdChoiceField

from . import sign_in
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


class OneAttemptAtATime:
    """For sign-in forms: the axes lock is read and a failure counted with the account held."""

    def clean(self):
        return sign_in.one_attempt_at_a_time(self.cleaned_data.get("username") or "", super().clean)


class SignInForm(OneAttemptAtATime, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own Dutch for this message is ungrammatical ("een juiste e-mailadres").
        "invalid_login": _(
            "The e-mail address and password do not match an active account. Check both and try again."
        ),
    }


class AdminSignInForm(OneAttemptAtATime, AdminAuthenticationForm):
    pass


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Wrong old passwords count like failed sign-ins of the account from this address, and a
    locked account and address cannot keep guessing here either."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        return sign_in.one_attempt_at_a_time(self.user.email, self._check_old_password)

    def _check_old_password(self):
        if sign_in.is_locked_out(self.request, self.user.email):
            raise ValidationError(lockout_message(), code="locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            sign_in.count_failure(self.request, self.user.email)
            raise


class ProfileForm(CrispyForm):
    submit_label = _("Save")
    errors_by_argument = {"language": "preferred_language"}
    preferred_language = forms.ChoiceField(label=_("My language"), choices=settings.LANGUAGES,
                                           help_text=_("The portal speaks this language after you sign in."))

    def field_for_error(self, argument: str) -> str:
        return self.errors_by_argument.get(argument, argument)


def lockout_message() -> str:
    minutes = max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)
    return gettext("Too many failed attempts. Wait %(minutes)s minutes and try again.") % {"minutes": minutes}
