"""The procedure: assessments, portfolios, score sheets and reconciliation.

Personal data lives in: PortfolioItem and Observation (files and their names), Judgement /
IndicatorNote / JudgementRevision (assessors' notes about the candidate).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.storage import get_private_storage
from portal.text import refuse_control_characters
from qualifications.models import Competency, Indicator, Qualification

from .documents import documents


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def for_user(self, user) -> "AssessmentQuerySet":
        """What this user may see. Every view goes through here; anything else is a 404."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        if user.is_assessor:
            first, second = self.by_seat(user)
            return first | second
        if user.is_candidate:
            return self.filter(candidate=user)
        return self.none()

    def by_seat(self, assessor) -> tuple["AssessmentQuerySet", "AssessmentQuerySet"]:
        """An assessor's assessments as one queryset per seat (first, second): what ``for_user``
        lets them see, split so that each reads its seat's index in schedule order (the OR of
        the two has no index in that order, and the planner misjudges an OR repeated beside one
        of its terms). Read it only for an assessor ``for_user`` lets in."""
        return self.filter(first_assessor=assessor), self.filter(second_assessor=assessor)

    def with_people(self) -> "AssessmentQuerySet":
        return self.select_related("candidate", "qualification", "first_assessor", "second_assessor")

    def with_display_status(self) -> "AssessmentQuerySet":
        """Adds ``display_status``: the status a person should read, in the same query.

        A revocation is stored on the certificate only (``documents``); a certified assessment
        whose certificate was revoked reads "revoked" here, so that no page, filter or figure calls it certified.
        """
        # ``shown_status`` sets the same attribute on a row read alone: not a second definition.
        return self.annotate(  # type: ignore[no-redef]
            display_status=Case(
                # Looked up for each row read (a page's) by a scalar subquery: an ``EXISTS`` may be
                # planned as a hash of every revoked document, read again for each list.
                When(
                    status=Assessment.Status.CERTIFIED,
                    pk=Subquery(documents().revoked(of=OuterRef("pk"))[:1]),
                    then=Value(Assessment.DisplayStatus.REVOKED.value),
                ),
                default=F("status"),
                output_field=CharField(),
            )
        )


class AssessmentStatus(models.TextChoices):
    """``Assessment.Status``; defined out here so that the model's constraints can name ``OPEN``."""

    REGISTERED = "registered", _("Registered")
    SCORING = "scoring", _("Scoring")
    RECONCILIATION = "reconciliation", _("Reconciliation")
    CERTIFIED = "certified", _("Certified")
    NOT_CERTIFIED = "not_certified", _("Not certified")
    CANCELLED = "cancelled", _("Cancelled")


# Open: scheduled and neither decided nor cancelled. A candidate has at most one open assessment
# of a qualification (the constraint ``one_open_assessment_per_qualification``); the reports'
# workload counts these too.
OPEN_STATUSES = (AssessmentStatus.REGISTERED, AssessmentStatus.SCORING, AssessmentStatus.RECONCILIATION)


class Assessment(models.Model):
    Status = AssessmentStatus

    class DisplayStatus(models.TextChoices):
        """What people read: the status, with "revoked" for a certified one whose certificate was revoked."""

        REGISTERED = "registered", _("Registered")
        SCORING = "scoring", _("Scoring")
        RECONCILIATION = "reconciliation", _("Reconciliation")
        CERTIFIED = "certified", _("Certified")
        REVOKED = "revoked", _("Certificate revoked")
        NOT_CERTIFIED = "not_certified", _("Not certified")
        CANCELLED = "cancelled", _("Cancelled")

    # The only moves the procedure allows; ``services.lifecycle.assessment_move`` enforces them.
    TRANSITIONS: dict[str, set[str]] = {
        Status.REGISTERED: {Status.SCORING, Status.CANCELLED},
        Status.SCORING: {Status.RECONCILIATION, Status.CERTIFIED, Status.NOT_CERTIFIED},
        Status.RECONCILIATION: {Status.CERTIFIED, Status.NOT_CERTIFIED},
    }
    DECIDED = (Status.CERTIFIED, Status.NOT_CERTIFIED)
    OPEN = OPEN_STATUSES
    # Booked sessions: they take the assessors' time (overlap warnings, the day view).
    BOOKED = (Status.REGISTERED, Status.SCORING)
    # Until both sheets are in, neither assessor may see the other's judgements or evidence.
    BLIND = (Status.REGISTERED, Status.SCORING)

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("candidate")
    )
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, verbose_name=_("qualification"))
    first_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("first assessor")
    )
    second_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("second assessor")
    )
    scheduled_at = models.DateTimeField(_("scheduled for"))
    location = models.CharField(_("location"), max_length=200, blank=True, validators=[refuse_control_characters])
    # Set when scheduling (by default the qualification's maximum); empty on sessions scheduled
    # before it existed, which read the maximum.
    planned_minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A re-assessment (or the new assessment of an upheld objection) follows one decided
    # assessment of the same candidate and qualification; together they form a chain.
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("follows"),
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(condition=~Q(first_assessor=models.F("second_assessor")), name="assessors_distinct"),
            models.CheckConstraint(
                condition=~Q(first_assessor=models.F("candidate")) & ~Q(second_assessor=models.F("candidate")),
                name="assessor_is_not_candidate",
            ),
            # One valid result per candidate and qualification: the services refuse a second open
            # assessment (``lifecycle._check_one_result``); this holds it against a race.
            models.UniqueConstraint(
                fields=["candidate", "qualification"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_assessment_per_qualification",
                # The service's own refusal (``_check_one_result``), when the database is first to refuse.
                violation_error_code="assessment_open",
                violation_error_message=_("The candidate already has an open assessment of this qualification."),
            ),
        ]
        # The administrator's dashboard reads pages in (scheduled_at, id) order, filtered or not.
        indexes = [
            models.Index(fields=["scheduled_at", "id"], name="assessment_schedule_idx"),
            models.Index(fields=["status", "scheduled_at", "id"], name="assessment_status_schedule_idx"),
            models.Index(Upper("location"), "scheduled_at", name="assessment_location_idx"),
            # An assessor's assessments, in either seat (overlap warnings, workload).
            models.Index(fields=["first_assessor", "status"], name="assessment_first_load_idx"),
            models.Index(fields=["second_assessor", "status"], name="assessment_second_load_idx"),
            # ... and in schedule order, one seat each (their dashboard, merged by ``Keyset``).
            models.Index(fields=["first_assessor", "scheduled_at", "id"], name="assessment_first_schedule_idx"),
            models.Index(fields=["second_assessor", "scheduled_at", "id"], name="assessment_second_schedule_idx"),
        ]

    def __str__(self) -> str:
        return _("%(qualification)s assessment of %(candidate)s") % {
            "qualification": self.qualification.code,
            "candidate": self.candidate,
        }

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    @property
    def audit_label(self) -> str:
        return f"{self.qualification.code} {self.candidate.full_name or self.candidate.email}"

    @property
    def assessor_ids(self) -> tuple[int, int]:
        return (self.first_assessor_id, self.second_assessor_id)

    def is_assessor(self, user) -> bool:
        return user.pk in self.assessor_ids

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def shown_status(self) -> str:
        """The display status (see ``with_display_status``); read from the database when not annotated."""
        if not hasattr(self, "display_status"):
            if self.status != self.Status.CERTIFIED:
                return self.status
            self.display_status = (
                Assessment.objects.with_display_status()
                .values_list("display_status", flat=True)  # type: ignore[misc]  # an annotation, not a field
                .get(pk=self.pk)
            )
        return self.display_status

    def get_shown_status_display(self) -> str:
        return str(self.DisplayStatus(self.shown_status).label)

    @property
    def start_opens_at(self):
        """The earliest moment the start may be recorded (``ASSESSMENT_START_EARLIEST_MINUTES`` before)."""
        return self.scheduled_at - timedelta(minutes=settings.ASSESSMENT_START_EARLIEST_MINUTES)

    @property
    def planned_duration(self) -> timedelta:
        if self.planned_minutes is None:
            return timedelta(hours=self.qualification.max_assessment_hours)
        return timedelta(minutes=self.planned_minutes)

    @property
    def planned_end(self):
        """When the session is planned to end: the scheduled time plus its planned duration."""
        return self.scheduled_at + self.planned_duration

    @property
    def calendar_end(self):
        """The end a calendar shows: the real end once recorded, the planned end until then."""
        return self.ended_at or self.planned_end

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED

    @property
    def is_blind(self) -> bool:
        """True while scoring is blind: the assessors see only their own sheet (rule 3)."""
        return self.status in self.BLIND

    def chain(self) -> list["Assessment"]:
        """This assessment and the ones it follows, the first first (one query per link)."""
        chain = [self]
        while chain[0].previous_id is not None:
            chain.insert(0, Assessment.objects.select_related("previous").get(pk=chain[0].previous_id))
        return chain

    def has_open_objection(self) -> bool:
        return Objection.objects.filter(assessment=self, status=Objection.Status.OPEN).exists()

    @property
    def portfolio_open(self) -> bool:
        return self.status == self.Status.REGISTERED

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.ended_at or timezone.now()) - self.started_at

    @property
    def ran_over(self) -> bool:
        """True when the assessment lasted (or has lasted so far) longer than the qualification allows."""
        duration = self.duration
        return duration is not None and duration > timedelta(hours=self.qualification.max_assessment_hours)


# Random storage names: nothing a user typed ends up in a path on disk.
def portfolio_upload_to(instance, filename: str) -> str:
    return f"portfolio/{uuid.uuid4().hex}"


def observation_upload_to(instance, filename: str) -> str:
    return f"observations/{uuid.uuid4().hex}"


class PrivateFile(models.Model):
    """An uploaded file, validated by content, kept outside any public URL."""

    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


class PortfolioItem(PrivateFile):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="portfolio_items")
    file = models.FileField(upload_to=portfolio_upload_to, storage=get_private_storage, max_length=200)
    description = models.TextField(_("description"), max_length=2000)
    competencies = models.ManyToManyField(Competency, related_name="+", verbose_name=_("competencies"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("indicators"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("portfolio item")
        verbose_name_plural = _("portfolio items")

    def __str__(self) -> str:
        return self.original_name


class ScoreSheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="score_sheets")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "assessor"], name="one_sheet_per_assessor"),
        ]

    def __str__(self) -> str:
        return _("Score sheet of %(assessor)s") % {"assessor": self.assessor}

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Judgement(models.Model):
    """One assessor's judgement of one competency; after reconciliation, their final one."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="judgements")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    proven = models.BooleanField(_("proven"), null=True)
    justification = models.TextField(_("justification"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sheet", "competency__order"]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "competency"], name="one_judgement_per_competency"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code}: {self.proven}"


class IndicatorNote(models.Model):
    """An assessor's note on one indicator of a competency they judged."""

    judgement = models.ForeignKey(Judgement, on_delete=models.PROTECT, related_name="notes")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), max_length=2000)

    class Meta:
        ordering = ["judgement", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["judgement", "indicator"], name="one_note_per_indicator"),
        ]

    def __str__(self) -> str:
        return self.note[:50]


class Observation(PrivateFile):
    """The assessor's own evidence from the assessment for one competency (a photo, a scan)."""

    judgement = models.ForeignKey(Judgement, on_delete=models.PROTECT, related_name="observations")
    file = models.FileField(upload_to=observation_upload_to, storage=get_private_storage, max_length=200)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return self.original_name


class CarriedOver(models.Model):
    """A competency proven in an earlier assessment of the chain: not judged again here."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="carried_over")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    proven_in = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", verbose_name=_("proven in"))

    class Meta:
        ordering = ["assessment", "competency__order"]
        verbose_name = _("carried-over competency")
        verbose_name_plural = _("carried-over competencies")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="carried_over_once"),
        ]

    def __str__(self) -> str:
        return self.competency.code


class JudgementRevision(models.Model):
    """An assessor changing their own judgement during reconciliation, with the reason."""

    judgement = models.ForeignKey(Judgement, on_delete=models.PROTECT, related_name="revisions")
    proven_before = models.BooleanField(_("proven before"))
    proven_after = models.BooleanField(_("proven after"))
    reason = models.TextField(_("reason"), max_length=5000)
    # A judgement revised to proven drops its justification; the history keeps what it said.
    justification_before = models.TextField(_("justification before"), blank=True)
    created_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.proven_before} → {self.proven_after}"


class Objection(models.Model):
    """The candidate's objection (bezwaar) against a decision, and the administrator's outcome.

    Personal data: the reasons, which may say anything about the candidate.
    """

    class Status(models.TextChoices):
        # Not the button's "Open": a status, which French and Dutch word differently.
        OPEN = "open", pgettext_lazy("objection status", "Open")
        REJECTED = "rejected", _("Rejected")
        UPHELD = "upheld", _("Upheld")

    # One objection per decision: a second one is refused by the service and by this column.
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="objection")
    competencies = models.ManyToManyField(Competency, related_name="+", verbose_name=_("disputed competencies"))
    reason = models.TextField(_("reason"), max_length=5000)
    lodged_at = models.DateTimeField(_("lodged at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome_reason = models.TextField(_("reason for the outcome"), max_length=5000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # An upheld objection schedules a new assessment of the disputed competencies.
    new_assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objection_origin",
        verbose_name=_("new assessment"),
    )

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        # The dashboard's filter by status reads the few objections of one status first.
        indexes = [models.Index(fields=["status"], name="objection_status")]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return _("Objection against %(assessment)s") % {"assessment": self.assessment}

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
