"""No document without its translations: the worker refuses to render when a language of the pair
has no compiled catalogue, or one without the document's strings (decision 0017). And a document
that is not sealed does not say it is."""

import re
import shutil
import subprocess

import polib
import pytest
from asgiref.local import Local
from django.conf import settings
from django.utils.translation import trans_real
from pypdf import PdfReader

from certificates import catalogues, services
from certificates.catalogues import CatalogueMissing, document_messages, require_catalogues
from certificates.models import SupplementVersion
from certificates.tasks import render_supplement

from .conftest import render

pytestmark = pytest.mark.django_db

DOCUMENTS = ["certificates/supplement.html", "certificates/statement.html", "certificates/proof.html"]


def forget_translations() -> None:
    """gettext keeps each language's catalogue once loaded: load them again from LOCALE_PATHS."""
    trans_real._translations = {}
    trans_real._active = Local()
    trans_real._default = None


@pytest.fixture
def locale_paths(settings):
    def point_at(folder):
        settings.LOCALE_PATHS = [folder]
        forget_translations()

    yield point_at
    forget_translations()


def compiled_catalogue(folder, language: str, entries: dict[str, str]) -> None:
    """A django.mo for the language with only these translations."""
    messages = folder / language / "LC_MESSAGES"
    messages.mkdir(parents=True)
    body = "".join(f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n' for msgid, msgstr in entries.items())
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    (messages / "django.po").write_text(header + body, encoding="utf-8")
    subprocess.run(
        [shutil.which("msgfmt"), "-o", messages / "django.mo", messages / "django.po"], check=True, capture_output=True
    )


def test_without_compiled_catalogues_the_worker_renders_nothing(certificate, locale_paths, tmp_path):
    locale_paths(tmp_path)
    version = certificate.versions.get()
    with pytest.raises(CatalogueMissing):
        render(version)
    version.refresh_from_db()
    assert version.status == SupplementVersion.Status.FAILED
    assert "No compiled message catalogue for 'nl'" in version.error and "make messages" in version.error
    assert not version.file


def test_a_catalogue_without_the_documents_strings_is_refused_too(nine_of_ten_statement, locale_paths, tmp_path):
    compiled_catalogue(tmp_path, "nl", {"Number of the proof": "Nummer van het bewijs"})
    locale_paths(tmp_path)
    version = nine_of_ten_statement.versions.get()
    with pytest.raises(CatalogueMissing, match=r"catalogue for 'nl' lacks \d+ of the \d+ strings"):
        render(version)
    version.refresh_from_db()
    assert version.status == SupplementVersion.Status.FAILED and not version.file


def test_the_french_column_needs_the_french_catalogue_not_the_dutch_fallback(
    certificate, locale_paths, tmp_path, settings
):
    settings.LANGUAGE_CODE = "nl"  # as in production: French falls back to Dutch
    """gettext falls back from French to Dutch, the default language: Dutch is no French translation."""
    shutil.copytree(settings.BASE_DIR / "locale" / "nl", tmp_path / "nl")
    locale_paths(tmp_path)
    version = services.supplement_queue(certificate=certificate, languages=("nl", "fr"))
    with pytest.raises(CatalogueMissing, match="'fr'"):
        render(version)


def test_a_refused_render_is_not_retried_it_fails_at_once(certificate, locale_paths, tmp_path):
    locale_paths(tmp_path)
    version = certificate.versions.get()
    result = render_supplement.apply(args=[version.pk])
    assert result.failed() and isinstance(result.result, CatalogueMissing)
    version.refresh_from_db()
    assert version.status == SupplementVersion.Status.FAILED and version.attempts == 1


@pytest.mark.parametrize("template", DOCUMENTS)
def test_the_compiled_catalogues_hold_every_string_of_every_document(template):
    require_catalogues(template, ["nl", "fr", "en"])


def test_english_needs_no_catalogue(locale_paths, tmp_path):
    locale_paths(tmp_path)
    for template in DOCUMENTS:
        require_catalogues(template, ["en"])
        with pytest.raises(CatalogueMissing):
            require_catalogues(template, ["nl", "en"])


def test_a_documents_strings_are_found_in_its_includes_blocks_and_plurals():
    messages = {message.msgid: message for message in document_messages("certificates/statement.html")}
    assert "Proof of competencies" in messages  # the template's own
    # The partial variant's own, in the branches a proof of competencies does not render.
    assert {"Proof of partial qualification", "Partial qualifications obtained"} <= set(messages)
    assert "Holder of the proof" in messages  # from _issuance.html
    assert "Issued by" in messages  # from _issuer.html, included by _issuance.html
    sealed = "Electronically sealed by %(centre)s on %(date)s. Check its authenticity at %(url)s."
    assert sealed in messages and not messages[sealed].plural  # from _seal_notice.html, trimmed
    proven = next(message for msgid, message in messages.items() if msgid.startswith("The holder proved"))
    assert proven.plural and proven.key == (proven.msgid, 0)
    proof = {message.msgid for message in document_messages("certificates/proof.html")}
    assert {"The recognised test centre declares that", "Verification code", "Issued by", sealed} <= proof
    supplement = {message.msgid for message in document_messages("certificates/supplement.html")}
    assert "Share of the total programme (%%)" in supplement  # percent signs doubled, as gettext is asked
    assert catalogues.SOURCE_LANGUAGE == "en"


@pytest.fixture
def nine_of_ten_statement(assessment):
    from tests import flows

    return flows.decide(assessment, not_proven={10}).certificate


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("document", ["file", "proof_file"])
def test_an_unsealed_document_does_not_claim_a_seal(settings, certificate, document):
    settings.PORTAL_SEAL_PKCS12 = ""
    version = render(certificate.versions.get())
    text = squash(" ".join(page.extract_text() for page in PdfReader(getattr(version, document).path).pages))
    assert f"Niet elektronisch verzegeld. Controleer de echtheid op {certificate.verification_url}." in text
    assert f"Not sealed electronically. Check its authenticity at {certificate.verification_url}." in text
    assert "verzegeld door" not in text and "TEST SEAL" not in text


def catalogue_without(folder, language: str, *msgids: str) -> None:
    """The language's compiled catalogue as the portal ships it, less these strings."""
    catalogue = polib.pofile(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")
    for entry in [entry for entry in catalogue if entry.msgid in msgids]:
        catalogue.remove(entry)
    messages = folder / language / "LC_MESSAGES"
    messages.mkdir(parents=True)
    catalogue.save_as_mofile(messages / "django.mo")


def test_the_proof_of_professional_qualification_is_checked_against_the_catalogue(certificate, locale_paths, tmp_path):
    """A catalogue complete for the supplement but without a string of the proof: nothing is rendered."""
    catalogue_without(tmp_path, "nl", "The recognised test centre declares that")
    locale_paths(tmp_path)
    require_catalogues("certificates/supplement.html", ["nl"])
    version = certificate.versions.get()
    with pytest.raises(CatalogueMissing, match=r"lacks 1 of the \d+ strings of certificates/proof.html"):
        render(version)
    version.refresh_from_db()
    assert version.status == SupplementVersion.Status.FAILED and not version.file and not version.proof_file


def test_a_proof_of_partial_qualification_is_checked_against_the_catalogue(
    qualification_with_partials, locale_paths, tmp_path
):
    from tests import factories, flows

    catalogue_without(tmp_path, "nl", "Partial qualifications obtained")
    locale_paths(tmp_path)
    assessment = flows.decide(factories.AssessmentFactory(qualification=qualification_with_partials), not_proven={5})
    version = assessment.certificate.versions.get()
    assert assessment.certificate.is_partial
    with pytest.raises(CatalogueMissing, match=r"lacks 1 of the \d+ strings of certificates/statement.html"):
        render(version)
