"""The reports' counters (decision 0024) and what their one writer needs to keep them.

``reports.services`` alone writes these tables: the refresh adds what changed since its last run,
the rebuild counts everything again. The procedure's services know nothing of them. The reports
page reads the counters: a few rows, whatever the number of assessments.
"""

from django.conf import settings
from django.db import models

from assessments.models import Assessment
from qualifications.models import Competency, Qualification


class ReportState(models.Model):
    """One row: how far the counters go, and the lock that lets one writer run at a time.

    ``watermark``: every audit entry up to this id is counted; a refresh reads the entries after
    it. ``pending_watermark``: the highest id read by a refresh at ``pending_since``; the
    watermark moves there once no transaction that was running then can still be writing
    (``services._refresh``). ``refreshed_at``: the figures say what the data said then.
    ``built_at``: the last full count; empty until the first, which the first refresh then makes.
    """

    watermark = models.BigIntegerField(default=0)
    pending_watermark = models.BigIntegerField(default=0)
    pending_since = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reports as of {self.refreshed_at}"


class RefreshRequest(models.Model):
    """An administrator asked for fresh figures; the refresh that follows removes it. A row of its
    own, so that asking never waits for a running refresh or rebuild to let go of the state."""

    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"refresh asked for at {self.requested_at}"


class CountedAssessment(models.Model):
    """What one assessment adds to the counters, as last counted (``counting.Facts``).

    The refresh subtracts this and adds what the assessment adds now; the counters are always the
    sum of these rows. Ids without constraints: the rows are rewritten in bulk by the rebuild.
    """

    assessment = models.OneToOneField(
        Assessment, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=20)  # the display status
    objection = models.CharField(max_length=10, blank=True)
    qualification = models.ForeignKey(
        Qualification, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    first_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    second_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    hours = models.IntegerField(null=True)
    month = models.DateField(null=True)
    outcome = models.CharField(max_length=20, blank=True)
    # [[competency, proven], ...] and [[competency, first's initial, second's initial], ...]
    judged = models.JSONField(default=list)
    paired = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"assessment {self.assessment_id}: {self.status}"


class StatusTally(models.Model):
    """Assessments per display status, and objections per status."""

    class Subject(models.TextChoices):
        ASSESSMENT = "assessment"
        OBJECTION = "objection"

    subject = models.CharField(max_length=20, choices=Subject.choices)
    status = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "status"], name="reports_status_tally_once")]

    def __str__(self) -> str:
        return f"{self.subject} {self.status}: {self.count}"


class DurationTally(models.Model):
    """Ended assessments per qualification and duration in started hours (0: no start recorded):
    the overruns follow from any maximum the qualification has, now or later."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="+")
    hours = models.IntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["qualification", "hours"], name="reports_duration_tally_once")]

    def __str__(self) -> str:
        return f"{self.hours} h: {self.count}"


class AssessorTally(models.Model):
    """An assessor's assessments, in either seat: still open, and all."""

    assessor = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    open = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.open} / {self.total}"


class MonthTally(models.Model):
    """Decisions per month (local time): certified, a proof of partial qualification, a statement
    (something else proven), nothing proven."""

    month = models.DateField(unique=True)
    certified = models.BigIntegerField(default=0)
    partial = models.BigIntegerField(default=0)
    statement = models.BigIntegerField(default=0)
    not_certified = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class AgreementCounts(models.Model):
    """The assessors' first judgements (before reconciliation) of assessments with both sheets in."""

    assessments = models.BigIntegerField(default=0)
    judgements = models.BigIntegerField(default=0)
    agreed = models.BigIntegerField(default=0)
    first_yes = models.BigIntegerField(default=0)
    second_yes = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class CompetencyTally(AgreementCounts):
    """Per competency: the decisions that judged it and did not find it proven (first seat's sheet),
    and the agreement on it (the first seat's judgement is "first")."""

    competency = models.OneToOneField(Competency, on_delete=models.CASCADE, related_name="+")
    judged = models.BigIntegerField(default=0)
    not_proven = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-not_proven", "competency"], name="reports_competency_top_idx")]

    def __str__(self) -> str:
        return f"{self.not_proven} / {self.judged}"


class PairTally(AgreementCounts):
    """Agreement per pair of assessors, whichever seat each took: ``first`` is the lower id."""

    first = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="reports_pair_tally_once")]
        indexes = [models.Index(fields=["-judgements", "first", "second"], name="reports_pair_tally_top_idx")]

    def __str__(self) -> str:
        return f"{self.agreed} / {self.judgements}"
