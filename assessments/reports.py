"""Reads for the reports page: outcomes, competencies not proven, objections, assessor agreement,
from the reports' summary (``assessments.report_summary``), a few rows whatever the data."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from qualifications.models import Competency

from .models import CompetencyTally, MonthTally, Objection, PairTally, StatusTally


@dataclass
class OutcomeRow:
    month: object
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


def objection_outcomes() -> list[tuple[str, int]]:
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


def _agreement(label: str, tally) -> Agreement:
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
    per_competency = [
        _agreement(f"{t.competency.order}. {t.competency.text} ({t.competency.code})", t)
        for t in CompetencyTally.objects.filter(judgements__gt=0)
        .select_related("competency")
        .order_by("competency__qualification", "competency__order")
    ]
    tallies = PairTally.objects.filter(judgements__gt=0).select_related("first", "second")
    if pairs is None:
        tallies = tallies.order_by("first_id", "second_id")
    else:
        tallies = tallies.order_by("-judgements", "first_id", "second_id")[:pairs]
    per_pair = [_agreement(f"{t.first} / {t.second}", t) for t in tallies]
    return per_competency, per_pair


def outcome_report_rows() -> list[list]:
    """The outcome reports as rows of one sheet: each section a heading row, its rows, a blank
    row; the first row is the first section's heading."""
    per_competency, per_pair = assessor_agreement()
    rows = [
        [
            _("Outcomes per month"),
            _("Certified"),
            _("Proof of partial qualification"),
            _("Proof of competencies"),
            _("Not certified"),
        ]
    ]
    rows += [[f"{r.month:%Y-%m}", r.certified, r.partial, r.statement, r.not_certified] for r in outcomes_per_month()]
    rows += [[], [_("Competencies most often not proven"), _("Not proven"), _("Judged")]]
    rows += [
        [f"{c.order}. {c.text} ({c.code})", not_proven, judged] for c, not_proven, judged in competencies_not_proven()
    ]
    rows += [[], [_("Objections"), _("Number")], *([str(label), count] for label, count in objection_outcomes())]
    for title, agreements in (
        (_("Agreement per competency"), per_competency),
        (_("Agreement per assessor pair"), per_pair),
    ):
        rows += [[], [title, _("Assessments"), _("Judgements"), _("Agreement (%)"), _("Cohen's kappa")]]
        rows += [[a.label, a.assessments, a.judgements, a.percentage, a.kappa] for a in agreements]
    return rows
