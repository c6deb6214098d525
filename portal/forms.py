"""Form plumbing shared by the apps: crispy rendering, and service errors shown on the form."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .imports import ImportRow, read_table
from .scanning import scan_upload

# Rows whose people (or other records) are looked up with one query.
LOOKUP_CHUNK = 1000


class RequiredFieldsNote:
    """``has_required_fields``: whether the form says what the asterisk beside a label means."""

    fields: dict[str, forms.Field]

    @property
    def has_required_fields(self) -> bool:
        return any(field.required for field in self.fields.values())


class CrispyForm(RequiredFieldsNote, forms.Form):
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


def filter_helper(form: forms.Form, label: str, clear_url_name: str) -> FormHelper:
    """The layout of a list's search and filter form: a GET form, fields in a row, and a link
    that clears them."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_class = "mb-3"
    helper.attrs = {"aria-label": label, "role": "search"}
    # Up to four filters share a row on a wide screen; more wrap four to a row, so that no
    # choice is cut short ("Alle statu…").
    wide = "col-lg" if len(form.fields) <= 4 else "col-lg-3"
    helper.layout = Layout(
        Row(*(Column(name, css_class=f"col-sm-6 {wide}") for name in form.fields)),
        Div(
            StrictButton(_("Search"), type="submit", css_class="btn-outline-primary"),
            # Lazy: put together when the page is rendered, in the reader's language (an f-string
            # put it together once, in whatever language was active when the module was imported).
            HTML(
                format_lazy(
                    '<a class="btn btn-link" href="{{% url \'{}\' %}}">{}</a>', clear_url_name, _("Clear the filters")
                )
            ),
        ),
    )
    return helper


class SpreadsheetImportForm(RequiredFieldsNote, forms.Form):
    """A .csv or .xlsx file whose rows are each parsed by ``row_form``; ``rows`` are the result,
    each with the problems its form found (its service adds its own).

    Validating the form reads the file (``table``, checked for size); the rows are parsed when
    asked for, in the request for a short file and in the worker for a long one. A row form may
    look up what its rows name in bulk: ``row_form.lookups(records)`` (one query per chunk of
    rows, not one per row) returns keyword arguments for each row's form."""

    columns: list[str] = []
    row_form: type[forms.Form]
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"})
    )

    def __init__(self, *args, actor, kept: File | None = None, **kwargs):
        """``actor``: who imports; ``kept``: the file checked earlier in this session, used when no
        other file is chosen."""
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.kept = kept
        if kept is not None:
            self.fields["file"].required = False
            self.fields["file"].label = _("Or choose another file (.csv or .xlsx)")

    def clean_file(self):
        upload = self.cleaned_data["file"] or self.kept
        scan_upload(upload, actor=self.actor, subject=None, kind="import")
        self.table = read_table(upload, self.columns)
        return upload

    @cached_property
    def rows(self) -> list[ImportRow]:
        return self.parse(self.table)

    @classmethod
    def parse(cls, table: list[dict[str, str]]) -> list[ImportRow]:
        """Every record of the table parsed by the row form; row 1 is the header."""
        rows = []
        for start in range(0, len(table), LOOKUP_CHUNK):
            chunk = table[start : start + LOOKUP_CHUNK]
            lookups = cls.row_form.lookups(chunk) if hasattr(cls.row_form, "lookups") else {}
            rows += [cls._parse(start + offset + 2, values, lookups) for offset, values in enumerate(chunk)]
        return rows

    @classmethod
    def _parse(cls, number: int, values: dict, lookups: dict) -> ImportRow:
        form = cls.row_form(data=values, **lookups)
        if form.is_valid():
            return ImportRow(number=number, values=form.cleaned_data)
        # Named by the field's label, in the reader's language, not by the column's code.
        problems = [
            f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
            for name, messages in form.errors.items()
            for message in messages
        ]
        return ImportRow(number=number, values={}, problems=problems)
