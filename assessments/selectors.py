"""Reads of the procedure, each in a fixed number of queries whatever the size of the standard."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from qualifications.models import Competency

from .models import Assessment, IndicatorNote, Judgement, PortfolioItem, ScoreSheet, User


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
    return queryset.with_people().annotate(
        judged=Count("score_sheets__judgements", filter=Q(score_sheets__judgements__proven__isnull=False)),
        to_judge=Count("score_sheets__judgements"),
        sheets_submitted=Count(
            "score_sheets", filter=Q(score_sheets__status=ScoreSheet.Status.SUBMITTED), distinct=True
        ),
    ).order_by("-scheduled_at", "-pk")  # aggregation drops Meta.ordering
