"""What the other apps may use of ``qualifications`` besides ``qualifications.models`` (the
standard as data, which every app reads): which proof a decision issues, the standard read in a
fixed number of queries, and the languages of its texts. Nothing else of this app; see
docs/decisions/0029."""

from .selectors import ProofDue, competencies_by_category, proof_due, qualification_with_standard, supplement_texts
from .translation import AUTHENTIC_LANGUAGE, LANGUAGE_CODES, active_language

__all__ = [
    "AUTHENTIC_LANGUAGE",
    "LANGUAGE_CODES",
    "ProofDue",
    "active_language",
    "competencies_by_category",
    "proof_due",
    "qualification_with_standard",
    "supplement_texts",
]
