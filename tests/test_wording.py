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
