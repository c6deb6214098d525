"""The apps talk across through each other's ``api`` (docs/decisions/0029). The import contracts
(``lint-imports``) see imports only; what they cannot see is a query that names a higher app's
table by a string (``certificate__status`` in ``assessments``), which these tests look for."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from assessments import documents
from certificates.api import DocumentsOfDecisions

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["qualifications", "accounts", "audit", "assessments", "certificates", "notifications"]


def reverse_relations_from_above(app: str) -> set[str]:
    """The names by which a model of ``app`` reaches the rows of a higher app (its reverse relations)."""
    names = set()
    for model in apps.get_app_config(app).get_models():
        for field in model._meta.get_fields():
            if not field.auto_created or field.concrete or field.related_model is None or field.hidden:
                continue
            other = field.related_model._meta.app_label
            if other in LAYERS and LAYERS.index(other) > LAYERS.index(app):
                names |= {field.name, field.get_accessor_name()}
    return names


def sources(app: str) -> list[Path]:
    code = [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]
    return code + sorted((ROOT / "templates" / app).rglob("*.html"))


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_no_app_reaches_a_higher_apps_rows_by_a_reverse_relation(app):
    names = reverse_relations_from_above(app)
    if not names:
        return
    alternatives = "|".join(sorted(map(re.escape, names)))
    named = re.compile(rf"\b({alternatives})__|\.({alternatives})\b|[\"']({alternatives})[\"']")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources(app)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if named.search(line)
    ]
    assert not found, f"{app} names a higher app's rows (ask its documents or signals instead): {found}"


def test_the_reverse_relations_looked_for_include_the_certificate_of_an_assessment():
    # The test above looks for something: the one-to-one of a certificate with its assessment.
    assert "certificate" in reverse_relations_from_above("assessments")


def test_the_certificates_answer_for_the_documents_of_decisions():
    assert isinstance(documents.documents(), DocumentsOfDecisions)


def test_without_an_app_answering_for_documents_the_procedure_says_so(monkeypatch):
    monkeypatch.setattr(documents, "_answering", [])
    with pytest.raises(ImproperlyConfigured):
        documents.documents()
