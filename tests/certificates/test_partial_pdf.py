"""The proof of partial qualification as a PDF: its title, the partial qualifications it names
with their competencies and indicators, and the professional qualification they belong to.

The PDFs are rendered once for the module (two language pairs) and only read by its tests.
"""

import re

import pytest
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate

from .. import factories, flows
from ..conftest import INBOUND, OUTBOUND, qualification_with_partials_create
from .conftest import render

# The database is needed by the module's rendering only; its tests read what it left.
pytestmark = pytest.mark.django_db
PAIRS = [("nl", "en"), ("fr", "nl")]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """For each language pair: the text of the proof of partial qualification of a candidate who
    proved the inbound partial qualification and competencies 6 and 8 (outbound lacks 5), the
    standard's texts it should hold, and the proof's number and download name. Nothing stays in
    the database."""
    media = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        factories.IssuingCentreFactory()
        qualification = qualification_with_partials_create()
        assessment = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={5, 7})
        proof = Certificate.objects.get(assessment=assessment)
        result = {"number": proof.number, "texts": {}, "names": {}}
        competencies = {c.order: c for c in qualification.competencies.prefetch_related("indicators")}
        result["competencies"] = {
            order: {
                language: [squash(getattr(c, f"text_{language}"))]
                + [squash(getattr(i, f"text_{language}")) for i in c.indicators.all()]
                for language in ("nl", "fr", "en")
            }
            for order, c in competencies.items()
        }
        issued = proof.versions.get()  # queued at issuance, in the default pair
        assert (issued.first_language, issued.second_language) == PAIRS[0]
        for pair in PAIRS:
            version = render(
                issued if pair == PAIRS[0] else services.supplement_queue(certificate=proof, languages=pair)
            )
            reader = PdfReader(version.file.path)
            result["texts"][pair] = squash(" ".join(page.extract_text() for page in reader.pages))
            result["names"][pair] = version.download_name
        transaction.set_rollback(True)
    return result


TITLES = {
    "nl": "Bewijs van deelkwalificatie",
    "fr": "Preuve de qualification partielle",
    "en": "Proof of partial qualification",
}
BELONGS = {
    "nl": "behoren tot de beroepskwalificatie Testkwalificatie contactcenter (9213)",
    "fr": "relèvent de la qualification professionnelle Qualification d'essai centre de contact (9213)",
    "en": "belong to the professional qualification Test qualification contact centre (9213)",
}
HOLDER_LABELS = {"nl": "Houder van het bewijs", "fr": "Titulaire de la preuve", "en": "Holder of the proof"}
INBOUND_TITLES = {"nl": "Inkomende contacten", "fr": "Contacts entrants", "en": "Inbound contacts"}
OUTBOUND_TITLES = {"nl": "Uitgaande contacten", "fr": "Contacts sortants", "en": "Outbound contacts"}


@pytest.mark.parametrize("pair", PAIRS)
def test_the_proof_is_named_a_proof_of_partial_qualification_in_both_languages(rendered, pair):
    text = rendered["texts"][pair]
    for language in pair:
        assert TITLES[language] in text and HOLDER_LABELS[language] in text, language
    assert "(bewijs van deelkwalificatie)" in text
    assert "Statement of proven competencies" not in text and "bewijs van competenties" not in text
    assert rendered["number"] in text and rendered["number"].startswith("9213-D-")


@pytest.mark.parametrize("pair", PAIRS)
def test_it_lists_each_partial_qualification_obtained_with_its_competencies_and_indicators(rendered, pair):
    text = rendered["texts"][pair]
    assert "9213-D1" in text and "9213-D2" not in text
    for language in pair:
        assert INBOUND_TITLES[language].upper() in text.upper(), language
        assert OUTBOUND_TITLES[language].upper() not in text.upper(), language
        for order in INBOUND:
            for wording in rendered["competencies"][order][language]:
                assert wording in text, (language, order, wording)
        assert f"T9213-{min(OUTBOUND)} " not in text
    # Competencies 6 and 8 were proven too, but complete no partial qualification.
    assert "T9213-6" not in text and "T9213-8" not in text


@pytest.mark.parametrize("pair", PAIRS)
def test_it_says_which_professional_qualification_the_partial_qualifications_belong_to(rendered, pair):
    text = rendered["texts"][pair]
    for language in pair:
        assert BELONGS[language] in text, language


def test_the_download_is_named_a_proof_of_partial_qualification(rendered):
    assert rendered["names"][("nl", "en")] == f"proof-of-partial-qualification-{rendered['number']}-nl-en-v1.pdf"
