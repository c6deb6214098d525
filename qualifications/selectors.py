from django.db.models import Prefetch, QuerySet

from .models import Competency, DescriptorElement, Qualification


def qualification_with_standard(queryset: QuerySet[Qualification] | None = None) -> QuerySet[Qualification]:
    """Qualifications with competencies, indicators and descriptor elements in a fixed number of queries."""
    queryset = queryset if queryset is not None else Qualification.objects.all()
    return queryset.prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.prefetch_related("indicators")),
        "descriptor_elements",
        "supplement_texts",
    )


def descriptor_groups(qualification: Qualification) -> list[tuple[str, str, list[DescriptorElement]]]:
    """The descriptor elements grouped by kind, in the order of the standard: (kind, label, items)."""
    elements = list(qualification.descriptor_elements.all())
    groups = []
    for kind, label in DescriptorElement.Kind.choices:
        items = sorted((e for e in elements if e.kind == kind), key=lambda e: e.order)
        if items:
            groups.append((kind, label, items))
    return groups


def competencies_by_category(qualification: Qualification) -> list[tuple[str, list[Competency]]]:
    competencies = list(qualification.competencies.all())
    return [
        (label, [c for c in competencies if c.category == category])
        for category, label in Competency.Category.choices
        if any(c.category == category for c in competencies)
    ]


def supplement_texts(qualification: Qualification) -> dict:
    return {text.key: text for text in qualification.supplement_texts.all()}
