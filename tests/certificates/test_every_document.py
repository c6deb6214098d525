"""The text of every kind of document in every language pair, as a reader gets it.

Each kind is issued once for this module (the proof of professional qualification with its Europass
supplement, a proof of partial qualification, a proof of competencies) and rendered in the six
ordered pairs of Dutch, French and English; the tests only read the extracted text.
"""

import re
from dataclasses import dataclass
from itertools import permutations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, SupplementVersion
from qualifications.models import Qualification

from .. import factories, flows
from ..conftest import qualification_with_partials_create

# Rendered once for the module (below); each test still has the database, so that the test
# database is set up when this module runs alone.
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


def text_of(path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(path).pages))


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


def rendered(certificate: Certificate, languages: tuple[str, str]) -> SupplementVersion:
    version = certificate.versions.filter(first_language=languages[0], second_language=languages[1]).first()
    version = version or services.supplement_queue(certificate=certificate, languages=languages)
    services.supplement_render(version_id=version.pk, attempt_id=f"every-document-{languages}")
    version.refresh_from_db()
    assert version.status == SupplementVersion.Status.READY, version.error
    return version


@pytest.fixture(scope="module")
def documents(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[tuple[str, tuple[str, str]], Document]:
    """(kind, pair) → the document's text; the database work is rolled back, the texts are kept."""
    found = {}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        call_command("loaddata", "qualification_0213", verbosity=0)
        factories.IssuingCentreFactory()
        standard = Qualification.objects.get(code="0213")
        issued = {
            "certificate": flows.certify(factories.AssessmentFactory(qualification=standard)).certificate,
            "statement": flows.decide(factories.AssessmentFactory(qualification=standard), not_proven={2}).certificate,
            "partial": flows.decide(
                factories.AssessmentFactory(qualification=qualification_with_partials_create()), not_proven={5, 8}
            ).certificate,
        }
        for kind, certificate in issued.items():
            assert certificate.kind == kind
            for pair in PAIRS:
                version = rendered(certificate, pair)
                document = {"certificate": "supplement"}.get(kind, kind)
                found[document, pair] = Document(
                    certificate.number, certificate.holder_name, pair, text_of(version.file.path)
                )
                if kind == "certificate":
                    found["proof", pair] = Document(
                        certificate.number,
                        certificate.holder_name,
                        version.proof_languages,
                        text_of(version.proof_file.path),
                    )
        transaction.set_rollback(True)
    return found


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
