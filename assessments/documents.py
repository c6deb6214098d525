"""The document a decision issued, as this app reads it.

The documents are kept by ``certificates``, which sits above this app (docs/decisions/0001): this
app imports nothing of it and names none of its tables or fields in a query. ``certificates``
answers the questions of ``Documents`` and registers its answer when Django starts
(``register_documents``, from its ``AppConfig.ready``); see docs/decisions/0029.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from qualifications.models import Proof


@dataclass(frozen=True)
class Document:
    """A document a decision issued, as the procedure shows it."""

    assessment_id: int
    kind: str  # a ``qualifications.models.Proof``
    number: str
    issued_at: datetime
    revoked_at: datetime | None

    @property
    def kind_label(self) -> str:
        return str(Proof(self.kind).label)


class Documents(Protocol):
    def of(self, assessment_ids: Collection[int]) -> dict[int, Document]:
        """The document of each of these assessments that has one, by assessment id."""
        ...

    def revoked(self, of: Any = None) -> "QuerySet[Any, int]":
        """The ids of the assessments whose document was revoked: a query, read as a subquery
        where it is used (there are few). With ``of`` (an ``OuterRef`` to an assessment), that
        assessment's only: a correlated lookup of the row shown."""
        ...

    def numbered(self, numbers: Collection[str]) -> "QuerySet[Any, int]":
        """The ids of the assessments whose document has one of these numbers, as a query."""
        ...


_answering: list[Documents] = []


def register_documents(documents: Documents) -> None:
    """Name the app that answers for the documents (the last one registered answers)."""
    _answering[:] = [documents]


def documents() -> Documents:
    if not _answering:
        raise ImproperlyConfigured("No installed app answers for the documents of decisions (certificates does).")
    return _answering[0]
