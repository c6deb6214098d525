"""The text of every kind of document in every language pair, as a reader gets it.

Each kind is issued once for this module (the proof of professional qualification with its Europass
supplement, a proof of partial qualification, a proof of competencies) and rendered in the six
ordered pairs of Dutch, French and English; the tests only read the extracted text.
"""

import re
from dataclasses import dataclass
from io import BytesIO
from itertools import permutations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from .conftest import render_once

# Rendered once for the module (below, on ``module_db``); each test still has the database, so
# that the test database is set up when this module runs alone.
pytestmark = pytest.mark.django_db
PAIRS = list(permutations(["nl", "fr", "en"], 2))
TITLES = {
    "proof": "Proof of professional qualification",
    "supplement": "Certificate supplement",
    "partial": "Proof of partial qualification",
    "statement": "Proof of competencies",
}
PARTIAL_TITLES = {"nl": "Inkomende contacten", "fr": "Contacts entrants", "en": "Inbound contacts"}


@dataclass
class Document:
    number: str
    holder: str
    languages: tuple[str, str]
    text: str


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages))


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


@pytest.fixture(scope="module")
def documents(module_db) -> dict[tuple[str, tuple[str, str]], Document]:
    """(kind, pair) → the text of that document, issued and rendered by the shared helper."""
    specs = {(kind, pair): {"kind": kind, "languages": pair} for kind in TITLES for pair in PAIRS}
    rendered = render_once(**{f"{kind}-{'-'.join(pair)}": spec for (kind, pair), spec in specs.items()})
    return {
        (kind, pair): Document(document.number, document.holder_name, document.languages, text_of(document.pdf))
        for (kind, pair), document in zip(specs, rendered.values(), strict=True)
    }


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
@pytest.mark.parametrize("kind", TITLES)
def test_every_document_is_titled_numbered_and_named_in_both_languages_of_its_pair(documents, kind, pair):
    document = documents[kind, pair]
    for language in document.languages:
        assert in_language(language, TITLES[kind]) in document.text
        assert in_language(language, "Legal basis") in document.text or kind == "proof"
    assert document.number in document.text and document.holder in document.text


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
@pytest.mark.parametrize("kind", ["proof", "supplement", "statement"])  # the notice is a text of 0213's data
def test_a_translated_column_says_it_has_no_legal_value_and_dutch_is_the_authentic_text(documents, kind, pair):
    document = documents[kind, pair]
    notice = {"fr": "aucune valeur légale", "en": "no legal value"}
    for language in document.languages:
        if language != "nl":
            assert notice[language] in document.text.lower()


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_the_proof_is_always_in_dutch_and_one_translation(documents, pair):
    proof = documents["proof", pair]
    assert proof.languages[0] == "nl" and proof.languages[1] in pair
    assert "Bewijs van beroepskwalificatie" in proof.text
    # The qualification's legal basis is printed as the qualification's text says it, not under a second label.
    assert "beroepskwalificatie: Beroepskwalificatie:" not in proof.text


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_the_supplement_names_the_proof_it_accompanies_and_has_no_legal_status_of_its_own(documents, pair):
    supplement = documents["supplement", pair]
    for language in pair:
        accompanies = in_language(language, "Accompanies the proof of professional qualification no. %(number)s")
        assert accompanies % {"number": supplement.number} in supplement.text


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_the_proof_of_partial_qualification_names_its_partial_qualification_in_both_languages(documents, pair):
    partial = documents["partial", pair]
    text = partial.text.casefold()  # the style sheet sets the titles in capitals
    for language in pair:
        assert PARTIAL_TITLES[language].casefold() in text
    assert "uitgaande contacten" not in text  # competency 5 was not proven: no claim to it
