"""Forms parse what people typed; the rules are checked by the services."""

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.api import AccountField, AccountsLookedUpTogether
from accounts.models import User
from portal.forms import CrispyForm, SpreadsheetImportForm, filter_helper
from portal.ids import IdChoiceField, IdMultipleChoiceField
from qualifications.models import Competency, Indicator, Qualification

from .kept_uploads import KeptUpload
from .models import Assessment, Judgement, Objection
from .selectors import ANY_OBJECTION
from .services import JudgementEntry

PROVEN_CHOICES = [("yes", _("Proven")), ("no", _("Not proven"))]
PROVEN_VALUES: dict[str | None, bool] = {"yes": True, "no": False}
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.odt"


class AssessorsForm(CrispyForm):
    # Pickers that search as one types, never a list of every account (a centre has thousands).
    first_assessor = AccountField(label=_("First assessor"), role=User.Role.ASSESSOR)
    second_assessor = AccountField(label=_("Second assessor"), role=User.Role.ASSESSOR)


class AssessmentForm(AssessorsForm):
    submit_label = _("Create the assessment")
    candidate = AccountField(label=_("Candidate"), role=User.Role.CANDIDATE)
    qualification = IdChoiceField(label=_("Qualification"), queryset=Qualification.objects.all())
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    # Empty: the qualification's maximum (the service sets and checks it).
    planned_minutes = forms.IntegerField(
        label=_("Planned duration (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Leave empty for the qualification's maximum duration."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    field_order = [
        "candidate",
        "qualification",
        "first_assessor",
        "second_assessor",
        "scheduled_at",
        "planned_minutes",
        "location",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class RescheduleForm(CrispyForm):
    submit_label = _("Reschedule")
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    # Not required here: the service asks for the reason, in one place.
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(CrispyForm):
    submit_label = _("Cancel the assessment")
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cancel")  # shown beside the reschedule form, which has a reason too
        super().__init__(*args, **kwargs)
        self.helper.form_id = "cancel-form"
        self.helper.form_action = "?cancel=1"
        self.helper.attrs = {
            "data-confirm": _("Cancel this assessment? It cannot be reopened; schedule a new one if needed."),
            "data-confirm-yes": _("Cancel the assessment"),
            "data-confirm-no": _("Keep the assessment"),
        }
        self.helper.inputs[0].field_classes = "btn btn-outline-danger"


class DayForm(forms.Form):
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label=_("Location"), required=False, max_length=200)


class IndicatorsByCompetency(forms.models.ModelChoiceIterator):
    """The indicators as one group of options per competency, in the order of the standard."""

    def __iter__(self):
        groups: dict = {}
        for indicator in self.queryset:
            groups.setdefault(indicator.competency, []).append(self.choice(indicator))
        for competency, choices in groups.items():
            yield f"{competency.order}. {competency.text}", choices


class IndicatorChoiceField(IdMultipleChoiceField):
    iterator = IndicatorsByCompetency


class PortfolioItemForm(CrispyForm):
    submit_label = _("Add to the portfolio")
    keep_file = forms.BooleanField(required=False, initial=True)
    file = forms.FileField(
        allow_empty_file=True,  # refused by the service's content check, with its own message
        required=False,  # a file kept from an earlier attempt may stand in for it (see clean)
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, DOCX or ODT."),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    competencies = IdMultipleChoiceField(
        label=_("Competencies this file supports"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = IndicatorChoiceField(
        label=_("Indicators (optional)"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The service names its arguments; the form's file field is called "file".
    errors_by_argument = {"upload": "file"}

    def __init__(self, *args, assessment: Assessment, kept: KeptUpload | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        competencies = cast(IdMultipleChoiceField, self.fields["competencies"])
        indicators = cast(IdMultipleChoiceField, self.fields["indicators"])
        competencies.queryset = assessment.qualification.competencies.all()
        indicators.queryset = (
            Indicator.objects.filter(competency__qualification=assessment.qualification)
            .select_related("competency")
            .order_by("competency__order", "order")
        )
        competencies.label_from_instance = lambda c: f"{c.order}. {c.text}"  # type: ignore[assignment]
        indicators.label_from_instance = lambda i: f"{i.competency.order}.{i.order} {i.text}"  # type: ignore[assignment]
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self._offer(kept)

    def offer_kept(self, kept: KeptUpload | None) -> None:
        """After an error: offer the file kept from this attempt, ticked, as on a fresh form."""
        self._offer(kept)
        if kept is not None:
            data = cast(QueryDict, self.data).copy()
            data[self.add_prefix("keep_file")] = "on"
            self.data = data

    def _offer(self, kept: KeptUpload | None) -> None:
        self.kept = kept
        if kept is None:
            self.fields.pop("keep_file", None)
            return
        if "keep_file" not in self.fields:
            self.fields["keep_file"] = forms.BooleanField(required=False, initial=True)
            self.order_fields(["keep_file"])
        self.fields["keep_file"].label = _("Keep the file you chose: %(name)s") % {"name": kept.name}
        self.fields["file"].label = _("Or choose another file")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not self.uses_kept_file() and "file" not in self.errors:
            self.add_error("file", self.fields["file"].error_messages["required"])
        return cleaned

    def uses_kept_file(self) -> bool:
        return self.kept is not None and not self.cleaned_data.get("file") and bool(self.cleaned_data.get("keep_file"))

    def field_for_error(self, argument: str) -> str:
        return self.errors_by_argument.get(argument, argument)


FIELD_NAME = re.compile(r"^c(\d+)-(proven|justification|observation|note-\d+)$")


class ScoreSheetForm(forms.Form):
    """One block of fields per competency: judgement, justification, a note per indicator, evidence."""

    def __init__(self, *args, judgements: list[Judgement], **kwargs):
        super().__init__(*args, **kwargs)
        self.judgements = judgements
        for judgement in judgements:
            self._add_fields(judgement)

    def _add_fields(self, judgement: Judgement) -> None:
        prefix = f"c{judgement.competency_id}"
        notes = {note.indicator_id: note.note for note in judgement.notes.all()}
        self.fields[f"{prefix}-proven"] = forms.ChoiceField(
            label=_("Judgement"),
            choices=PROVEN_CHOICES,
            required=False,
            widget=forms.RadioSelect,
            initial=None if judgement.proven is None else "yes" if judgement.proven else "no",
        )
        self.fields[f"{prefix}-justification"] = forms.CharField(
            label=_("Justification (required when not proven)"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 2}),
            initial=judgement.justification,
        )
        for indicator in judgement.competency.indicators.all():
            self.fields[f"{prefix}-note-{indicator.pk}"] = forms.CharField(
                # Numbered as on the standard and the portfolio links (2.3), so notes are told apart.
                label=f"{judgement.competency.order}.{indicator.order} {indicator.text}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
                initial=notes.get(indicator.pk, ""),
            )
        self.fields[f"{prefix}-observation"] = forms.FileField(
            label=_("Observation file (optional)"),
            required=False,
            allow_empty_file=True,
            widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        )

    def blocks(self):
        """(judgement, proven field, justification field, note fields, observation field) per competency."""
        for judgement in self.judgements:
            prefix = f"c{judgement.competency_id}"
            notes = [self[f"{prefix}-note-{i.pk}"] for i in judgement.competency.indicators.all()]
            yield (
                judgement,
                self[f"{prefix}-proven"],
                self[f"{prefix}-justification"],
                notes,
                self[f"{prefix}-observation"],
            )

    def judgements_with_errors(self) -> list[Judgement]:
        """The competencies with an error in their block, for the summary above the sheet."""
        return [
            judgement
            for judgement in self.judgements
            if any(name.startswith(f"c{judgement.competency_id}-") for name in self.errors)
        ]

    def field_for_error(self, key: str) -> str:
        """The service names an entry's errors ``"<competency id>.<field>"``."""
        competency_id, _dot, name = key.partition(".")
        return f"c{competency_id}-{name}"

    def entries(self) -> list[JudgementEntry]:
        entries = []
        for judgement in self.judgements:
            prefix = f"c{judgement.competency_id}"
            entries.append(
                JudgementEntry(
                    competency_id=judgement.competency_id,
                    proven=PROVEN_VALUES.get(self.cleaned_data.get(f"{prefix}-proven")),
                    justification=self.cleaned_data.get(f"{prefix}-justification", ""),
                    notes={
                        i.pk: self.cleaned_data.get(f"{prefix}-note-{i.pk}", "")
                        for i in judgement.competency.indicators.all()
                    },
                    observation=self.cleaned_data.get(f"{prefix}-observation"),
                )
            )
        return entries + self._entries_for_other_competencies()

    def _entries_for_other_competencies(self) -> list[JudgementEntry]:
        """Fields posted for a competency not on this sheet are passed on, for the service to refuse."""
        known = {j.competency_id for j in self.judgements}
        named = {int(m.group(1)) for key in [*self.data, *self.files] if (m := FIELD_NAME.match(key))}
        return [
            JudgementEntry(
                competency_id=competency_id, proven=PROVEN_VALUES.get(self.data.get(f"c{competency_id}-proven"))
            )
            for competency_id in sorted(named - known)
        ]


class RevisionForm(forms.Form):
    proven = forms.ChoiceField(
        label=_("My judgement"),
        choices=PROVEN_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your judgement.")},
    )
    # Not required here: the service asks for the reason, in one place.
    reason = forms.CharField(
        label=_("Reason for the revision"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def proven_value(self) -> bool:
        return PROVEN_VALUES[self.cleaned_data["proven"]]


class AssessmentFilterForm(forms.Form):
    search = forms.CharField(label=_("Name, e-mail or number of a proof"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *Assessment.DisplayStatus.choices,
        ],
    )
    objection = forms.ChoiceField(
        label=_("Objection"),
        required=False,
        choices=[
            ("", _("With or without")),
            (ANY_OBJECTION, _("Any objection")),
            (Objection.Status.OPEN, _("Objection open")),
            (Objection.Status.UPHELD, _("Objection upheld")),
            (Objection.Status.REJECTED, _("Objection rejected")),
        ],
    )
    assessor = AccountField(label=_("Assessor"), role=User.Role.ASSESSOR, required=False, help_text="")
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label=_("Location"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = filter_helper(self, _("Filter the assessments"), "assessments:dashboard")

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of ``selectors.assessment_list``; none when invalid."""
        return self.cleaned_data if self.is_valid() else {}


class QualificationByCode(forms.ModelChoiceField):
    """A qualification named by its code; in an import, among those its chunk of rows names."""

    known: dict[str, Qualification] | None = None

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        if str(value) not in self.known:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return self.known[str(value)]


class AssessmentRowForm(AccountsLookedUpTogether):
    """One row of a spreadsheet of assessments: people by e-mail address, the qualification by code."""

    candidate = AccountField(label=_("Candidate"), role=User.Role.CANDIDATE)
    qualification = QualificationByCode(
        label=_("Qualification"), queryset=Qualification.objects.all(), to_field_name="code"
    )
    first_assessor = AccountField(label=_("First assessor"), role=User.Role.ASSESSOR)
    second_assessor = AccountField(label=_("Second assessor"), role=User.Role.ASSESSOR)
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"),
        input_formats=[
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%d/%m/%Y %H:%M",
        ],
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, known_qualifications: dict[str, Qualification] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(QualificationByCode, self.fields["qualification"]).known = known_qualifications

    @classmethod
    def lookups(cls, records: list[dict[str, str]]) -> dict:
        codes = {record.get("qualification") or "" for record in records}
        qualifications = Qualification.objects.filter(code__in=codes)
        return {**super().lookups(records), "known_qualifications": {q.code: q for q in qualifications}}


class AssessmentsImportForm(SpreadsheetImportForm):
    columns = ["candidate", "qualification", "first_assessor", "second_assessor", "scheduled_at"]
    row_form = AssessmentRowForm


class FollowUpForm(AssessorsForm):
    """The next assessment of a chain: two assessors, a date and a place."""

    submit_label = _("Schedule the assessment")
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


class ObjectionForm(CrispyForm):
    submit_label = _("Lodge the objection")
    competencies = IdMultipleChoiceField(
        label=_("Competencies whose decision you dispute"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Not required here: the service asks for the reason, in one place.
    reason = forms.CharField(
        label=_("Reason for the objection"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, disputable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = disputable
        self.fields["competencies"].label_from_instance = lambda c: f"{c.order}. {c.text}"


OUTCOME_CHOICES = [
    ("rejected", _("Rejected: the decision stands")),
    ("upheld", _("Upheld: a new assessment of the disputed competencies")),
]


class ObjectionOutcomeForm(FollowUpForm):
    submit_label = _("Record the outcome")
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    outcome_reason = forms.CharField(
        label=_("Reason for the outcome"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["outcome", "outcome_reason", "first_assessor", "second_assessor", "scheduled_at", "location"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The new assessment's fields matter only when upheld; the service asks for them then.
        for name in ("first_assessor", "second_assessor", "scheduled_at"):
            self.fields[name].required = False
        self.order_fields(self.field_order)

    def field_for_error(self, argument: str) -> str:
        return {"reason": "outcome_reason"}.get(argument, argument)

    def decision(self) -> dict:
        data = self.cleaned_data
        return {
            "upheld": data["outcome"] == "upheld",
            "reason": data["outcome_reason"],
            "first_assessor": data["first_assessor"],
            "second_assessor": data["second_assessor"],
            "scheduled_at": data["scheduled_at"],
            "location": data["location"],
        }
