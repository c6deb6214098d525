"""The fixture of qualification 0213 holds the seed documents completely, in three languages."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from qualifications.models import Competency, DescriptorElement, Indicator, Qualification, SupplementText
from qualifications.translation import translated_field_names

SEED = (Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "decree_0213_fr.txt").read_text()

EXPECTED_CODES = [
    "D140801 Id17425",
    "D140801 Id16700",
    "D140801 Id17255",
    "D140801 Id17852",
    "D140801 Id16426",
    "D140801 Id234",
    "D140801 Id17267",
    "co 01669",
    "co 01670",
    "co 01671",
]
INDICATORS_PER_COMPETENCY = [3, 2, 5, 4, 3, 3, 5, 5, 7, 10]
DESCRIPTOR_COUNTS = {
    "knowledge": 13,
    "cognitive_skill": 35,
    "problem_solving_skill": 5,
    "motor_skill": 4,
    "environment_context": 6,
    "action_context": 4,
    "autonomy": 4,
    "bound_by": 3,
    "calls_on": 2,
    "responsibility": 13,
    "legal_attestation": 1,
    "required_attestation": 1,
    "entry_requirement": 1,
}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


pytestmark = pytest.mark.django_db


def test_qualification_0213_has_its_identity(qualification):
    assert (qualification.code, qualification.flemish_level, qualification.eqf_level, qualification.year) == (
        "0213",
        3,
        3,
        2016,
    )
    assert qualification.title_fr == "Opérateur Contact Center"
    assert qualification.max_assessment_hours == 6
    assert qualification.prior_learning_share == 100
    assert normalise(qualification.definition_fr) in normalise(SEED)


def test_the_ten_competencies_have_their_official_codes_in_order(qualification):
    competencies = list(qualification.competencies.order_by("order"))
    assert [c.code for c in competencies] == EXPECTED_CODES
    assert [c.category for c in competencies] == ["basic"] * 7 + ["specific"] * 3
    for competency in competencies:
        assert f"{normalise(competency.text_fr)} ({competency.code})" in normalise(SEED)


def test_all_47_indicators_are_the_decree_texts(qualification):
    competencies = list(qualification.competencies.order_by("order").prefetch_related("indicators"))
    assert [c.indicators.count() for c in competencies] == INDICATORS_PER_COMPETENCY
    assert Indicator.objects.filter(competency__qualification=qualification).count() == 47
    seed = normalise(SEED)
    for competency in competencies:
        block_start = seed.index(f"({competency.code})")
        for indicator in competency.indicators.all():
            assert f"- {normalise(indicator.text_fr)}" in seed[block_start:], indicator.text_fr


def test_every_descriptor_element_of_the_decree_is_there(qualification):
    counts = {kind: qualification.descriptor_elements.filter(kind=kind).count() for kind in DESCRIPTOR_COUNTS}
    assert counts == DESCRIPTOR_COUNTS
    seed = normalise(SEED)
    for element in qualification.descriptor_elements.all():
        assert normalise(element.text_fr) in seed, element.text_fr


def test_every_supplement_text_exists(qualification):
    keys = set(qualification.supplement_texts.values_list("key", flat=True))
    assert keys == set(SupplementText.Key.values)
    assert (
        qualification.supplement_texts.get(key="certificate_title").text_nl
        == "Beroepskwalificatie Contactcenteroperator"
    )


def test_the_error_margin_is_3_percent_never_97(qualification):
    typing = Indicator.objects.filter(text_fr__contains="dactylographie")
    assert typing.count() == 2
    for indicator in typing:
        for text in (indicator.text_fr, indicator.text_nl, indicator.text_en):
            assert re.search(r"\b3\s?%", text), text
    for model in (Qualification, Competency, Indicator, DescriptorElement, SupplementText):
        for row in model.objects.all():
            for name in [f.name for f in model._meta.fields if f.name.endswith(("_fr", "_nl", "_en"))]:
                assert "97" not in getattr(row, name), (model.__name__, row.pk, name)


@pytest.mark.parametrize(
    "model,fields",
    [
        (Qualification, ["title", "definition", "legal_basis"]),
        (Competency, ["text"]),
        (Indicator, ["text"]),
        (DescriptorElement, ["text"]),
        (SupplementText, ["text"]),
    ],
)
def test_every_text_is_filled_in_all_three_languages(qualification, model, fields):
    rows = list(model.objects.all())
    assert rows
    for row in rows:
        for name in fields:
            values = {field: getattr(row, field).strip() for field in translated_field_names(name)}
            assert all(values.values()), (model.__name__, row.pk, values)
            # A translation is a translation: Dutch and English differ from the French source
            # except for proper names, codes and numbers.
            if len(values[f"{name}_fr"]) > 40:
                assert values[f"{name}_nl"] != values[f"{name}_fr"]
                assert values[f"{name}_en"] != values[f"{name}_fr"]


def test_loading_the_fixture_twice_changes_nothing(qualification):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values())
            for model in (Qualification, Competency, Indicator, DescriptorElement, SupplementText)
        ]

    before = snapshot()
    call_command("loaddata", "qualification_0213", verbosity=0)
    assert snapshot() == before
