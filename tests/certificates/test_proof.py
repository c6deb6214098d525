"""The proof of professional qualification: its own document, rendered and sealed with the supplement."""

import json
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import pikepdf
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from certificates import sealing, services
from certificates.credentials.embedding import embedded_credential
from certificates.models import SupplementVersion
from qualifications.models import Qualification

from .. import factories, flows
from .test_supplement_document import structure_elements

# The documents are rendered once for the module (below); each test still has the database, so
# that the test database is set up when this module runs alone.
pytestmark = pytest.mark.django_db
AUTHENTIC_RECOGNITION = (
    "overeenkomstig het decreet van 26 april 2019 betreffende een geïntegreerd beleid voor de erkenning van "
    "verworven competenties"
)
PROOF_BASIS_NL = (
    "Dit bewijs wordt uitgereikt op grond van het decreet van 26 april 2019 betreffende een geïntegreerd beleid "
    "voor de erkenning van verworven competenties en het besluit van de Vlaamse Regering van 19 juli 2019"
)
QUALIFICATION_BASIS_NL = (
    "decreet van 30 april 2009 betreffende de kwalificatiestructuur, artikel 12; besluit van de Vlaamse Regering "
    "van 25 maart 2016 tot erkenning van de beroepskwalificatie contactcenteroperator"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(pdf: bytes) -> str:
    return squash(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages))


@dataclass(frozen=True)
class Rendered:
    """One version's two documents and what the register said of them, kept after the rollback."""

    proof: bytes
    supplement: bytes
    number: str
    holder: str
    verification_url: str
    verification_code: str
    proof_download_name: str


@pytest.fixture(scope="module")
def rendered_pairs(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[tuple[str, str], Rendered]:
    """A certified candidate (date of birth shown) rendered once for this module in nl/en and nl/fr.

    The tests here only read the files: the database work is rolled back, the bytes are kept.
    """
    media = tmp_path_factory.mktemp("media")
    pairs = {}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, CERTIFICATE_SHOWS_DATE_OF_BIRTH=True),
        transaction.atomic(),
    ):
        call_command("loaddata", "qualification_0213", verbosity=0)
        factories.IssuingCentreFactory()
        candidate = factories.CandidateFactory(
            first_name="Chris", last_name="Candidate", date_of_birth=date(1990, 4, 17)
        )
        assessment = factories.AssessmentFactory(
            qualification=Qualification.objects.get(code="0213"),
            candidate=candidate,
            first_assessor=factories.AssessorFactory(),
            second_assessor=factories.AssessorFactory(),
        )
        certificate = flows.certify(assessment).certificate
        for languages in [("nl", "en"), ("nl", "fr")]:
            version = certificate.versions.filter(first_language=languages[0], second_language=languages[1]).first()
            version = version or services.supplement_queue(certificate=certificate, languages=languages)
            services.supplement_render(version_id=version.pk, attempt_id=f"module-{languages}")
            version.refresh_from_db()
            assert version.status == SupplementVersion.Status.READY, version.error
            pairs[languages] = Rendered(
                proof=version.proof_file.read(),
                supplement=version.file.read(),
                number=certificate.number,
                holder=certificate.holder_name,
                verification_url=certificate.verification_url,
                verification_code=certificate.verification_code,
                proof_download_name=version.proof_download_name,
            )
        transaction.set_rollback(True)
    return pairs


@pytest.mark.parametrize("languages", [("nl", "en"), ("nl", "fr")])
def test_the_proof_names_the_centre_the_holder_the_qualification_and_its_legal_basis(rendered_pairs, languages):
    rendered = rendered_pairs[languages]
    text = text_of(rendered.proof)
    assert "Bewijs van beroepskwalificatie" in text
    assert {"en": "Proof of professional qualification", "fr": "Preuve de qualification professionnelle"}[
        languages[1]
    ] in text
    # The recognised test centre, and under which decree it is recognised.
    assert "Testcentrum Contactcenter Vlaanderen" in text
    assert "Koning Albert II-laan 37" in text and "TC-0213-017" in text
    assert f"Erkend testcentrum {AUTHENTIC_RECOGNITION}" in text
    # The holder, with the date of birth where configured.
    assert rendered.holder in text and "17 april 1990" in text
    # The qualification exactly as recognised.
    assert "Contactcenteroperator" in text and "Beroepskwalificatie 0213" in text
    assert "Vlaams kwalificatieniveau 3 — EQF-niveau 3" in text
    # The legal basis: the EVC decree and its order for the proof, the 2009 decree and the 2016 order for the
    # qualification.
    assert PROOF_BASIS_NL in text
    assert QUALIFICATION_BASIS_NL in text
    # Number, date and place of issue, and where to verify it.
    assert rendered.number in text and "Brussel" in text
    assert rendered.verification_url in text and rendered.verification_code in text
    assert "Elektronisch verzegeld door Testcentrum Contactcenter Vlaanderen op" in text


def test_the_translated_column_is_marked_as_a_translation_and_the_dutch_one_is_not(rendered_pairs):
    english = text_of(rendered_pairs[("nl", "en")].proof)
    french = text_of(rendered_pairs[("nl", "fr")].proof)
    assert "Translation: only the Dutch text is authentic; this translation has no legal value." in english
    assert "seul le texte néerlandais fait foi" in french
    assert "Vertaling: alleen de Nederlandse tekst is authentiek" not in english + french
    assert "Recognised test centre under the decree of 26 April 2019" in english
    assert "Centre de test reconnu conformément au décret du 26 avril 2019" in french
    assert "Electronically sealed by Testcentrum Contactcenter Vlaanderen on" in english
    assert "Cachet électronique apposé par Testcentrum Contactcenter Vlaanderen le" in french


@pytest.mark.parametrize("languages", [("nl", "en"), ("nl", "fr")])
def test_the_proof_is_one_a4_page_archival_tagged_in_dutch_with_embedded_fonts(rendered_pairs, languages):
    reader = PdfReader(BytesIO(rendered_pairs[languages].proof))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and root["/MarkInfo"]["/Marked"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(?:>|=\")3", xmp) and re.search(r"pdfaid:conformance(?:>|=\")B", xmp)
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]
    assert reader.metadata.title.startswith("Bewijs van beroepskwalificatie · ")
    assert reader.metadata.author == "Testcentrum Contactcenter Vlaanderen"


def test_the_qr_code_alternative_text_names_the_proof(rendered_pairs):
    reader = PdfReader(BytesIO(rendered_pairs[("nl", "fr")].proof))
    figures = [str(element["/Alt"]) for element in structure_elements(reader) if element["/S"] == "/Figure"]
    assert len(figures) == 1
    assert "dit bewijs van beroepskwalificatie" in figures[0]
    assert "la présente preuve de qualification professionnelle" in figures[0]
    assert rendered_pairs[("nl", "fr")].verification_url in figures[0]


@pytest.mark.parametrize("languages", [("nl", "en"), ("nl", "fr")])
def test_the_supplement_names_the_proof_by_number_and_has_no_legal_status_in_itself(rendered_pairs, languages):
    rendered = rendered_pairs[languages]
    text = text_of(rendered.supplement)
    assert f"Hoort bij het bewijs van beroepskwalificatie nr. {rendered.number}" in text
    assert "Het certificaatsupplement heeft op zich geen juridische waarde." in text
    if languages[1] == "en":
        assert f"Accompanies the proof of professional qualification no. {rendered.number}" in text
        assert "The certificate supplement has no legal status in itself." in text
    else:
        assert f"Accompagne la preuve de qualification professionnelle n° {rendered.number}" in text
        assert "Le supplément descriptif du certificat n'a aucune valeur légale en soi." in text


@pytest.mark.parametrize("document", ["proof", "supplement"])
def test_both_documents_are_sealed_over_the_whole_file_and_carry_the_same_credential(rendered_pairs, document):
    pdf = getattr(rendered_pairs[("nl", "en")], document)
    reader = PdfFileReader(BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    seal = sealing.configured_seal()
    status = validate_pdf_signature(
        reader.embedded_signatures[0],
        signer_validation_context=ValidationContext(trust_roots=[seal.certificate], allow_fetching=False),
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    pair = rendered_pairs[("nl", "en")]
    # The same credential in both forms (decision 0020): with its Data Integrity proof, and as a VC-JWT.
    credentials = {embedded_credential(PdfFileReader(BytesIO(data))) for data in (pair.proof, pair.supplement)}
    assert len(credentials) == 1
    assert [proof["cryptosuite"] for proof in json.loads(credentials.pop())["proof"]] == ["eddsa-rdfc-2022"]
    tokens = {attached(data, "credential.jwt") for data in (pair.proof, pair.supplement)}
    assert len(tokens) == 1 and tokens.pop().count(b".") == 2


def attached(pdf: bytes, name: str) -> bytes:
    with pikepdf.open(BytesIO(pdf)) as document:
        return document.attachments[name].get_file().read_bytes()


def test_the_proof_of_a_version_without_dutch_is_in_dutch_and_its_first_language():
    version = SupplementVersion(first_language="fr", second_language="en", number=2)
    assert version.proof_languages == ("nl", "fr")
    assert SupplementVersion(first_language="en", second_language="nl").proof_languages == ("nl", "en")


def test_the_proof_is_downloaded_under_a_name_of_its_own(rendered_pairs):
    rendered = rendered_pairs[("nl", "fr")]
    assert rendered.proof_download_name == f"proof-of-professional-qualification-{rendered.number}-nl-fr-v2.pdf"
