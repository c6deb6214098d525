from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.forms import CrispyForm, SpreadsheetImportForm, filter_helper

from . import sign_in
from .models import User, normalise_email


class AccountForm(CrispyForm):
    submit_label = _("Create and send the invitation")
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    preferred_language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class AccountCorrectionForm(CrispyForm):
    """What an administrator may correct on a person's page; the service checks it as for a new account."""

    submit_label = _("Save the corrections")
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the portal after they sign in and of the e-mails they receive."),
    )


class AccountPickerInput(forms.TextInput):
    """A text input for an e-mail address. ``static/js/account-picker.js`` suggests matching
    people from the server as one types (a native datalist: keyboard and screen reader friendly);
    without JavaScript one types the address."""

    template_name = "accounts/widgets/account_picker.html"

    def __init__(self, role: str, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.role = role

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["datalist_id"] = f"{widget['attrs'].get('id') or name}-suggestions"
        widget["attrs"].update(
            {
                "list": widget["datalist_id"],
                "data-account-picker": self.role,
                "data-search-url": reverse("account_search"),
            }
        )
        return context

    def format_value(self, value):
        if isinstance(value, User):
            return value.email
        if isinstance(value, int):  # the initial value of a bound model field
            return User.objects.filter(pk=value).values_list("email", flat=True).first()
        return super().format_value(value)


class AccountField(forms.CharField):
    """An account named by its e-mail address (``Name <address>`` is accepted too).

    It only finds the account; whether it may take the part (its role, being active) is the
    service's rule.
    """

    default_error_messages = {"unknown": _("No account has this e-mail address.")}

    def __init__(self, *, role: str, **kwargs):
        kwargs.setdefault("widget", AccountPickerInput(role))
        kwargs.setdefault("help_text", _("Type a name or an e-mail address and choose the person."))
        super().__init__(**kwargs)
        self.widget.attrs["maxlength"] = "320"

    def prepare_value(self, value):
        return value.email if isinstance(value, User) else value

    # An import's row form sets it: the accounts its chunk of rows names, by folded address.
    known: dict[str, User] | None = None

    @staticmethod
    def address(text: str) -> str:
        text = text.strip()
        return text.rsplit("<", 1)[1][:-1] if "<" in text and text.endswith(">") else text

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        if len(text) > 320:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if self.known is not None:
            user = self.known.get(normalise_email(self.address(text)))
        else:
            user = User.objects.by_email(self.address(text)).first()
        if user is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return user


class AccountsLookedUpTogether(forms.Form):
    """For the row form of an import: the accounts its ``AccountField``s name are looked up for a
    chunk of rows with one query (``lookups``), not one query per row and field."""

    def __init__(self, *args, known_accounts: dict[str, User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AccountField):
                field.known = known_accounts

    @classmethod
    def lookups(cls, records: list[dict[str, str]]) -> dict:
        names = [name for name, field in cls.base_fields.items() if isinstance(field, AccountField)]
        addresses = [AccountField.address(record.get(name) or "")[:320] for record in records for name in names]
        accounts = User.objects.by_emails(addresses)
        return {"known_accounts": {account.email.lower(): account for account in accounts}}


class OneAttemptAtATime:
    """For sign-in forms: the axes lock is read and a failure counted with the account held."""

    def clean(self):
        return sign_in.one_attempt_at_a_time(self.request, self.cleaned_data.get("username") or "", super().clean)


class SignInForm(OneAttemptAtATime, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's own Dutch for this message is ungrammatical ("een juiste e-mailadres").
        "invalid_login": _("The e-mail address and password do not match an active account. Check both and try again."),
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
        return sign_in.one_attempt_at_a_time(self.request, self.user.email, self._check_old_password)

    def _check_old_password(self):
        if sign_in.is_locked_out(self.request, self.user.email):
            raise ValidationError(sign_in.lockout_message(), code="locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            sign_in.count_failure(self.request, self.user.email)
            raise


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The address only: the view queues the e-mail through ``services.password_reset_request``
    (sent by the worker), never Django's ``save``, which would talk to the mail server in the
    request."""


class ProfileForm(CrispyForm):
    submit_label = _("Save")
    errors_by_argument = {"language": "preferred_language"}
    preferred_language = forms.ChoiceField(
        label=_("My language"),
        choices=settings.LANGUAGES,
        help_text=_("The portal speaks this language after you sign in."),
    )

    def field_for_error(self, argument: str) -> str:
        return self.errors_by_argument.get(argument, argument)


class PeopleFilterForm(forms.Form):
    search = forms.CharField(label=_("Name or e-mail address"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[
            ("", _("Candidates and assessors")),
            (User.Role.CANDIDATE, _("Candidates")),
            (User.Role.ASSESSOR, _("Assessors")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = filter_helper(self, _("Search people"), "people")

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class CandidateRowForm(forms.Form):
    """One row of a candidates spreadsheet (columns: first_name, last_name, email, language)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES, required=False)

    def clean(self):
        cleaned = super().clean()
        cleaned["preferred_language"] = cleaned.pop("language", "") or "nl"
        return cleaned


class CandidatesImportForm(SpreadsheetImportForm):
    columns = ["first_name", "last_name", "email"]
    row_form = CandidateRowForm
