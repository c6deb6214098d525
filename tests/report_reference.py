"""The reports as they were computed before the summary: from every row, on each request.

The reference for the counters of ``reports``: the reports read from the counters must give
exactly these figures. Ties are broken as the reads of the counters break them (by id).
"""

from collections import defaultdict
from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from assessments.models import (
    OPEN_STATUSES,
    Assessment,
    CarriedOver,
    Judgement,
    JudgementRevision,
    Objection,
    ScoreSheet,
)
from certificates.models import Certificate
from qualifications.models import Competency, Qualification
from reports.selectors import Agreement, OutcomeRow, ReportFigures

Status = Assessment.Status
DisplayStatus = Assessment.DisplayStatus


def report_figures() -> ReportFigures:
    """Counts per display status, certification rate, overruns and assessor workload, counted by
    the database: one pass over the assessments, the few revoked certificates from their index,
    and one grouped count per assessor seat read from an index.

    The rate is of valid certificates among decided assessments: a revoked certificate is a
    decided assessment that no longer counts as certified.
    """
    # Ran over: longer than its own qualification allows (a handful of qualifications).
    overran = reduce(
        or_,
        (
            Q(qualification=pk, ended_at__gt=F("started_at") + timedelta(hours=hours))
            for pk, hours in Qualification.objects.values_list("pk", "max_assessment_hours")
        ),
        Q(pk__in=[]),
    )
    counts = Assessment.objects.order_by().aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Status.values},
        ended=Count("pk", filter=Q(ended_at__isnull=False)),
        overruns=Count("pk", filter=Q(ended_at__isnull=False) & overran),
    )
    revoked = Assessment.objects.filter(status=Status.CERTIFIED, certificate__status=Certificate.Status.REVOKED).count()
    counts[DisplayStatus.REVOKED] = revoked
    counts[Status.CERTIFIED] -= revoked
    certified = counts[Status.CERTIFIED]
    return ReportFigures(
        by_status=[(label, counts[value]) for value, label in DisplayStatus.choices],
        total=sum(counts[value] for value in DisplayStatus.values),
        decided=certified + revoked + counts[Status.NOT_CERTIFIED],
        certified=certified,
        revoked=revoked,
        ended=counts["ended"],
        overruns=counts["overruns"],
        workload=_assessor_workload(),
    )


def _assessor_workload() -> list[tuple[User, int, int]]:
    """(assessor, open assessments, all assessments) per assessor: one grouped count per seat."""
    rows: dict[int, list[int]] = {}
    for seat in ("first_assessor", "second_assessor"):
        counts = (
            Assessment.objects.order_by()
            .values_list(seat)
            .annotate(
                open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                all=Count("pk"),
            )
        )
        for assessor_id, open_count, all_count in counts:
            totals = rows.setdefault(assessor_id, [0, 0])
            totals[0] += open_count
            totals[1] += all_count
    assessors = User.objects.filter(pk__in=rows).order_by("last_name", "first_name", "pk")
    return [(assessor, *rows[assessor.pk]) for assessor in assessors]


def outcomes_per_month() -> list[OutcomeRow]:
    """Decisions per month: certified, a proof of partial qualification (the document the decision
    issued says so), a statement (something else proven), or nothing proven."""
    proven = Exists(Judgement.objects.filter(sheet__assessment=OuterRef("pk"), proven=True))
    carried = Exists(CarriedOver.objects.filter(assessment=OuterRef("pk")))
    partial = Q(status=Status.NOT_CERTIFIED, certificate__kind="partial")
    rows = (
        Assessment.objects.filter(status__in=Assessment.DECIDED, decided_at__isnull=False)
        .annotate(month=TruncMonth("decided_at"))
        .values("month")
        .annotate(
            certified=Count("pk", filter=Q(status=Status.CERTIFIED)),
            partial=Count("pk", filter=partial),
            statement=Count("pk", filter=Q(status=Status.NOT_CERTIFIED) & (Q(proven) | Q(carried)) & ~partial),
            not_certified=Count("pk", filter=Q(status=Status.NOT_CERTIFIED) & ~Q(proven) & ~Q(carried)),
        )
        .order_by("-month")
    )
    return [OutcomeRow(**{**row, "month": timezone.localtime(row["month"]).date()}) for row in rows]


def competencies_not_proven(limit: int = 10) -> list[tuple[Competency, int, int]]:
    """(competency, decisions where it was not proven, decisions that judged it), most often first."""
    counts = (
        Judgement.objects.filter(
            sheet__assessment__status__in=Assessment.DECIDED, sheet__assessor=F("sheet__assessment__first_assessor")
        )
        .values("competency")
        .annotate(judged=Count("pk"), not_proven=Count("pk", filter=Q(proven=False)))
        .filter(not_proven__gt=0)
        .order_by("-not_proven", "competency_id")[:limit]
    )
    competencies = Competency.objects.in_bulk([row["competency"] for row in counts])
    return [(competencies[row["competency"]], row["not_proven"], row["judged"]) for row in counts]


def objection_outcomes() -> list[tuple[str, int]]:
    counts = dict(Objection.objects.values_list("status").annotate(n=Count("pk")))
    return [(label, counts.get(value, 0)) for value, label in Objection.Status.choices]


def _initial_pairs():
    """(assessment, competency, first assessor, second assessor, first's, second's) as first submitted.

    A judgement revised in reconciliation started as the ``proven_before`` of its first revision.
    """
    first_revision = JudgementRevision.objects.filter(judgement=OuterRef("pk")).order_by("created_at", "pk")
    rows = (
        Judgement.objects.filter(
            sheet__status=ScoreSheet.Status.SUBMITTED,
            sheet__assessment__status__in=[Status.RECONCILIATION, *Assessment.DECIDED],
        )
        .annotate(before=Subquery(first_revision.values("proven_before")[:1]))
        .values_list(
            "sheet__assessment",
            "competency",
            "sheet__assessor",
            "sheet__assessment__first_assessor",
            "proven",
            "before",
        )
    )
    by_key: dict[tuple[int, int], dict] = defaultdict(dict)
    for assessment, competency, assessor, first, proven, before in rows:
        initial = proven if before is None else before
        by_key[(assessment, competency)]["first" if assessor == first else "second"] = (assessor, initial)
    for (assessment, competency), pair in by_key.items():
        if "first" in pair and "second" in pair:
            yield assessment, competency, pair["first"], pair["second"]


def _agreement(label: str, pairs: list) -> Agreement:
    return Agreement(
        label=label,
        assessments=len({assessment for assessment, *_rest in pairs}),
        judgements=len(pairs),
        agreed=sum(first[1] == second[1] for _a, _c, first, second in pairs),
        first_yes=sum(bool(first[1]) for _a, _c, first, _s in pairs),
        second_yes=sum(bool(second[1]) for _a, _c, _f, second in pairs),
    )


def assessor_agreement() -> tuple[list[Agreement], list[Agreement]]:
    """Percentage agreement and Cohen's kappa before reconciliation, per competency and per pair."""
    pairs = list(_initial_pairs())
    by_competency, by_pair = defaultdict(list), defaultdict(list)
    for pair in pairs:
        by_competency[pair[1]].append(pair)
        # The pair is the same whichever of the two was "first": order their judgements by person.
        assessment, competency, first, second = pair
        ordered = tuple(sorted([first, second], key=lambda judged: judged[0]))
        by_pair[(ordered[0][0], ordered[1][0])].append((assessment, competency, *ordered))
    competencies = Competency.objects.in_bulk(list(by_competency))
    people = User.objects.in_bulk({pk for key in by_pair for pk in key})
    per_competency = [
        _agreement(f"{c.order}. {c.text} ({c.code})", by_competency[c.pk])
        for c in sorted(competencies.values(), key=lambda c: (c.qualification_id, c.order))
    ]
    per_pair = [_agreement(f"{people[a]} / {people[b]}", rows) for (a, b), rows in sorted(by_pair.items())]
    return per_competency, per_pair
