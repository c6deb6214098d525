"""Reads of the procedure, each in a fixed number of queries whatever the size of the standard."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from qualifications.models import Competency

from .models import Assessment, IndicatorNote, Judgement, PortfolioItem, ScoreSheet

Status = Assessment.Status
DisplayStatus = Assessment.DisplayStatus
OPEN_STATUSES = (Status.REGISTERED, Status.SCORING, Status.RECONCILIATION)


@dataclass
class CompetencyPair:
    """The two assessors' judgements of one competency."""

    competency: Competency
    first: Judgement
    second: Judgement

    @property
    def agreed(self) -> bool:
        return self.first.proven is not None and self.first.proven == self.second.proven

    @property
    def proven(self) -> bool:
        return self.agreed and bool(self.first.proven)

def _judgements() -> QuerySet[Judgement]:
    return Judgement.objects.select_related("sheet", "competency").prefetch_related(
        Prefetch("notes", queryset=IndicatorNote.objects.select_related("indicator")),
        "observations",
        "revisions",
    )


def competency_pairs(assessment: Assessment) -> list[CompetencyPair]:
    """Both sheets side by side, in the order of the standard (only meaningful once both are submitted).

    A competency judged on one sheet only has no pair; the decision refuses such sheets.
    """
    by_competency: dict[int, dict[int, Judgement]] = {}
    for judgement in _judgements().filter(sheet__assessment=assessment).order_by("competency__order"):
        by_competency.setdefault(judgement.competency_id, {})[judgement.sheet.assessor_id] = judgement
    first, second = assessment.assessor_ids
    return [
        CompetencyPair(judgements[first].competency, judgements[first], judgements[second])
        for judgements in by_competency.values()
        if first in judgements and second in judgements
    ]


def sheet_for_assessor(assessment: Assessment, assessor: User) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(assessment=assessment, assessor=assessor).first()


def score_sheets(assessment: Assessment) -> list[ScoreSheet]:
    """Both sheets with their assessors: their progress, for administrators."""
    return list(assessment.score_sheets.select_related("assessor"))


def sheet_judgements(sheet: ScoreSheet) -> list[Judgement]:
    return list(
        _judgements()
        .filter(sheet=sheet)
        .prefetch_related("competency__indicators")
        .order_by("competency__order")
    )


def portfolio(assessment: Assessment) -> list[PortfolioItem]:
    return list(
        assessment.portfolio_items.prefetch_related("competencies", "indicators__competency").order_by("uploaded_at")
    )


def portfolio_by_competency(items: list[PortfolioItem]) -> dict[int, list[PortfolioItem]]:
    linked: dict[int, list[PortfolioItem]] = {}
    for item in items:
        for competency in item.competencies.all():
            linked.setdefault(competency.pk, []).append(item)
    return linked


def assessments_with_progress(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Adds ``judged``, ``to_judge`` and ``sheets_submitted`` for progress bars, in the same query."""
    return queryset.with_people().with_display_status().annotate(
        judged=Count("score_sheets__judgements", filter=Q(score_sheets__judgements__proven__isnull=False)),
        to_judge=Count("score_sheets__judgements"),
        sheets_submitted=Count(
            "score_sheets", filter=Q(score_sheets__status=ScoreSheet.Status.SUBMITTED), distinct=True
        ),
    ).order_by("-scheduled_at", "-pk")  # aggregation drops Meta.ordering


def assessment_list(
    *, status: str = "", assessor: User | None = None, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Assessment]:
    """The administrator's dashboard: every assessment, filtered, with its progress.

    ``status`` is a display status: "certified" leaves out the revoked ones, "revoked" finds them.
    """
    assessments = Assessment.objects.with_display_status()
    if status:
        assessments = assessments.filter(display_status=status)
    if assessor:
        assessments = assessments.filter(Q(first_assessor=assessor) | Q(second_assessor=assessor))
    if date_from:
        assessments = assessments.filter(scheduled_at__date__gte=date_from)
    if date_to:
        assessments = assessments.filter(scheduled_at__date__lte=date_to)
    return assessments_with_progress(assessments)


def assessor_assessments(assessor: User) -> QuerySet[Assessment]:
    """An assessor's dashboard: their assessments, with the status of their own sheet."""
    own_sheet = ScoreSheet.objects.filter(assessment=OuterRef("pk"), assessor=assessor).values("status")[:1]
    return (
        Assessment.objects.for_user(assessor).with_people().with_display_status()
        .annotate(my_sheet=Subquery(own_sheet))
    )


def candidate_assessments(candidate: User) -> QuerySet[Assessment]:
    return Assessment.objects.for_user(candidate).with_people().with_display_status()


@dataclass
class NextSteps:
    """What the assessment page offers this person to do now."""

    start: bool = False
    start_opens_at: datetime | None = None  # set while it is too early to record the start
    end: bool = False
    own_sheet: ScoreSheet | None = None
    reconciliation: bool = False
    change_assessors: bool = False  # shown beside the assessors, not among the steps
    reschedule: bool = False  # reschedule or cancel, beside the date

    @property
    def any(self) -> bool:
        return self.start or self.end or self.score_sheet or self.reconciliation

    @property
    def score_sheet(self) -> bool:
        return self.own_sheet is not None


def next_steps(assessment: Assessment, user: User) -> NextSteps:
    """Staff record the start and end; each assessor fills in their sheet; both sheets show once
    scoring is no longer blind."""
    if not (user.is_administrator or assessment.is_assessor(user)):
        return NextSteps()
    own_sheet = sheet_for_assessor(assessment, user) if assessment.is_assessor(user) else None
    registered = assessment.status == Status.REGISTERED
    too_early = timezone.now() < assessment.start_opens_at
    return NextSteps(
        start=registered and not too_early,
        start_opens_at=assessment.start_opens_at if registered and too_early else None,
        end=assessment.status == Status.SCORING and assessment.ended_at is None,
        own_sheet=own_sheet if assessment.status == Status.SCORING else None,
        reconciliation=not assessment.is_blind and assessment.started_at is not None,
        change_assessors=user.is_administrator and registered,
        reschedule=user.is_administrator and registered,
    )


def assessor_overlaps(assessment: Assessment) -> list[Assessment]:
    """Other booked sessions of either assessor whose time overlaps this one's.

    A session takes from its scheduled time up to the qualification's maximum duration. A
    warning, not a rule: two short sessions may follow each other within that span.
    """
    if assessment.status not in Assessment.BOOKED:
        return []
    longest = timedelta(hours=24)  # no qualification allows a longer session; bounds the query
    nearby = (
        Assessment.objects.with_people()
        .filter(status__in=Assessment.BOOKED,
                scheduled_at__gt=assessment.scheduled_at - longest, scheduled_at__lt=assessment.planned_end)
        .filter(Q(first_assessor__in=assessment.assessor_ids) | Q(second_assessor__in=assessment.assessor_ids))
        .exclude(pk=assessment.pk)
        .order_by("scheduled_at")
    )
    return [other for other in nearby if other.planned_end > assessment.scheduled_at]


def day_sessions(day: date) -> QuerySet[Assessment]:
    """The sessions of one date, in the order of the day, with place, assessors and status."""
    return (
        Assessment.objects.with_people().with_display_status()
        .filter(scheduled_at__date=day)
        .order_by("scheduled_at", "location", "pk")
    )


@dataclass
class ReportFigures:
    by_status: list[tuple[str, int]]
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


def report_figures() -> ReportFigures:
    """Counts per display status, certification rate, overruns and assessor workload.

    The rate is of valid certificates among decided assessments: a revoked certificate is a
    decided assessment that no longer counts as certified.
    """
    statuses = dict(
        Assessment.objects.with_display_status().order_by().values_list("display_status").annotate(n=Count("pk"))
    )
    certified = statuses.get(DisplayStatus.CERTIFIED, 0)
    revoked = statuses.get(DisplayStatus.REVOKED, 0)
    ended = Assessment.objects.filter(ended_at__isnull=False).select_related("qualification")
    overruns = [a for a in ended.only("started_at", "ended_at", "qualification__max_assessment_hours") if a.ran_over]
    return ReportFigures(
        by_status=[(label, statuses.get(value, 0)) for value, label in DisplayStatus.choices],
        total=sum(statuses.values()),
        decided=certified + revoked + statuses.get(Status.NOT_CERTIFIED, 0),
        certified=certified,
        revoked=revoked,
        ended=ended.count(),
        overruns=len(overruns),
        workload=_assessor_workload(),
    )


def _assessor_workload() -> list[tuple[User, int, int]]:
    """(assessor, open assessments, all assessments) per assessor, in two queries."""
    rows: dict[int, list[int]] = {}
    for first, second, status in Assessment.objects.values_list("first_assessor", "second_assessor", "status"):
        for assessor_id in (first, second):
            counts = rows.setdefault(assessor_id, [0, 0])
            counts[0] += status in OPEN_STATUSES
            counts[1] += 1
    assessors = User.objects.filter(pk__in=rows).order_by("last_name", "first_name")
    return [(assessor, *rows[assessor.pk]) for assessor in assessors]
