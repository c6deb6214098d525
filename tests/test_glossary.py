"""One vocabulary per language (docs/glossary.md): no retired term in a catalogue, a template, a
fixture text or a rendered document."""

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from .test_translations import entries

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
TEMPLATES = ROOT / "templates"
FIXTURES = ROOT / "fixtures"
LANGUAGES = frozenset({"nl", "fr", "en"})
# Every pair of languages a document can be rendered in, once each.
PAIRS = [("nl", "fr"), ("nl", "en"), ("fr", "en")]


@dataclass(frozen=True)
class RetiredTerm:
    term: str
    languages: frozenset[str]


def normalised(text: str) -> str:
    """Case, runs of spaces (also no-break spaces and line breaks) and apostrophes do not count."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).casefold()


def retired_terms() -> list[RetiredTerm]:
    """The rows of the glossary's table of retired terms: scope, term, replacement."""
    section = GLOSSARY.read_text().split("## Retired terms", 1)[1]
    terms = []
    for scope, term in re.findall(r"^\|([^|\n]+)\|([^|\n]+)\|[^|\n]+\|\s*$", section, re.M):
        scope, term = scope.strip(), term.strip()
        if scope == "scope" or set(scope) <= {"-"}:
            continue
        languages = LANGUAGES if scope == "all" else frozenset(scope.split())
        assert languages <= LANGUAGES, f"unknown scope {scope!r} of {term!r}"
        terms.append(RetiredTerm(term, languages))
    return terms


TERMS = retired_terms()


def retired_in(text: str, *languages: str) -> list[str]:
    """The retired terms of all ``languages`` that ``text`` holds."""
    text = normalised(text)
    return [t.term for t in TERMS if set(languages) <= t.languages and normalised(t.term) in text]


def test_the_glossary_retires_the_terms_of_the_earlier_regime_in_every_language():
    everywhere = {t.term for t in TERMS if t.languages == LANGUAGES}
    assert {
        "ervaringsbewijs",
        "titel van beroepsbekwaamheid",
        "titre de compétence professionnelle",
        "certificate of professional competence",
    } <= everywhere
    assert {language for t in TERMS for language in t.languages} == LANGUAGES


def test_a_term_is_found_whatever_its_case_spacing_or_apostrophe():
    assert retired_in("Le centre\u00a0d\u2019Évaluation statuera.", "fr") == ["centre d'évaluation"]
    assert retired_in("Contact Center operator", "en") == []  # the English title
    assert retired_in("Contact Center operator", "nl") == ["Contact Center operator"]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_catalogue_uses_a_retired_term(language):
    problems = []
    for _block, msgid, translations in entries(language):
        problems += [f"msgid {msgid!r}: {term}" for term in retired_in(msgid, "en")]
        for text in translations:
            problems += [f"msgstr {text!r}: {term}" for term in retired_in(text, language)]
    assert not problems, "\n".join(problems)


def test_no_template_uses_a_retired_term():
    problems = [
        f"{path.relative_to(TEMPLATES)}: {term}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for term in retired_in(path.read_text(), "en")
    ]
    assert not problems, "\n".join(problems)


def test_no_fixture_text_uses_a_retired_term():
    problems = []
    for path in sorted(FIXTURES.glob("*.json")):
        for row in json.loads(path.read_text()):
            for field, value in row["fields"].items():
                language = re.search(r"_(nl|fr|en)$", field)
                if language and isinstance(value, str):
                    problems += [
                        f"{path.name} {row['model']} {row['pk']} {field}: {term}"
                        for term in retired_in(value, language[1])
                    ]
    assert not problems, "\n".join(problems)


def europass_decision_titles() -> dict[str, str]:
    """The titles of Decision (EU) 2018/646 in the glossary's table, per language."""
    row = next(line for line in GLOSSARY.read_text().splitlines() if line.startswith("| Europass | Besluit (EU)"))
    nl, fr, en = (cell.strip() for cell in row.strip("|").split("|")[1:4])
    return {"nl": nl, "fr": fr, "en": en}


def test_the_supplement_cites_the_europass_decision_by_its_title_in_the_official_journal():
    notes = [
        row["fields"]
        for row in json.loads((FIXTURES / "qualification_0213.json").read_text())
        if row["model"] == "qualifications.supplementtext" and row["fields"]["key"] == "explanatory_note"
    ]
    assert notes
    for language, title in europass_decision_titles().items():
        assert title.startswith(("Besluit (EU) 2018/646", "Décision (UE) 2018/646", "Decision (EU) 2018/646"))
        for note in notes:
            assert title in note[f"text_{language}"], language


def language_of(element, default: str) -> str:
    """A structure element's language: its own ``/Lang`` or its nearest ancestor's."""
    while element is not None:
        element = element.get_object()
        if "/Lang" in element:
            return str(element["/Lang"])
        element = element.get("/P")
    return default


def text_by_language(pdf: bytes) -> dict[str, str]:
    """The text of a tagged PDF per language. Each run of text lies in a marked-content sequence
    (its MCID); the page's entry in the parent tree names the structure element of each MCID, and
    that element (or an ancestor) carries the language the HTML gave it."""
    reader = PdfReader(BytesIO(pdf))
    catalogue = reader.trailer["/Root"]
    default = str(catalogue["/Lang"])
    numbers = catalogue["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parents = {int(numbers[index]): numbers[index + 1].get_object() for index in range(0, len(numbers), 2)}
    texts = defaultdict(list)
    for page in reader.pages:
        for language, run in page_runs(page, parents.get(int(page.get("/StructParents", -1))), default):
            texts[language].append(run)
    return {language: " ".join(runs) for language, runs in texts.items()}


def page_runs(page, elements, default: str) -> list[tuple[str, str]]:
    """(language, text) of each run of text on a page; ``elements``: its structure elements by MCID."""
    marked, runs = [], []

    def before(operator, operands, _cm, _tm):
        if operator in (b"BDC", b"BMC"):
            properties = operands[-1] if operator == b"BDC" else None
            marked.append(properties.get("/MCID") if isinstance(properties, dict) else None)
        elif operator == b"EMC" and marked:
            marked.pop()

    def text(run, _cm, _tm, _font, _size):
        mcid = next((number for number in reversed(marked) if number is not None), None)
        element = elements[int(mcid)] if elements is not None and mcid is not None else None
        runs.append((language_of(element, default), run))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs


KINDS = ["supplement", "proof of professional qualification", "proof of competencies", "proof of partial qualification"]


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> dict[tuple[str, tuple[str, str]], dict[str, str]]:
    """The text of each document in every pair, rendered once for the module by the renderers the
    worker uses; the data is rolled back afterwards. A proof of professional qualification is in
    Dutch and the version's other language (or its first one, in a pair without Dutch)."""
    from certificates import services
    from certificates.rendering import render_proof_pdf, render_supplement_pdf
    from qualifications.models import Qualification

    from . import factories, flows
    from .conftest import qualification_with_partials_create

    texts = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "qualification_0213", verbosity=0)
        factories.IssuingCentreFactory()
        qualification = Qualification.objects.get(code="0213")
        certified = flows.certify(factories.AssessmentFactory(qualification=qualification))
        documents = {
            "supplement": (certified, render_supplement_pdf),
            "proof of professional qualification": (certified, render_proof_pdf),
            "proof of competencies": (
                flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10}),
                render_supplement_pdf,
            ),
            "proof of partial qualification": (
                flows.decide(
                    factories.AssessmentFactory(qualification=qualification_with_partials_create()), not_proven={5}
                ),
                render_supplement_pdf,
            ),
        }
        for kind, (assessment, render) in documents.items():
            for pair in PAIRS:
                version = services.supplement_queue(certificate=assessment.certificate, languages=pair)
                languages = version.proof_languages if render is render_proof_pdf else pair
                texts[kind, pair] = languages, assessment.qualification.code, text_by_language(render(version))
        transaction.set_rollback(True)
    return texts


# Marked so that the session sets up the test database, which the module's fixture uses.
@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_no_rendered_document_uses_a_retired_term(rendered, kind, pair):
    languages, code, texts = rendered[kind, pair]
    assert set(languages) <= set(texts) <= LANGUAGES  # each column's text is found, tagged with its language
    assert code in " ".join(texts.values())
    problems = [f"{language}: {term}" for language, text in texts.items() for term in retired_in(text, language)]
    assert not problems, "\n".join(problems)
