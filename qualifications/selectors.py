from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise

from .models import Competency, DescriptorElement, PartialQualification, Proof, Qualification, SupplementText


def qualification_with_standard(queryset: QuerySet[Qualification] | None = None) -> QuerySet[Qualification]:
    """Qualifications with competencies, indicators and descriptor elements in a fixed number of queries."""
    queryset = queryset if queryset is not None else Qualification.objects.all()
    return queryset.prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.prefetch_related("indicators")),
        "descriptor_elements",
        "supplement_texts",
    )


def descriptor_groups(qualification: Qualification) -> list[tuple[str, str | Promise, list[DescriptorElement]]]:
    """The descriptor elements grouped by kind, in the order of the standard: (kind, label, items)."""
    elements = list(qualification.descriptor_elements.all())
    groups: list[tuple[str, str | Promise, list[DescriptorElement]]] = []
    for kind, label in DescriptorElement.Kind.choices:
        items = sorted((e for e in elements if e.kind == kind), key=lambda e: e.order)
        if items:
            groups.append((kind, label, items))
    return groups


def competencies_by_category(qualification: Qualification) -> list[tuple[str | Promise, list[Competency]]]:
    competencies = list(qualification.competencies.all())
    return [
        (label, [c for c in competencies if c.category == category])
        for category, label in Competency.Category.choices
        if any(c.category == category for c in competencies)
    ]


def supplement_texts(qualification: Qualification) -> dict[str, SupplementText]:
    return {text.key: text for text in qualification.supplement_texts.all()}


@dataclass(frozen=True)
class ProofDue:
    """The proof a decision issues (``kind`` None: none) and the partial qualifications it names."""

    kind: Proof | None
    partial_qualifications: tuple[PartialQualification, ...] = ()


def proof_due(*, qualification_id: int, proven: Iterable[int]) -> ProofDue:
    """The proof the EVC decree gives for the competencies (ids) a re-assessment chain proved.

    Every competency of the qualification proven: the proof of professional qualification.
    Otherwise, when every competency of one or more partial qualifications is proven: one proof of
    partial qualification naming each of them. Otherwise, when at least one competency is proven:
    the proof of competencies. Otherwise none.
    """
    standard = set(Competency.objects.filter(qualification=qualification_id).values_list("pk", flat=True))
    proven = standard & set(proven)
    if standard and proven == standard:
        return ProofDue(Proof.CERTIFICATE)
    partials = PartialQualification.objects.filter(qualification=qualification_id).prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.only("pk"))
    )
    # A partial qualification without competencies would be "complete" with nothing proven.
    complete = tuple(
        partial for partial in partials if (grouped := {c.pk for c in partial.competencies.all()}) and grouped <= proven
    )
    if complete:
        return ProofDue(Proof.PARTIAL, complete)
    return ProofDue(Proof.STATEMENT if proven else None)
