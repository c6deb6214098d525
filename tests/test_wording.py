"""Wording of the translations: one form of address, one word for e-mail, French typography."""

import re
from pathlib import Path

import pytest

from .test_translations import entries

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def translations(language: str) -> list[str]:
    return [text for _block, _msgid, texts in entries(language) for text in texts if text]


def test_dutch_addresses_the_reader_as_u_throughout():
    informal = [t for t in translations("nl") if re.search(r"\b(je|jij|jou|jouw|jezelf)\b", t, re.IGNORECASE)]
    assert not informal


@pytest.mark.parametrize(
    "language,word,others",
    [
        ("nl", "e-mail", r"(?<!e-)\b(email|mail)\b"),
        ("fr", "e-mail", r"(?<!e-)\b(courriel|mél|email|mail)\b"),
    ],
)
def test_one_word_for_e_mail(language, word, others):
    prose = [re.sub(r"%\(\w+\)s", "X", t) for t in translations(language)]
    assert not [t for t in prose if re.search(others, t, re.IGNORECASE)]
    assert any(word in t for t in translations(language))


def test_french_puts_a_space_before_double_punctuation():
    # %(name)s placeholders and URLs are not prose.
    prose = [re.sub(r"%\(\w+\)s|https?://\S+", "X", t) for t in translations("fr")]
    assert not [t for t in prose if re.search(r"\S[:;?!](\s|$)", t)]


def test_no_template_glues_punctuation_to_a_translated_word():
    glued = [
        f"{path.name}: {line.strip()}"
        for path in TEMPLATES.rglob("*.html")
        for line in path.read_text().splitlines()
        if re.search(r"(%}|endblocktranslate %}):", line)
    ]
    assert not glued


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,message",
    [
        ("nl", "Het e-mailadres en het wachtwoord horen niet bij een actief account."),
        ("fr", "L&#x27;adresse e-mail et le mot de passe ne correspondent à aucun compte actif."),
    ],
)
def test_a_failed_login_says_so_in_correct_language(client, candidate, language, message):
    client.cookies["django_language"] = language
    page = client.post("/accounts/login/", {"username": candidate.email, "password": "wrong"}).content.decode()
    assert message in page


def test_french_names_the_test_centre_one_way():
    assert not [t for t in translations("fr") if re.search(r"centre d[’']épreuves", t)]
    assert any("centre de test" in t for t in translations("fr"))


def test_dutch_has_no_english_compound_for_the_credential_file():
    assert not [t for t in translations("nl") if "credentialbestand" in t]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,expected",
    [
        ("en", r"It was revoked on \d+ \w+ \d{4} and is no longer valid\."),
        ("nl", r"Dit document werd op \d+ \w+ \d{4} ingetrokken en is niet meer geldig\."),
        ("fr", r"Ce document a été révoqué le \d+ \w+ \d{4} et n'est plus valable\."),
    ],
)
def test_a_revoked_document_says_when_it_was_revoked(client, qualification, language, expected):
    from certificates import services as certificates

    from . import factories, flows

    certificate = flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate
    certificates.certificate_revoke(certificate=certificate, actor=factories.AdministratorFactory(), reason="Error")
    client.cookies["django_language"] = language
    page = client.get(f"/verify/{certificate.verification_code}/").content.decode().replace("&#x27;", "'")
    assert re.search(expected, page)


def localised_page(client, user, path: str, language: str) -> str:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    client.cookies["django_language"] = language
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(path).content.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,expected,wrong",
    [
        ("en", r"Lodged on \d+ \w+ \d{4}: Rejected", "Rejected lodged on"),
        ("nl", r"Ingediend op \d+ \w+ \d{4}: Afgewezen", "Afgewezen ingediend op"),
        ("fr", r"Introduit le \d+ \w+ \d{4} : Rejeté", "Rejeté introduit le"),
    ],
)
def test_an_objection_reads_when_it_was_lodged_then_its_outcome(client, language, expected, wrong):
    from .assessments.test_offered_steps import rejected

    assessment = rejected()
    text = localised_page(client, assessment.candidate, f"/assessments/{assessment.pk}/", language)
    assert re.search(expected, text), text[text.find("bjecti") :][:400]
    assert wrong.lower() not in text.lower()


@pytest.mark.django_db
def test_each_indicator_note_on_the_score_sheet_names_the_indicators_number(client, assessment):
    from . import flows

    flows.started_and_ended(assessment)
    text = localised_page(client, assessment.first_assessor, f"/assessments/{assessment.pk}/score-sheet/", "en")
    competency = assessment.qualification.competencies.get(order=2)
    for indicator in competency.indicators.all():
        assert f"2.{indicator.order} {indicator.text}" in text


@pytest.mark.django_db
def test_the_candidate_sees_the_indicators_they_linked_to_their_file(client, assessment):
    from assessments import services

    from . import samples

    competency = assessment.qualification.competencies.get(order=2)
    indicator = competency.indicators.order_by("order").last()
    services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=samples.pdf(),
        description="Call logs",
        competencies=[competency],
        indicators=[indicator],
    )
    text = localised_page(client, assessment.candidate, f"/assessments/{assessment.pk}/", "en")
    assert f"2.{indicator.order} {indicator.text}" in text
