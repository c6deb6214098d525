"""The counting, written once: what assessments add to the reports' counters.

``facts`` reads, for a set of assessments, the few things the reports count about each (four
queries, whatever the number); ``tally`` turns the facts of any number of assessments into what
they add to each counter. The refresh and the rebuild (``reports.services``) both count with
these two.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple, TypeAlias

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from assessments.models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentQuerySet,
    CarriedOver,
    Judgement,
    JudgementRevision,
    ScoreSheet,
)
from qualifications.models import Proof

from .models import (
    AssessorTally,
    CompetencyTally,
    CountedAssessment,
    DurationTally,
    MonthTally,
    PairTally,
    StatusTally,
)

Status = Assessment.Status
PAIRED_STATUSES = (Status.RECONCILIATION, *Assessment.DECIDED)  # both sheets are in
AGREEMENT = ("assessments", "judgements", "agreed", "first_yes", "second_yes")

# Each counter and the fields that name one of its rows.
KEYS: dict[type[models.Model], tuple[str, ...]] = {
    StatusTally: ("subject", "status"),
    DurationTally: ("qualification_id", "hours"),
    AssessorTally: ("assessor_id",),
    MonthTally: ("month",),
    CompetencyTally: ("competency_id",),
    PairTally: ("first_id", "second_id"),
}

# The values of the fields that name a counter's row, in the order of ``KEYS``.
Key: TypeAlias = tuple[int | str | date, ...]
# (counter, key, field) -> amount
Share: TypeAlias = Counter[tuple[type[models.Model], Key, str]]


def started_hours(started_at: datetime | None, ended_at: datetime) -> int:
    """The duration in started hours: longer than H hours exactly when this is more than H."""
    if started_at is None:
        return 0
    return -((started_at - ended_at) // timedelta(hours=1))


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


@dataclass(frozen=True)
class Facts:
    """What the reports count about one assessment.

    ``judged``: the first seat's final judgements (competency, proven), once decided.
    ``paired``: (competency, first seat's initial judgement, second seat's) once both sheets are in;
    a judgement revised in reconciliation started as its first revision's ``proven_before``.
    """

    status: str  # the display status: a revoked certificate reads "revoked"
    objection: str  # the objection's status, or empty
    qualification: int
    first_assessor: int
    second_assessor: int
    hours: int | None  # in started hours, once ended
    month: date | None  # of the decision
    outcome: str  # of the decision: certified, partial, statement, not_certified
    judged: tuple[tuple[int, bool | None], ...] = ()
    paired: tuple[tuple[int, bool | None, bool | None], ...] = ()

    @classmethod
    def of(cls, row: CountedAssessment) -> "Facts":
        return cls(
            status=row.status,
            objection=row.objection,
            qualification=row.qualification_id,
            first_assessor=row.first_assessor_id,
            second_assessor=row.second_assessor_id,
            hours=row.hours,
            month=row.month,
            outcome=row.outcome,
            judged=tuple(tuple(judgement) for judgement in row.judged),
            paired=tuple(tuple(pair) for pair in row.paired),
        )


# ``CountedAssessment``'s columns in the order ``store`` writes them.
COLUMNS = (
    "assessment_id",
    "status",
    "objection",
    "qualification_id",
    "first_assessor_id",
    "second_assessor_id",
    "hours",
    "month",
    "outcome",
    "judged",
    "paired",
)


def store(found: dict[int, Facts]) -> None:
    """Keep what these assessments added (``CountedAssessment``), in bulk: COPY on PostgreSQL
    (a rebuild writes a row per assessment), one prepared INSERT elsewhere."""
    rows = (
        (
            pk,
            f.status,
            f.objection,
            f.qualification,
            f.first_assessor,
            f.second_assessor,
            f.hours,
            connection.ops.adapt_datefield_value(f.month),
            f.outcome,
            json.dumps(f.judged),
            json.dumps(f.paired),
        )
        for pk, f in found.items()
    )
    table, columns = CountedAssessment._meta.db_table, ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))


def tally(found: Iterable[Facts]) -> Share:
    """What assessments with these facts add to each counter, together."""
    statuses: Counter[str] = Counter()  # per display status
    objections: Counter[str] = Counter()  # per objection status
    durations: Counter[tuple[int, int]] = Counter()  # per (qualification, hours)
    months: Counter[tuple[date, str]] = Counter()  # per (month, outcome)
    total: Counter[int] = Counter()  # per assessor, and the open ones apart
    still_open: Counter[int] = Counter()
    judged: Counter[int] = Counter()  # per competency, and the ones not proven apart
    not_proven: Counter[int] = Counter()
    by_competency: dict[int, list[int]] = defaultdict(lambda: [0] * len(AGREEMENT))
    by_pair: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * len(AGREEMENT))
    for facts in found:
        statuses[facts.status] += 1
        if facts.objection:
            objections[facts.objection] += 1
        for assessor in (facts.first_assessor, facts.second_assessor):
            total[assessor] += 1
            still_open[assessor] += facts.status in OPEN_STATUSES
        if facts.hours is not None:
            durations[facts.qualification, facts.hours] += 1
        if facts.month is not None:
            months[facts.month, facts.outcome] += 1
        for competency, proven in facts.judged:
            judged[competency] += 1
            not_proven[competency] += proven is False
        if facts.paired:
            _agree(facts, by_competency, by_pair)
    counts = Share()
    for status, count in statuses.items():
        counts[StatusTally, (StatusTally.Subject.ASSESSMENT, status), "count"] = count
    for status, count in objections.items():
        counts[StatusTally, (StatusTally.Subject.OBJECTION, status), "count"] = count
    for assessor, count in total.items():
        counts[AssessorTally, (assessor,), "total"] = count
        counts[AssessorTally, (assessor,), "open"] = still_open[assessor]
    for key, count in durations.items():
        counts[DurationTally, key, "count"] = count
    for (month, outcome), count in months.items():
        counts[MonthTally, (month,), outcome] = count
    for competency, count in judged.items():
        counts[CompetencyTally, (competency,), "judged"] = count
        counts[CompetencyTally, (competency,), "not_proven"] = not_proven[competency]
    for competency, numbers in by_competency.items():
        for field, number in zip(AGREEMENT, numbers, strict=True):
            counts[CompetencyTally, (competency,), field] = number
    for pair, numbers in by_pair.items():
        for field, number in zip(AGREEMENT, numbers, strict=True):
            counts[PairTally, pair, field] = number
    return counts


def _agree(facts: Facts, by_competency: dict[int, list[int]], by_pair: dict[tuple[int, int], list[int]]) -> None:
    """Count the first judgements of both seats side by side: per competency (the first seat's is
    "first") and per pair of assessors, whichever seat each took (the lower id is "first")."""
    swapped = facts.first_assessor > facts.second_assessor
    pair = by_pair[
        (facts.second_assessor, facts.first_assessor) if swapped else (facts.first_assessor, facts.second_assessor)
    ]
    pair[0] += 1
    for competency, first, second in facts.paired:
        agreed = first == second
        counted = by_competency[competency]
        counted[0] += 1
        for numbers in (counted, pair):
            numbers[1] += 1
            numbers[2] += agreed
        counted[3] += bool(first)
        counted[4] += bool(second)
        pair[3] += bool(second if swapped else first)
        pair[4] += bool(first if swapped else second)


def facts(assessments: AssessmentQuerySet) -> dict[int, Facts]:
    """The facts of these assessments, read in four queries."""
    rows = list(
        assessments.with_display_status()
        .order_by()
        .values_list(  # type: ignore[misc]  # display_status is an annotation, not a field
            "pk",
            "status",
            "display_status",
            "objection__status",
            "certificate__kind",
            "qualification_id",
            "first_assessor_id",
            "second_assessor_id",
            "started_at",
            "ended_at",
            "decided_at",
        )
    )
    judgements = _judgements(assessments.filter(status__in=PAIRED_STATUSES))
    carried = set(
        CarriedOver.objects.filter(assessment__in=assessments.filter(status=Status.NOT_CERTIFIED).values("pk"))
        .order_by()
        .values_list("assessment_id", flat=True)
        .distinct()
    )
    found: dict[int, Facts] = {}
    for pk, status, shown, objection, kind, qualification, first, second, started_at, ended_at, decided_at in rows:
        mine = judgements.get(pk, [])
        decided = status in Assessment.DECIDED
        found[pk] = Facts(
            status=shown,
            objection=objection or "",
            qualification=qualification,
            first_assessor=first,
            second_assessor=second,
            hours=None if ended_at is None else started_hours(started_at, ended_at),
            month=month_of(decided_at) if decided and decided_at is not None else None,
            outcome=_outcome(status, kind, something=pk in carried or any(j.proven for j in mine)) if decided else "",
            judged=tuple(sorted((j.competency, j.proven) for j in mine if j.assessor == first)) if decided else (),
            paired=_pairs(mine, first),
        )
    return found


def _outcome(status: str, kind: str | None, *, something: bool) -> str:
    """A decision's column: certified, the proof of partial qualification it issued, a statement
    (something else proven), or nothing proven."""
    if status == Status.CERTIFIED:
        return "certified"
    if kind == Proof.PARTIAL:
        return "partial"
    return "statement" if something else "not_certified"


class JudgementFacts(NamedTuple):
    """One judgement as the counting needs it; ``initial``: before any revision in reconciliation."""

    assessor: int
    submitted: bool  # its sheet is submitted
    competency: int
    proven: bool | None
    initial: bool | None


def _judgements(paired: QuerySet[Assessment]) -> dict[int, list[JudgementFacts]]:
    """Per assessment: the facts of every judgement."""
    first_revisions: dict[int, bool] = {}
    for judgement_id, before in (
        JudgementRevision.objects.filter(judgement__sheet__assessment__in=paired)
        .order_by("judgement_id", "created_at", "pk")
        .values_list("judgement_id", "proven_before")
    ):
        first_revisions.setdefault(judgement_id, before)
    found: defaultdict[int, list[JudgementFacts]] = defaultdict(list)
    submitted = ScoreSheet.Status.SUBMITTED
    for pk, assessment, assessor, sheet_status, competency, proven in (
        Judgement.objects.filter(sheet__assessment__in=paired)
        .order_by()
        .values_list("pk", "sheet__assessment_id", "sheet__assessor_id", "sheet__status", "competency_id", "proven")
    ):
        initial = first_revisions.get(pk, proven)
        found[assessment].append(JudgementFacts(assessor, sheet_status == submitted, competency, proven, initial))
    return found


def _pairs(
    judgements: Sequence[JudgementFacts], first_assessor: int
) -> tuple[tuple[int, bool | None, bool | None], ...]:
    """Both seats' initial judgements of each competency on the submitted sheets."""
    seats: dict[int, dict[str, bool | None]] = defaultdict(dict)
    for assessor, submitted, competency, _proven, initial in judgements:
        if submitted:
            seats[competency]["first" if assessor == first_assessor else "second"] = initial
    return tuple(
        sorted((competency, seat["first"], seat["second"]) for competency, seat in seats.items() if len(seat) == 2)
    )
