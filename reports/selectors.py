"""Reads for the reports page and its exports, from the counters (a row per status, month,
competency, assessor or pair of assessors, whatever the number of assessments):
statuses, outcomes, overruns, workload, outcomes per month, competencies not proven, objections,
assessor agreement; and how fresh the figures are."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeAlias

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Assessment, Objection
from qualifications.models import Competency, Qualification

from .models import (
    AgreementCounts,
    AssessorTally,
    CompetencyTally,
    DurationTally,
    MonthTally,
    PairTally,
    RefreshRequest,
    ReportState,
    StatusTally,
)

Status = Assessment.Status
DisplayStatus = Assessment.DisplayStatus

# A choice's label: translated when it is shown.
Label: TypeAlias = str | Promise
# A row of the report's export: (section, item, number, out of).
ReportRow: TypeAlias = tuple[str, str, int, int]
# A cell of the outcome reports' sheet: a percentage or kappa is None where it cannot be had.
Cell: TypeAlias = str | int | float | None

# The figures are called late once they are this many periodic refreshes old.
LATE_AFTER_REFRESHES = 5


@dataclass
class Freshness:
    """When the figures were counted, and whether an administrator's refresh is on its way."""

    as_of: datetime | None  # None: never counted yet
    requested_at: datetime | None  # a refresh asked for after the figures were counted
    late: bool  # older than a working worker would leave them


def freshness() -> Freshness:
    as_of = ReportState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    requested = RefreshRequest.objects.order_by("-requested_at").values_list("requested_at", flat=True).first()
    late_before = timezone.now() - timedelta(seconds=LATE_AFTER_REFRESHES * settings.REPORTS_REFRESH_SECONDS)
    return Freshness(
        as_of=as_of,
        requested_at=requested if requested is not None and (as_of is None or requested > as_of) else None,
        late=as_of is None or as_of < late_before,
    )


@dataclass
class ReportFigures:
    by_status: list[tuple[Label, int]]
    total: int
    decided: int
    certified: int  # with a valid certificate: revoked ones are counted apart
    revoked: int
    ended: int
    overruns: int
    workload: list[tuple[User, int, int]]

    @property
    def rate(self) -> int | None:
        return round(100 * self.certified / self.decided) if self.decided else None


# The page shows the busiest assessors; the report's export lists every one.
ASSESSORS_SHOWN = 20


def report_figures(assessors: int | None = None) -> ReportFigures:
    """Counts per display status, certification rate, overruns and assessor workload: every
    assessor by name, or the ``assessors`` with the most open assessments (then the most in all).

    The rate is of valid certificates among decided assessments: a revoked certificate is a
    decided assessment that no longer counts as certified.
    """
    tallies = dict(StatusTally.objects.filter(subject=StatusTally.Subject.ASSESSMENT).values_list("status", "count"))
    counts = {value: tallies.get(value, 0) for value in DisplayStatus.values}
    # Ran over: longer than its own qualification allows now (the durations are kept in hours).
    limits = dict(Qualification.objects.values_list("pk", "max_assessment_hours"))
    ended = overruns = 0
    for qualification_id, hours, count in DurationTally.objects.values_list("qualification", "hours", "count"):
        ended += count
        overruns += count if hours > limits[qualification_id] else 0
    certified, revoked = counts[Status.CERTIFIED], counts[DisplayStatus.REVOKED]
    return ReportFigures(
        by_status=[(label, counts[value]) for value, label in DisplayStatus.choices],
        total=sum(counts.values()),
        decided=certified + revoked + counts[Status.NOT_CERTIFIED],
        certified=certified,
        revoked=revoked,
        ended=ended,
        overruns=overruns,
        workload=_workload(assessors),
    )


def _workload(assessors: int | None) -> list[tuple[User, int, int]]:
    tallies = AssessorTally.objects.filter(total__gt=0).select_related("assessor")
    if assessors is None:
        tallies = tallies.order_by("assessor__last_name", "assessor__first_name", "assessor_id")
    else:
        # Cut in the database: a large centre has thousands of assessors.
        tallies = tallies.order_by("-open", "-total", "assessor__last_name", "assessor__first_name", "assessor_id")[
            :assessors
        ]
    return [(tally.assessor, tally.open, tally.total) for tally in tallies]


def report_rows(figures: ReportFigures) -> list[ReportRow]:
    """The report as rows of a spreadsheet: (section, item, number, out of)."""
    by_status, outcomes = _("Assessments by status"), _("Outcomes")
    rows: list[ReportRow] = [(by_status, str(label), count, figures.total) for label, count in figures.by_status]
    rows += [
        (outcomes, _("Certified"), figures.certified, figures.decided),
        (outcomes, _("Assessments that ran over time"), figures.overruns, figures.ended),
    ]
    # Per assessor: open assessments out of all their assessments.
    rows += [
        (_("Assessor workload"), f"{assessor.full_name} <{assessor.email}>", open_count, all_count)
        for assessor, open_count, all_count in figures.workload
    ]
    return rows


@dataclass
class OutcomeRow:
    month: date
    certified: int
    partial: int
    statement: int
    not_certified: int


def outcomes_per_month() -> list[OutcomeRow]:
    """Decisions per month: certified, a proof of partial qualification, a statement (something
    else proven), or nothing proven."""
    rows = MonthTally.objects.filter(
        Q(certified__gt=0) | Q(partial__gt=0) | Q(statement__gt=0) | Q(not_certified__gt=0)
    )
    return [
        OutcomeRow(
            month=row.month,
            certified=row.certified,
            partial=row.partial,
            statement=row.statement,
            not_certified=row.not_certified,
        )
        for row in rows.order_by("-month")
    ]


def competencies_not_proven(limit: int = 10) -> list[tuple[Competency, int, int]]:
    """(competency, decisions where it was not proven, decisions that judged it), most often first."""
    rows = (
        CompetencyTally.objects.filter(not_proven__gt=0)
        .select_related("competency")
        .order_by("-not_proven", "competency_id")[:limit]
    )
    return [(row.competency, row.not_proven, row.judged) for row in rows]


def objection_outcomes() -> list[tuple[Label, int]]:
    counts = dict(StatusTally.objects.filter(subject=StatusTally.Subject.OBJECTION).values_list("status", "count"))
    return [(label, counts.get(value, 0)) for value, label in Objection.Status.choices]


@dataclass
class Agreement:
    """Agreement of two assessors before reconciliation over ``judgements`` paired judgements."""

    label: str
    assessments: int
    judgements: int
    agreed: int
    first_yes: int
    second_yes: int

    @property
    def percentage(self) -> float | None:
        return round(100 * self.agreed / self.judgements, 1) if self.judgements else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None where chance agreement is total (both always said the same thing)."""
        n = self.judgements
        if not n:
            return None
        observed = self.agreed / n
        p1, p2 = self.first_yes / n, self.second_yes / n
        expected = p1 * p2 + (1 - p1) * (1 - p2)
        return None if expected == 1 else round((observed - expected) / (1 - expected), 2)


# The page shows the pairs with the most judgements behind their figures; the exports list all.
PAIRS_SHOWN = 20


def _agreement(label: str, tally: AgreementCounts) -> Agreement:
    return Agreement(
        label=label,
        assessments=tally.assessments,
        judgements=tally.judgements,
        agreed=tally.agreed,
        first_yes=tally.first_yes,
        second_yes=tally.second_yes,
    )


def assessor_agreement(pairs: int | None = None) -> tuple[list[Agreement], list[Agreement]]:
    """Percentage agreement and Cohen's kappa before reconciliation, per competency and per pair
    of assessors: every pair in the order of their ids, or the ``pairs`` with the most judgements."""
    if pairs is None:
        tallies = _pair_tallies().order_by("first_id", "second_id")
    else:
        tallies = _pair_tallies().order_by("-judgements", "first_id", "second_id")[:pairs]
    return _competency_agreement(), [_pair_agreement(t) for t in tallies]


def _competency_agreement() -> list[Agreement]:
    return [
        _agreement(f"{t.competency.order}. {t.competency.text} ({t.competency.code})", t)
        for t in CompetencyTally.objects.filter(judgements__gt=0)
        .select_related("competency")
        .order_by("competency__qualification", "competency__order")
    ]


def _pair_tallies() -> QuerySet[PairTally]:
    return PairTally.objects.filter(judgements__gt=0).select_related("first", "second")


def _pair_agreement(tally: PairTally) -> Agreement:
    return _agreement(f"{tally.first} / {tally.second}", tally)


def _agreement_row(a: Agreement) -> list[Cell]:
    return [a.label, a.assessments, a.judgements, a.percentage, a.kappa]


@dataclass
class OutcomeReport:
    """The outcome reports as one sheet: its header (the first section's heading), then its rows,
    each further section a blank row, a heading row and its rows. Every section but the last is
    a few rows of counters, read at once; the last, a row per pair of assessors (many thousands
    at a large centre), is counted first and read as it is written."""

    header: list[str]
    first_rows: list[list[Cell]]  # every row before the pairs'
    pairs: QuerySet[PairTally]

    def count(self) -> int:
        return len(self.first_rows) + self.pairs.count()

    def rows(self) -> Iterator[list[Cell]]:
        yield from self.first_rows
        for tally in self.pairs.iterator():
            yield _agreement_row(_pair_agreement(tally))


def outcome_report() -> OutcomeReport:
    header = [
        _("Outcomes per month"),
        _("Certified"),
        _("Proof of partial qualification"),
        _("Proof of competencies"),
        _("Not certified"),
    ]
    agreement_heading = [_("Assessments"), _("Judgements"), _("Agreement (%)"), _("Cohen's kappa")]
    rows: list[list[Cell]] = [
        [f"{r.month:%Y-%m}", r.certified, r.partial, r.statement, r.not_certified] for r in outcomes_per_month()
    ]
    rows += [[], [_("Competencies most often not proven"), _("Not proven"), _("Judged")]]
    rows += [
        [f"{c.order}. {c.text} ({c.code})", not_proven, judged] for c, not_proven, judged in competencies_not_proven()
    ]
    rows += [[], [_("Objections"), _("Number")]]
    rows += [[str(label), count] for label, count in objection_outcomes()]
    rows += [[], [_("Agreement per competency"), *agreement_heading]]
    rows += [_agreement_row(a) for a in _competency_agreement()]
    rows += [[], [_("Agreement per assessor pair"), *agreement_heading]]
    return OutcomeReport(header=header, first_rows=rows, pairs=_pair_tallies().order_by("first_id", "second_id"))
