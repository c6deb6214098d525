import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualifications.models import Competency, Indicator, Qualification

from .models import Assessment, Judgement, User
from .services import JudgementEntry
from .uploads import check_upload

PROVEN_CHOICES = [("yes", _("Proven")), ("no", _("Not proven"))]


class CrispyForm(forms.Form):
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class AccountForm(CrispyForm):
    submit_label = _("Create and send the invitation")
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    preferred_language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail address already exists."))
        return email


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} <{user.email}>"


def accounts_with_role(role: str):
    return User.objects.filter(role=role, is_active=True).order_by("last_name", "first_name")


class AssessorsForm(CrispyForm):
    first_assessor = AccountChoiceField(label=_("First assessor"), queryset=User.objects.none())
    second_assessor = AccountChoiceField(label=_("Second assessor"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_assessor", "second_assessor"):
            self.fields[name].queryset = accounts_with_role(User.Role.ASSESSOR)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first_assessor"), cleaned.get("second_assessor")
        if first and second and first == second:
            raise ValidationError(_("An assessment needs two different assessors."))
        return cleaned


class AssessmentForm(AssessorsForm):
    submit_label = _("Create the assessment")
    candidate = AccountChoiceField(label=_("Candidate"), queryset=User.objects.none())
    qualification = forms.ModelChoiceField(label=_("Qualification"), queryset=Qualification.objects.all())
    scheduled_at = forms.DateTimeField(
        label=_("Scheduled for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    field_order = ["candidate", "qualification", "first_assessor", "second_assessor", "scheduled_at", "location"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = accounts_with_role(User.Role.CANDIDATE)
        self.order_fields(self.field_order)


class PortfolioItemForm(CrispyForm):
    submit_label = _("Add to the portfolio")
    file = forms.FileField(
        allow_empty_file=True,  # refused by check_upload, with its own message
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, DOCX or ODT."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.odt"}),
    )
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies this file supports"), queryset=Competency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators (optional)"), queryset=Indicator.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = assessment.qualification.competencies.all()
        self.fields["indicators"].queryset = Indicator.objects.filter(
            competency__qualification=assessment.qualification
        ).select_related("competency")
        self.fields["competencies"].label_from_instance = lambda c: f"{c.order}. {c.text}"
        self.fields["indicators"].label_from_instance = lambda i: f"{i.competency.order}.{i.order} {i.text}"
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)  # a clear message beside the field; the service checks again
        return upload


FIELD_NAME = re.compile(r"^c(\d+)-")


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
            label=_("Judgement"), choices=PROVEN_CHOICES, required=False, widget=forms.RadioSelect,
            initial={True: "yes", False: "no"}.get(judgement.proven),
        )
        self.fields[f"{prefix}-justification"] = forms.CharField(
            label=_("Justification (required when not proven)"), required=False, max_length=5000,
            widget=forms.Textarea(attrs={"rows": 2}), initial=judgement.justification,
        )
        for indicator in judgement.competency.indicators.all():
            self.fields[f"{prefix}-note-{indicator.pk}"] = forms.CharField(
                label=indicator.text, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}), initial=notes.get(indicator.pk, ""),
            )
        self.fields[f"{prefix}-observation"] = forms.FileField(
            label=_("Observation file (optional)"), required=False, allow_empty_file=True,
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.odt"}),
        )

    def blocks(self):
        """(judgement, proven field, justification field, note fields, observation field) per competency."""
        for judgement in self.judgements:
            prefix = f"c{judgement.competency_id}"
            notes = [self[f"{prefix}-note-{i.pk}"] for i in judgement.competency.indicators.all()]
            yield judgement, self[f"{prefix}-proven"], self[f"{prefix}-justification"], notes, self[
                f"{prefix}-observation"
            ]

    def clean(self):
        cleaned = super().clean()
        known = {j.competency_id for j in self.judgements}
        named = {int(m.group(1)) for key in [*self.data, *self.files] if (m := FIELD_NAME.match(key))}
        if named - known:
            raise ValidationError(_("The score sheet names a competency that is not part of this qualification."))
        for judgement in self.judgements:
            upload = cleaned.get(f"c{judgement.competency_id}-observation")
            if upload:
                try:
                    check_upload(upload)
                except ValidationError as error:
                    self.add_error(f"c{judgement.competency_id}-observation", error)
        return cleaned

    def check_complete(self) -> bool:
        """Field errors for what a submission still lacks; True when complete."""
        for judgement in self.judgements:
            prefix = f"c{judgement.competency_id}"
            proven = self.cleaned_data.get(f"{prefix}-proven")
            if not proven:
                self.add_error(f"{prefix}-proven", _("Judge this competency before submitting."))
            elif proven == "no" and not self.cleaned_data.get(f"{prefix}-justification", "").strip():
                self.add_error(f"{prefix}-justification", _("A justification is required when not proven."))
        return not self.errors

    def entries(self) -> list[JudgementEntry]:
        entries = []
        for judgement in self.judgements:
            prefix = f"c{judgement.competency_id}"
            entries.append(JudgementEntry(
                competency_id=judgement.competency_id,
                proven={"yes": True, "no": False}.get(self.cleaned_data.get(f"{prefix}-proven")),
                justification=self.cleaned_data.get(f"{prefix}-justification", ""),
                notes={
                    i.pk: self.cleaned_data.get(f"{prefix}-note-{i.pk}", "")
                    for i in judgement.competency.indicators.all()
                },
                observation=self.cleaned_data.get(f"{prefix}-observation"),
            ))
        return entries


class RevisionForm(forms.Form):
    proven = forms.ChoiceField(label=_("My judgement"), choices=PROVEN_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason for the revision"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssessmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Assessment.Status.choices])
    assessor = AccountChoiceField(label=_("Assessor"), required=False, queryset=User.objects.none(),
                                  empty_label=_("All assessors"))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = accounts_with_role(User.Role.ASSESSOR)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("status", "assessor") else "form-control"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["assessor"]:
            queryset = queryset.filter(Q(first_assessor=data["assessor"]) | Q(second_assessor=data["assessor"]))
        if data["date_from"]:
            queryset = queryset.filter(scheduled_at__date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(scheduled_at__date__lte=data["date_to"])
        return queryset
