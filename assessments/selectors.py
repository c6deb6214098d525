"""Reads of the procedure, each in a fixed number of queries whatever the size of the standard."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.api import people_matching
from accounts.models import User
from audit.api import Action, entries_about
from portal.queries import among
from qualifications.models import Competency, Indicator, Qualification

from .documents import documents
from .models import (
    Assessment,
    AssessmentQuerySet,
    CarriedOver,
    IndicatorNote,
    Judgement,
    JudgementRevision,
    Objection,
    PortfolioItem,
    ScoreSheet,
)

Status = Assessment.Status
DisplayStatus = Assessment.DisplayStatus


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


def carried_over(assessment: Assessment) -> list[CarriedOver]:
    """The competencies this assessment carries over from its chain, in the order of the standard."""
    return list(assessment.carried_over.select_related("competency", "proven_in").order_by("competency__order"))


def to_judge(assessment: Assessment) -> QuerySet[Competency]:
    """What the assessors of this assessment judge: the disputed competencies of an upheld
    objection; otherwise the standard less what is carried over."""
    objection: Objection | None = getattr(assessment, "objection_origin", None)
    if objection is not None:
        return objection.competencies.order_by("order")
    return assessment.qualification.competencies.exclude(
        pk__in=CarriedOver.objects.filter(assessment=assessment).values("competency_id")
    ).order_by("order")


def proven_in_chain(assessment: Assessment) -> dict[int, Assessment]:
    """Competency id → the assessment that proved it, for this decided assessment and its chain."""
    proven = {c.competency_id: c.proven_in for c in assessment.carried_over.select_related("proven_in")}
    for competency_id in Judgement.objects.filter(
        sheet__assessment=assessment, sheet__assessor_id=assessment.first_assessor_id, proven=True
    ).values_list("competency_id", flat=True):
        proven[competency_id] = assessment  # a decided assessment's judgements are agreed by both
    return proven


def proven_so_far(assessment: Assessment) -> list[Competency]:
    return list(assessment.qualification.competencies.filter(pk__in=proven_in_chain(assessment)).order_by("order"))


def not_proven(assessment: Assessment) -> QuerySet[Competency]:
    """The competencies the chain has not proven up to this decided assessment."""
    return assessment.qualification.competencies.exclude(pk__in=proven_in_chain(assessment)).order_by("order")


def decision_time(assessment: Assessment) -> datetime:
    """When this decided assessment was decided."""
    assert assessment.decided_at is not None, "only a decided assessment has a decision"
    return assessment.decided_at


def objection_deadline(assessment: Assessment) -> datetime:
    """The last moment the candidate may object to the decision."""
    return decision_time(assessment) + timedelta(days=settings.OBJECTION_PERIOD_DAYS)


@dataclass
class Outcome:
    """What the assessment page shows about the chain and the objection, for this user."""

    carried: list[CarriedOver]
    visible: set[int]  # ids of the linked assessments this user may open
    follow_up_id: int | None
    objection: Objection | None
    objection_deadline: object = None
    can_object: bool = False
    can_reassess: bool = False
    can_decide_objection: bool = False
    # The objection's reasons (the candidate's, and the administrator's for the outcome) are for
    # the candidate and the test centre; the assessors see its status and disputed competencies.
    shows_objection_reasons: bool = False


def refusal(check: Callable[[], None]) -> ValidationError | None:
    """What a service's check says about a step now: its refusal, or None when it would take it."""
    try:
        check()
    except ValidationError as error:
        return error
    return None


def allowed(check: Callable[[], None]) -> bool:
    """True when the service's own check lets the step through: a page offers a step exactly
    when its service would take it, and never restates the rule."""
    return refusal(check) is None


def outcome(assessment: Assessment, user: User) -> Outcome:
    # The services read through this module: they are imported when a page asks, not at load time.
    from .services import chain
    from .services import objection as objections

    carried = carried_over(assessment)
    follow_up_id = Assessment.objects.filter(previous=assessment).values_list("pk", flat=True).first()
    linked = {c.proven_in_id for c in carried} | {assessment.previous_id, follow_up_id}
    visible = set(Assessment.objects.for_user(user).filter(pk__in=linked - {None}).values_list("pk", flat=True))
    objection = Objection.objects.filter(assessment=assessment).select_related("new_assessment").first()
    can_object = allowed(lambda: objections.objection_check_lodgeable(actor=user, assessment=assessment))
    return Outcome(
        carried=carried,
        visible=visible,
        follow_up_id=follow_up_id,
        objection=objection,
        objection_deadline=objection_deadline(assessment) if can_object else None,
        can_object=can_object,
        can_reassess=user.is_administrator and allowed(lambda: chain.reassessment_check_schedulable(assessment)),
        can_decide_objection=user.is_administrator
        and objection is not None
        and allowed(lambda: objections.objection_check_open(objection)),
        shows_objection_reasons=user.is_administrator or user.pk == assessment.candidate_id,
    )


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
        _judgements().filter(sheet=sheet).prefetch_related("competency__indicators").order_by("competency__order")
    )


def portfolio(assessment: Assessment) -> list[PortfolioItem]:
    return list(
        assessment.portfolio_items.prefetch_related("competencies", "indicators__competency").order_by("uploaded_at")
    )


@dataclass
class LinkedItem:
    """A portfolio item as the score sheet shows it under one competency, with the indicators
    of that competency the candidate linked it to."""

    item: PortfolioItem
    indicators: list[Indicator]


def portfolio_by_competency(items: list[PortfolioItem]) -> dict[int, list[LinkedItem]]:
    linked: dict[int, list[LinkedItem]] = {}
    for item in items:
        for competency in item.competencies.all():
            indicators = sorted(
                (i for i in item.indicators.all() if i.competency_id == competency.pk), key=lambda i: i.order
            )
            linked.setdefault(competency.pk, []).append(LinkedItem(item, indicators))
    return linked


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of a correlated subquery: computed for the rows of the page only, not the table."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


def assessments_with_progress(queryset: AssessmentQuerySet) -> AssessmentQuerySet:
    """Adds ``judged``, ``to_judge`` and ``sheets_submitted`` for progress bars, and the status
    of an objection to the decision (``objection_status``), in the same query."""
    judgements = Judgement.objects.filter(sheet__assessment=OuterRef("pk"))
    return (
        queryset.with_people()
        .with_display_status()
        .annotate(
            judged=_count(judgements.filter(proven__isnull=False)),
            to_judge=_count(judgements),
            sheets_submitted=_count(
                ScoreSheet.objects.filter(assessment=OuterRef("pk"), status=ScoreSheet.Status.SUBMITTED)
            ),
            objection_status=Subquery(Objection.objects.filter(assessment=OuterRef("pk")).values("status")[:1]),
        )
    )


# What a certificate or statement number looks like (``0213-2026-000042``, ``0213-C-2026-000007``);
# anything else searched is a person.
CERTIFICATE_NUMBER = re.compile(r"^[0-9A-Za-z]+(-[A-Za-z]+)?-[0-9]{4}-[0-9]+$")


# The dashboard's objection filter: every decision objected to, whatever the objection's status.
ANY_OBJECTION = "any"


def local_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the portal's time zone, as an aware moment."""
    return timezone.make_aware(datetime.combine(day, time.min))


def assessment_list(**filters: Any) -> AssessmentQuerySet:
    """The administrator's dashboard: every assessment, filtered (``assessments_filtered``), with
    its progress."""
    return assessments_with_progress(assessments_filtered(**filters))


EXPORT_CHUNK = 2000


def assessment_export_rows(**filters: Any) -> Iterator[tuple[Any, ...]]:
    """The dashboard's selection as rows of a spreadsheet, read in chunks (any number of rows),
    each chunk's documents in one more query."""
    statuses: dict[object, str | Promise] = dict(Status.choices)
    rows = (
        assessments_filtered(**filters)
        .order_by("scheduled_at", "pk")
        .values_list(
            "pk",
            "scheduled_at",
            "candidate__first_name",
            "candidate__last_name",
            "candidate__email",
            "qualification__code",
            "location",
            "status",
            "first_assessor__email",
            "second_assessor__email",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        issued = documents().of([row[0] for row in chunk])
        for pk, *row in chunk:
            document = issued.get(pk)
            number = document.number if document else None
            revoked = _("Revoked") if document and document.revoked_at else ""
            yield (*row[:6], str(statuses[row[6]]), *row[7:9], number, revoked)


def assessments_filtered(
    *,
    status: str = "",
    assessor: User | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    location: str = "",
    search: str = "",
    objection: str = "",
) -> AssessmentQuerySet:
    """Every filter reads an index: dates are compared as a range of moments (never the date of a
    column, which would read every row), the search matches the start of names and addresses.
    ``objection``: "any" for the decisions objected to, or an objection's status."""
    assessments = Assessment.objects.all()
    # ``status`` is a display status: "certified" leaves out the revoked ones, "revoked" finds
    # them; both read the status index (and the few revoked certificates), not a computed value.
    if status == DisplayStatus.REVOKED:
        assessments = assessments.filter(status=Status.CERTIFIED, pk__in=documents().revoked())
    elif status == DisplayStatus.CERTIFIED:
        # Certified ones in the page's order, each probed for a revocation (``NOT EXISTS`` on the
        # certificate's unique assessment index): a page reads about as many rows as it shows,
        # where a list of every revoked one grows with the documents.
        assessments = assessments.filter(status=Status.CERTIFIED).exclude(
            Exists(documents().revoked(of=OuterRef("pk")))
        )
    elif status:
        assessments = assessments.filter(status=status)
    if assessor:
        assessments = assessments.filter(Q(first_assessor=assessor) | Q(second_assessor=assessor))
    if date_from:
        assessments = assessments.filter(scheduled_at__gte=local_day_start(date_from))
    if date_to:
        assessments = assessments.filter(scheduled_at__lt=local_day_start(date_to + timedelta(days=1)))
    if location:
        assessments = assessments.filter(location__iexact=location.strip())
    if objection == ANY_OBJECTION:
        assessments = assessments.filter(objection__isnull=False)
    elif objection:
        # The objections of one status are read first (the status index), then the page of their
        # assessments (``among``): as a join, or told thousands of ids, the planner walks the
        # schedule from today probing each session, and few sessions still to come are objected to.
        assessments = among(assessments, Objection.objects.filter(status=objection).values("assessment_id"))
    if CERTIFICATE_NUMBER.match(search.strip()):
        # Numbers are issued in capitals; one typed in lower case is the same number. Both
        # spellings read the unique index, where a case-insensitive comparison would not.
        typed = search.strip()
        assessments = assessments.filter(pk__in=documents().numbered({typed, typed.upper()}))
    elif search.strip():
        # People only: an OR with the certificate would join every assessment to its certificate.
        assessments = assessments.filter(candidate__in=people_matching(search))
    return assessments


def assessor_assessments(assessor: User) -> list[QuerySet[Assessment]]:
    """An assessor's dashboard: their assessments, with the status of their own sheet, as one
    queryset per seat, to be paged together (``portal.pagination.Keyset``): each reads the index
    of its seat in schedule order, where ``first = X OR second = X`` has no index and walks the
    whole schedule."""
    own_sheet = ScoreSheet.objects.filter(assessment=OuterRef("pk"), assessor=assessor).values("status")[:1]
    if not Assessment.objects.for_user(assessor).exists():
        return [Assessment.objects.none()]
    shown = Assessment.objects.with_people().with_display_status().annotate(my_sheet=Subquery(own_sheet))
    return list(shown.by_seat(assessor))


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
    # The services read through this module: they are imported when a page asks, not at load time.
    from .services import lifecycle, scoring

    if not (user.is_administrator or assessment.is_assessor(user)):
        return NextSteps()
    scoring_open = allowed(lambda: scoring.scoring_check_open(assessment))
    start_refused = refusal(lambda: lifecycle.assessment_check_startable(assessment))
    return NextSteps(
        start=start_refused is None,
        start_opens_at=assessment.start_opens_at if getattr(start_refused, "code", None) == "too_early" else None,
        end=allowed(lambda: lifecycle.assessment_check_endable(assessment)),
        own_sheet=sheet_for_assessor(assessment, user) if scoring_open and assessment.is_assessor(user) else None,
        reconciliation=not assessment.is_blind and assessment.started_at is not None,
        change_assessors=user.is_administrator
        and allowed(lambda: lifecycle.assessment_check_assessors_changeable(assessment)),
        reschedule=user.is_administrator and allowed(lambda: lifecycle.assessment_check_schedulable(assessment)),
    )


def assessor_overlaps(assessment: Assessment) -> list[Assessment]:
    """Other booked sessions of either assessor whose time overlaps this one's.

    A session takes from its scheduled time for its planned duration (at most the qualification's
    maximum). A warning, not a rule: the sessions may still be ended sooner than planned.
    """
    if assessment.status not in Assessment.BOOKED:
        return []
    longest = timedelta(hours=24)  # no qualification allows a longer session; bounds the query
    nearby = (
        Assessment.objects.with_people()
        .filter(
            status__in=Assessment.BOOKED,
            scheduled_at__gt=assessment.scheduled_at - longest,
            scheduled_at__lt=assessment.planned_end,
        )
        .filter(Q(first_assessor__in=assessment.assessor_ids) | Q(second_assessor__in=assessment.assessor_ids))
        .exclude(pk=assessment.pk)
        .order_by("scheduled_at")
    )
    return [other for other in nearby if other.planned_end > assessment.scheduled_at]


def day_sessions(day: date, *, location: str = "") -> AssessmentQuerySet:
    """The sessions of one date (at one place, when given), with place, assessors and status, to
    be read a page at a time in the order of the day (``portal.pagination.Keyset``).

    The dashboard's filters of a date and a place: the date is a range of moments, read from the
    schedule's index (the date of the column would be computed for every row)."""
    return assessments_filtered(date_from=day, date_to=day, location=location).with_people().with_display_status()


def day_session_count(day: date, *, location: str = "") -> int:
    """How many sessions ``day_sessions`` holds. Without a place, counted from the schedule's
    index alone (its entries of that day, no row read): a few index pages on the busiest day."""
    return assessments_filtered(date_from=day, date_to=day, location=location).count()


@dataclass
class TimelineStep:
    title: str
    at: datetime | None
    note: str = ""
    done: bool = True  # False: a step to come, at its planned date


@dataclass
class Timeline:
    """A candidate's procedure for one qualification, its assessments in order (re-assessments and
    an upheld objection's new assessment follow the one they continue)."""

    candidate: User
    qualification: Qualification
    current: Assessment
    steps: list[TimelineStep]
    next_steps: list[str]
    deadlines: list[tuple[str, datetime]]


def _procedure(assessment: Assessment) -> list[Assessment]:
    """The whole chain this assessment belongs to, the first first, up to its last follow-up."""
    chain = assessment.chain()
    while (following := Assessment.objects.with_people().filter(previous=chain[-1]).first()) is not None:
        chain.append(following)
    return chain


def _scheduled_title(assessment: Assessment) -> str:
    if assessment.previous_id is None:
        return _("Assessment scheduled")
    if hasattr(assessment, "objection_origin"):
        return _("New assessment after the objection scheduled")
    return _("Re-assessment scheduled")


def _session_steps(assessment: Assessment) -> list[TimelineStep]:
    """Scheduling, moves and cancellation (from the audit trail), the session and its scoring."""
    place = assessment.location or "—"
    steps = [
        TimelineStep(
            _scheduled_title(assessment),
            assessment.created_at,
            _("Session on %(date)s, %(place)s") % {"date": _shown(assessment.scheduled_at), "place": place},
        )
    ]
    for entry in entries_about(assessment, actions=[Action.ASSESSMENT_RESCHEDULED, Action.ASSESSMENT_CANCELLED]):
        if entry.action == Action.ASSESSMENT_RESCHEDULED:
            steps.append(TimelineStep(_("Rescheduled"), entry.created_at, entry.summary))
        else:
            steps.append(TimelineStep(_("Cancelled"), entry.created_at, assessment.cancellation_reason))
    if assessment.status == Status.REGISTERED:
        steps.append(TimelineStep(_("Portfolio open until the start"), assessment.scheduled_at, done=False))
        steps.append(TimelineStep(_("Assessment session"), assessment.scheduled_at, place, done=False))
    if assessment.started_at:
        steps.append(TimelineStep(_("Started"), assessment.started_at))
    if assessment.ended_at:
        steps.append(TimelineStep(_("Ended"), assessment.ended_at))
    submitted = [sheet.submitted_at for sheet in score_sheets(assessment) if sheet.is_submitted and sheet.submitted_at]
    if len(submitted) == 2:
        steps.append(TimelineStep(_("Scored"), max(submitted), _("Both assessors submitted their score sheets.")))
    return steps


def _outcome_steps(assessment: Assessment) -> list[TimelineStep]:
    """Reconciliation, the decision, the document and an objection."""
    steps = []
    revised = (
        JudgementRevision.objects.filter(judgement__sheet__assessment=assessment)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if assessment.status == Status.RECONCILIATION:
        steps.append(TimelineStep(_("Reconciliation of the assessors' judgements"), None, done=False))
    elif revised is not None:
        steps.append(TimelineStep(_("Judgements reconciled"), revised))
    if assessment.decided_at:
        steps.append(TimelineStep(_("Decision"), assessment.decided_at, str(Status(assessment.status).label)))
    document = documents().of([assessment.pk]).get(assessment.pk)
    if document is not None:
        steps.append(
            TimelineStep(
                _("%(document)s issued") % {"document": document.kind_label},
                document.issued_at,
                document.number,
            )
        )
        if document.revoked_at:
            steps.append(TimelineStep(_("Document revoked"), document.revoked_at, document.number))
    objection = Objection.objects.filter(assessment=assessment).first()
    if objection is not None:
        steps.append(TimelineStep(_("Objection lodged"), objection.lodged_at))
        if objection.decided_at:
            steps.append(TimelineStep(_("Objection decided"), objection.decided_at, objection.get_status_display()))
    return steps


def _shown(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _what_comes_next(last: Assessment) -> tuple[list[str], list[tuple[str, datetime]]]:
    """What the candidate can expect or do now, by the services' own checks, and the dates that bound it."""
    from .services import chain
    from .services import objection as objections

    next_steps, deadlines = [], []
    if last.status == Status.REGISTERED:
        next_steps.append(_("You can add files to your portfolio until the assessment starts."))
        next_steps.append(_("The assessment session: %(date)s.") % {"date": _shown(last.scheduled_at)})
    elif last.status == Status.SCORING:
        next_steps.append(_("The assessors complete their score sheets."))
    elif last.status == Status.RECONCILIATION:
        next_steps.append(_("The assessors reconcile their judgements; the decision follows."))
    elif last.status == Status.CANCELLED:
        next_steps.append(_("The test centre may schedule a new assessment."))
    elif last.status == Status.CERTIFIED:
        next_steps.append(_("Every competency is proven: your proof of professional qualification is in the portal."))
    if last.has_open_objection():
        next_steps.append(_("The test centre decides on your objection."))
    if allowed(lambda: objections.objection_check_lodgeable(actor=last.candidate, assessment=last)):
        next_steps.append(_("You may object to the decision."))
        deadlines.append((_("Objection possible until"), objection_deadline(last)))
    if allowed(lambda: chain.reassessment_check_schedulable(last)):
        next_steps.append(_("The test centre can schedule a re-assessment of the competencies not proven yet."))
    if last.status == Status.NOT_CERTIFIED:
        for proven_in in sorted(set(proven_in_chain(last).values()), key=decision_time):
            if (until := chain.valid_until(proven_in)) is not None:
                label = (
                    _("Competencies proven now count for a re-assessment until")
                    if proven_in == last
                    else _("Competencies proven on %(date)s count for a re-assessment until")
                    % {"date": _shown(decision_time(proven_in))}
                )
                deadlines.append((label, until))
    return next_steps, deadlines


def candidate_timeline(assessment: Assessment) -> Timeline:
    """Every step of the candidate's procedure that this assessment belongs to, with its date."""
    procedure = _procedure(assessment)
    steps = []
    for step in procedure:
        steps += _session_steps(step) + _outcome_steps(step)
    last = procedure[-1]
    next_steps, deadlines = _what_comes_next(last)
    return Timeline(
        candidate=assessment.candidate,
        qualification=assessment.qualification,
        current=last,
        steps=steps,
        next_steps=next_steps,
        deadlines=deadlines,
    )
