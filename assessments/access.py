"""Object access, in one place. Each helper returns what the user may act on, or raises 404.

An object that exists but is not the user's looks exactly like one that does not exist.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.api import administrator_required

from .models import Assessment, Objection, Observation, PortfolioItem, ScoreSheet

__all__ = ["administrator_required"]


def get_assessment(user, pk: int) -> Assessment:
    return get_object_or_404(Assessment.objects.for_user(user).with_people().with_display_status(), pk=pk)


def get_candidate_assessment(user, pk: int) -> Assessment:
    """An assessment the user is the candidate of (the portfolio is theirs to change)."""
    assessment = get_assessment(user, pk)
    if assessment.candidate_id != user.pk:
        raise Http404
    return assessment


def get_timeline_assessment(user, pk: int) -> Assessment:
    """An assessment whose timeline the user may read: their own as candidate, any as administrator."""
    assessment = get_assessment(user, pk)
    if not (user.is_administrator or assessment.candidate_id == user.pk):
        raise Http404
    return assessment


def get_staff_assessment(user, pk: int) -> Assessment:
    """An assessment the user assesses or administers (recording start and end, reconciliation)."""
    assessment = get_assessment(user, pk)
    if not (user.is_administrator or assessment.is_assessor(user)):
        raise Http404
    return assessment


def get_own_score_sheet(user, pk: int) -> ScoreSheet:
    assessment = get_assessment(user, pk)
    if not assessment.is_assessor(user):
        raise Http404
    sheet = get_object_or_404(ScoreSheet, assessment=assessment, assessor=user)
    sheet.assessment = assessment
    return sheet


def get_portfolio_item(user, pk: int, item_pk: int) -> PortfolioItem:
    return get_object_or_404(PortfolioItem, assessment=get_assessment(user, pk), pk=item_pk)


def get_candidate_portfolio_item(user, pk: int, item_pk: int) -> PortfolioItem:
    """A portfolio item of the user's own assessment (theirs to withdraw)."""
    return get_object_or_404(PortfolioItem, assessment=get_candidate_assessment(user, pk), pk=item_pk)


def get_observation(user, pk: int, observation_pk: int) -> Observation:
    """The assessor who made it and administrators; the other assessor only once both sheets are in."""
    assessment = get_assessment(user, pk)
    observation = get_object_or_404(
        Observation.objects.select_related("judgement__sheet"),
        judgement__sheet__assessment=assessment,
        pk=observation_pk,
    )
    observation.judgement.sheet.assessment = assessment
    own = observation.judgement.sheet.assessor_id == user.pk
    if not (user.is_administrator or own or (assessment.is_assessor(user) and not assessment.is_blind)):
        raise Http404
    return observation


def get_objection(user, pk: int) -> Objection:
    """The objection against an assessment the user may see."""
    assessment = get_assessment(user, pk)
    objection = get_object_or_404(Objection, assessment=assessment)
    objection.assessment = assessment
    return objection
