"""The reports' summary (decision 0008): what each assessment adds to the counters of the reports
page, kept current by the services and recomputed from the data by ``summary_rebuild``.

Only this module writes the summary. A service that changes what an assessment adds (its status,
assessors, end, decision, sheets, certificate, objection) wraps the change in ``tracked``: the
assessment's share is read before and after, under the assessment's row lock, and the difference
is added with ``F()`` increments, so concurrent changes of other assessments add up correctly.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from qualifications.models import PartialQualification, Proof
from qualifications.selectors import proof_due

from .models import (
    Assessment,
    AssessorTally,
    CarriedOver,
    CompetencyTally,
    DurationTally,
    Judgement,
    JudgementRevision,
    MonthTally,
    Objection,
    PairTally,
    ScoreSheet,
    StatusTally,
)

Status = Assessment.Status
OPEN_STATUSES = Assessment.OPEN  # the workload's "open"
PAIRED_STATUSES = (Status.RECONCILIATION, *Assessment.DECIDED)  # both sheets are in
AGREEMENT = ("assessments", "judgements", "agreed", "first_yes", "second_yes")

# (model, key) -> field -> amount; a key is the tuple of the model's key fields below.
Share = Counter
KEYS = {
    StatusTally: ("subject", "status"),
    DurationTally: ("qualification_id", "hours"),
    AssessorTally: ("assessor_id",),
    MonthTally: ("month",),
    CompetencyTally: ("competency_id",),
    PairTally: ("first_id", "second_id"),
}


def started_hours(started_at, ended_at) -> int:
    """The duration in started hours: longer than H hours exactly when this is more than H."""
    if started_at is None:
        return 0
    return -((started_at - ended_at) // timedelta(hours=1))


def month_of(moment) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _initial(judgement) -> bool | None:
    """A judgement as first submitted: a revised one started as its first revision's ``proven_before``."""
    return judgement.proven if judgement.before is None else judgement.before


def share(assessment_id: int) -> Share:
    """What this assessment adds to the summary now (a few queries, whatever the data)."""
    objection = Objection.objects.filter(assessment=OuterRef("pk")).values("status")
    row = (
        Assessment.objects.with_display_status()
        .annotate(objection_status=Subquery(objection[:1]))
        .values(
            "status",
            "display_status",
            "objection_status",
            "qualification_id",
            "first_assessor_id",
            "second_assessor_id",
            "started_at",
            "ended_at",
            "decided_at",
        )
        .get(pk=assessment_id)
    )
    counts = Share()
    counts[StatusTally, (StatusTally.Subject.ASSESSMENT, row["display_status"]), "count"] += 1
    if row["objection_status"] is not None:
        counts[StatusTally, (StatusTally.Subject.OBJECTION, row["objection_status"]), "count"] += 1
    for assessor_id in (row["first_assessor_id"], row["second_assessor_id"]):
        counts[AssessorTally, (assessor_id,), "total"] += 1
        counts[AssessorTally, (assessor_id,), "open"] += row["status"] in OPEN_STATUSES
    if row["ended_at"] is not None:
        hours = started_hours(row["started_at"], row["ended_at"])
        counts[DurationTally, (row["qualification_id"], hours), "count"] += 1
    if row["status"] in PAIRED_STATUSES:
        _add_judgements(counts, assessment_id, row)
    return counts


def _add_judgements(counts: Share, assessment_id: int, row: dict) -> None:
    first_revision = JudgementRevision.objects.filter(judgement=OuterRef("pk")).order_by("created_at", "pk")
    judgements = list(
        Judgement.objects.filter(sheet__assessment=assessment_id)
        .annotate(before=Subquery(first_revision.values("proven_before")[:1]))
        .select_related("sheet")
    )
    first_seat = [j for j in judgements if j.sheet.assessor_id == row["first_assessor_id"]]
    decided = row["status"] in Assessment.DECIDED
    if decided:
        for judgement in first_seat:
            counts[CompetencyTally, (judgement.competency_id,), "judged"] += 1
            counts[CompetencyTally, (judgement.competency_id,), "not_proven"] += judgement.proven is False
        if row["decided_at"] is not None:
            counts[MonthTally, (month_of(row["decided_at"]),), _outcome(assessment_id, row)] += 1
    pairs: dict[int, dict[str, tuple[int, bool | None]]] = defaultdict(dict)
    for judgement in judgements:
        if judgement.sheet.status == ScoreSheet.Status.SUBMITTED:
            seat = "first" if judgement.sheet.assessor_id == row["first_assessor_id"] else "second"
            pairs[judgement.competency_id][seat] = (judgement.sheet.assessor_id, _initial(judgement))
    pairs = {competency: pair for competency, pair in pairs.items() if len(pair) == 2}
    for competency, pair in pairs.items():
        _add_agreement(counts, (CompetencyTally, (competency,)), pair["first"][1], pair["second"][1], 1)
        low, high = sorted([pair["first"], pair["second"]], key=lambda judged: judged[0])
        _add_agreement(counts, (PairTally, (low[0], high[0])), low[1], high[1], 0)
    if pairs:
        low, high = sorted(next(iter(pairs.values())).values(), key=lambda judged: judged[0])
        counts[PairTally, (low[0], high[0]), "assessments"] += 1


def _add_agreement(counts: Share, where: tuple, first: bool | None, second: bool | None, assessments: int) -> None:
    counts[(*where, "assessments")] += assessments
    counts[(*where, "judgements")] += 1
    counts[(*where, "agreed")] += first == second
    counts[(*where, "first_yes")] += bool(first)
    counts[(*where, "second_yes")] += bool(second)


def _outcome(assessment_id: int, row: dict) -> str:
    if row["status"] == Status.CERTIFIED:
        return "certified"
    return _not_certified_outcome(assessment_id, row["qualification_id"], row["first_assessor_id"])


def _not_certified_outcome(assessment_id: int, qualification_id: int, first_assessor_id: int) -> str:
    """The column of a decision that is not a certification: the proof it issued (``proof_due``)."""
    proven = set(
        Judgement.objects.filter(
            sheet__assessment=assessment_id, sheet__assessor=first_assessor_id, proven=True
        ).values_list("competency_id", flat=True)
    )
    proven |= set(CarriedOver.objects.filter(assessment=assessment_id).values_list("competency_id", flat=True))
    kind = proof_due(qualification_id=qualification_id, proven=proven).kind if proven else None
    return {Proof.PARTIAL: "partial", Proof.STATEMENT: "statement"}.get(kind, "not_certified")


@contextmanager
def tracked(assessment: Assessment) -> Iterator[None]:
    """Wrap a change of an existing assessment: its share of the summary follows, in the same
    transaction. Locks the assessment's row first (the services usually hold it already)."""
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").get()
        before = share(assessment.pk)
        yield
        _add(share(assessment.pk), before)


def added(assessment: Assessment) -> None:
    """A new assessment adds its share; call it in the transaction that created it."""
    _add(share(assessment.pk), Share())


def _add(after: Share, before: Share) -> None:
    """The one writer: adds ``after - before`` to the counters, in a fixed order of rows so that
    concurrent transactions lock them in the same order."""
    by_model: dict[type, dict[tuple, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    delta: Counter = Counter(after)
    delta.subtract(before)
    for (model, key, field), amount in delta.items():
        if amount:
            by_model[model][key][field] = amount
    with transaction.atomic():
        for model in KEYS:
            if by_model.get(model):
                _increment(model, by_model[model])


def _increment(model, deltas: dict[tuple, dict[str, int]]) -> None:
    names = KEYS[model]
    keys = sorted(deltas)
    model.objects.bulk_create([model(**dict(zip(names, key, strict=True))) for key in keys], ignore_conflicts=True)
    match = {key: Q(**dict(zip(names, key, strict=True))) for key in keys}
    rows = model.objects.filter(reduce(or_, match.values()))
    list(rows.select_for_update().order_by(*names).values_list("pk"))
    fields = sorted({field for changes in deltas.values() for field in changes})
    rows.update(
        **{
            field: F(field)
            + Case(
                *(When(match[key], then=Value(deltas[key][field])) for key in keys if field in deltas[key]),
                default=Value(0),
            )
            for field in fields
        }
    )


def summary_rebuild() -> None:
    """Recompute the whole summary from the data (after a bulk load, or to check it)."""
    with transaction.atomic():
        for model in KEYS:
            model.objects.all().delete()
        StatusTally.objects.bulk_create(
            [
                StatusTally(subject=StatusTally.Subject.ASSESSMENT, status=status, count=count)
                for status, count in Assessment.objects.with_display_status()
                .order_by()
                .values_list("display_status")
                .annotate(n=Count("pk"))
            ]
            + [
                StatusTally(subject=StatusTally.Subject.OBJECTION, status=status, count=count)
                for status, count in Objection.objects.order_by().values_list("status").annotate(n=Count("pk"))
            ]
        )
        _rebuild_assessors()
        _rebuild_durations()
        _rebuild_months()
        _rebuild_competencies()
        _rebuild_agreement()


def _rebuild_assessors() -> None:
    rows: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for seat in ("first_assessor", "second_assessor"):
        for assessor_id, open_count, total in (
            Assessment.objects.order_by()
            .values_list(seat)
            .annotate(open=Count("pk", filter=Q(status__in=OPEN_STATUSES)), total=Count("pk"))
        ):
            rows[assessor_id][0] += open_count
            rows[assessor_id][1] += total
    AssessorTally.objects.bulk_create(
        AssessorTally(assessor_id=pk, open=open_count, total=total) for pk, (open_count, total) in rows.items()
    )


def _rebuild_durations() -> None:
    counts: Counter = Counter(
        (qualification, started_hours(started, ended))
        for qualification, started, ended in Assessment.objects.filter(ended_at__isnull=False)
        .values_list("qualification_id", "started_at", "ended_at")
        .iterator(chunk_size=10_000)
    )
    DurationTally.objects.bulk_create(
        DurationTally(qualification_id=qualification, hours=hours, count=count)
        for (qualification, hours), count in counts.items()
    )


def _rebuild_months() -> None:
    proven = Exists(Judgement.objects.filter(sheet__assessment=OuterRef("pk"), proven=True))
    carried = Exists(CarriedOver.objects.filter(assessment=OuterRef("pk")))
    counts: dict[date, Counter] = defaultdict(Counter)
    rows = (
        Assessment.objects.filter(status__in=Assessment.DECIDED, decided_at__isnull=False)
        .annotate(something=Case(When(Q(proven) | Q(carried), then=Value(True)), default=Value(False)))
        .values_list("pk", "qualification_id", "first_assessor_id", "status", "decided_at", "something")
        .iterator(chunk_size=10_000)
    )
    # Something proven of a qualification with partial qualifications may be a proof of partial
    # qualification: those decisions are looked at one by one, once the pass is over.
    with_partials = set(PartialQualification.objects.values_list("qualification_id", flat=True))
    one_by_one = []
    for pk, qualification_id, first_assessor_id, status, decided_at, something in rows:
        if something and status != Status.CERTIFIED and qualification_id in with_partials:
            one_by_one.append((month_of(decided_at), pk, qualification_id, first_assessor_id))
            continue
        outcome = "certified" if status == Status.CERTIFIED else "statement" if something else "not_certified"
        counts[month_of(decided_at)][outcome] += 1
    for month, *decision in one_by_one:
        counts[month][_not_certified_outcome(*decision)] += 1
    MonthTally.objects.bulk_create(MonthTally(month=month, **outcomes) for month, outcomes in counts.items())


def _rebuild_competencies() -> None:
    rows = (
        Judgement.objects.filter(
            sheet__assessment__status__in=Assessment.DECIDED, sheet__assessor=F("sheet__assessment__first_assessor")
        )
        .order_by()
        .values_list("competency")
        .annotate(judged=Count("pk"), not_proven=Count("pk", filter=Q(proven=False)))
    )
    CompetencyTally.objects.bulk_create(
        CompetencyTally(competency_id=competency, judged=judged, not_proven=not_proven)
        for competency, judged, not_proven in rows
    )


def _rebuild_agreement() -> None:
    """Both seats' first judgements side by side, counted by the database (one pass over the
    judgements of assessments with both sheets in)."""
    judgement, sheet = Judgement._meta.db_table, ScoreSheet._meta.db_table
    assessment, revision = Assessment._meta.db_table, JudgementRevision._meta.db_table

    def initial(alias: str) -> str:
        return (
            f"COALESCE((SELECT r.proven_before FROM {revision} r WHERE r.judgement_id = {alias}.id "
            f"ORDER BY r.created_at, r.id LIMIT 1), {alias}.proven)"
        )

    pairs = f"""
        SELECT a.id AS assessment, j1.competency_id AS competency,
               s1.assessor_id AS first_person, s2.assessor_id AS second_person,
               {initial("j1")} AS first_initial, {initial("j2")} AS second_initial
        FROM {assessment} a
        JOIN {sheet} s1 ON s1.assessment_id = a.id AND s1.assessor_id = a.first_assessor_id AND s1.status = %s
        JOIN {sheet} s2 ON s2.assessment_id = a.id AND s2.assessor_id <> a.first_assessor_id AND s2.status = %s
        JOIN {judgement} j1 ON j1.sheet_id = s1.id
        JOIN {judgement} j2 ON j2.sheet_id = s2.id AND j2.competency_id = j1.competency_id
        WHERE a.status IN (%s, %s, %s)
    """
    low_yes = "CASE WHEN first_person < second_person THEN first_initial ELSE second_initial END"
    high_yes = "CASE WHEN first_person < second_person THEN second_initial ELSE first_initial END"
    counts = """COUNT(DISTINCT assessment), COUNT(*),
        SUM(CASE WHEN first_initial = second_initial OR (first_initial IS NULL AND second_initial IS NULL)
            THEN 1 ELSE 0 END)"""
    yes = "SUM(CASE WHEN {} THEN 1 ELSE 0 END)"
    params = [ScoreSheet.Status.SUBMITTED, ScoreSheet.Status.SUBMITTED, *PAIRED_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT competency, {counts}, {yes.format('first_initial')}, {yes.format('second_initial')} "
            f"FROM ({pairs}) p GROUP BY competency",
            params,
        )
        by_competency = cursor.fetchall()
        cursor.execute(
            f"SELECT CASE WHEN first_person < second_person THEN first_person ELSE second_person END, "
            f"CASE WHEN first_person < second_person THEN second_person ELSE first_person END, "
            f"{counts}, {yes.format(low_yes)}, {yes.format(high_yes)} FROM ({pairs}) p GROUP BY 1, 2",
            params,
        )
        by_pair = cursor.fetchall()
    tallies = {t.competency_id: t for t in CompetencyTally.objects.all()}
    for competency, *numbers in by_competency:
        tally = tallies.get(competency) or CompetencyTally(competency_id=competency)
        for name, number in zip(AGREEMENT, numbers, strict=True):
            setattr(tally, name, number or 0)
        tallies[competency] = tally
    CompetencyTally.objects.bulk_create(
        tallies.values(), update_conflicts=True, unique_fields=["competency"], update_fields=list(AGREEMENT)
    )
    PairTally.objects.bulk_create(
        PairTally(first_id=first, second_id=second, **dict(zip(AGREEMENT, (n or 0 for n in numbers), strict=True)))
        for first, second, *numbers in by_pair
    )
