"""Every interface string exists in Dutch and French; the catalogues compile from a fresh clone."""

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def entries(language: str):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    for block in text.split("\n\n")[1:]:  # the first block is the header
        if block.lstrip().startswith("#~"):
            continue
        msgid = "".join(re.findall(r'^msgid (".*"(?:\n".*")*)', block, re.M)[0].split("\n")).replace('""', "")
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        yield block, msgid, ["".join(re.findall(r'"(.*)"', s)) for s in strings]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_interface_string_is_translated(language):
    count = 0
    for block, msgid, translations in entries(language):
        count += 1
        assert "#, fuzzy" not in block, block
        assert translations and all(translations), block
        placeholders = sorted(re.findall(r"%\(\w+\)s", msgid))
        for text in translations:
            assert sorted(re.findall(r"%\(\w+\)s", text)) == placeholders, block
    assert count > 400


@pytest.mark.parametrize("language,expected", [("nl", "Aanmelden"), ("fr", "Se connecter"), ("en", "Log in")])
def test_the_compiled_catalogues_are_used(language, expected):
    with translation.override(language):
        assert translation.gettext("Log in") == expected
