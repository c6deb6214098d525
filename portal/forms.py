"""Form plumbing shared by the apps: crispy rendering, and service errors shown on the form."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _


class CrispyForm(forms.Form):
    """A form crispy renders whole, with one submit button."""

    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: beside the field it names, otherwise at the top.

    Services name the argument an error is about; a form whose field names differ maps them with
    ``field_for_error(name)``.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    field_for = getattr(form, "field_for_error", lambda name: name)
    for name, errors in error.error_dict.items():
        field = None if name == NON_FIELD_ERRORS else field_for(name)
        form.add_error(field if field in form.fields else None, ValidationError(errors).messages)
