"""The rules of the procedure (writes), one module per stage. Views call exactly one of these.

Every function takes keyword arguments, checks the rule it implements, changes the database
inside one transaction together with its audit entry, and raises ``ValidationError`` (with a
code, and the argument it is about where there is one) when the rule says no. Nothing is
half-written.
"""

from .chain import reassessment_check_schedulable, reassessment_schedule
from .decision import assessment_decide
from .imports import assessments_import
from .lifecycle import (
    assessment_assign_assessors,
    assessment_cancel,
    assessment_check_assessors_changeable,
    assessment_check_endable,
    assessment_check_schedulable,
    assessment_check_startable,
    assessment_create,
    assessment_end,
    assessment_move,
    assessment_reschedule,
    assessment_start,
)
from .objection import (
    objection_check_lodgeable,
    objection_check_open,
    objection_decide,
    objection_lodge,
    objection_reject,
    objection_uphold,
)
from .portfolio import portfolio_check_open, portfolio_item_add, portfolio_item_open, portfolio_item_withdraw
from .reconciliation import judgement_revise, reconciliation_check_open
from .scoring import JudgementEntry, observation_open, score_sheet_save, scoring_check_open

__all__ = [
    "JudgementEntry",
    "assessment_assign_assessors",
    "assessment_cancel",
    "assessment_check_assessors_changeable",
    "assessment_check_endable",
    "assessment_check_schedulable",
    "assessment_check_startable",
    "assessment_create",
    "assessment_decide",
    "assessment_end",
    "assessment_move",
    "assessment_reschedule",
    "assessment_start",
    "assessments_import",
    "judgement_revise",
    "objection_check_lodgeable",
    "objection_check_open",
    "objection_decide",
    "objection_lodge",
    "objection_reject",
    "objection_uphold",
    "observation_open",
    "portfolio_check_open",
    "reassessment_check_schedulable",
    "reassessment_schedule",
    "reconciliation_check_open",
    "portfolio_item_add",
    "portfolio_item_open",
    "portfolio_item_withdraw",
    "score_sheet_save",
    "scoring_check_open",
]
