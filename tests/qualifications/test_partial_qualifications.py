"""Partial qualifications as data, and the rule that says which proof a decision issues."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from qualifications.models import PartialQualification, Proof
from qualifications.selectors import proof_due

from .. import factories
from ..conftest import INBOUND, OUTBOUND

pytestmark = pytest.mark.django_db


def ids(qualification, orders) -> set[int]:
    return set(qualification.competencies.filter(order__in=orders).values_list("pk", flat=True))


def due(qualification, orders):
    found = proof_due(qualification_id=qualification.pk, proven=ids(qualification, orders))
    return found.kind, [partial.code for partial in found.partial_qualifications]


@pytest.mark.parametrize(
    "proven,kind,partials",
    [
        (range(1, 9), Proof.CERTIFICATE, []),
        (INBOUND, Proof.PARTIAL, ["9213-D1"]),
        (OUTBOUND | {8}, Proof.PARTIAL, ["9213-D2"]),
        (INBOUND | OUTBOUND, Proof.PARTIAL, ["9213-D1", "9213-D2"]),
        ({1, 2, 3, 5, 6, 8}, Proof.STATEMENT, []),
        ({8}, Proof.STATEMENT, []),
        (set(), None, []),
    ],
    ids=["everything", "inbound", "outbound and a stray one", "both", "stray ones", "the one in none", "nothing"],
)
def test_the_proof_due_for_what_was_proven(qualification_with_partials, proven, kind, partials):
    assert due(qualification_with_partials, proven) == (kind, partials)


def test_competencies_of_another_qualification_prove_nothing_here(qualification_with_partials):
    other = factories.QualificationFactory(competencies=(8, 1))
    assert due(qualification_with_partials, {1, 2, 3}) == (Proof.STATEMENT, [])
    foreign = ids(other, {4})
    found = proof_due(
        qualification_id=qualification_with_partials.pk, proven=ids(qualification_with_partials, {1, 2, 3}) | foreign
    )
    assert found.kind == Proof.STATEMENT
    assert proof_due(qualification_id=qualification_with_partials.pk, proven=foreign).kind is None


def test_a_partial_qualification_without_competencies_is_never_obtained(qualification_with_partials):
    factories.PartialQualificationFactory(qualification=qualification_with_partials, order=3, code="9213-D3")
    assert due(qualification_with_partials, {8}) == (Proof.STATEMENT, [])
    assert due(qualification_with_partials, INBOUND) == (Proof.PARTIAL, ["9213-D1"])


def test_a_qualification_without_partial_qualifications_gives_a_statement(qualification):
    assert due(qualification, range(1, 10)) == (Proof.STATEMENT, [])
    assert due(qualification, range(1, 11)) == (Proof.CERTIFICATE, [])


def test_qualification_0213_defines_no_partial_qualification(qualification):
    """Neither the decree of 25 March 2016 (its annex lists 10 competencies and nothing grouping
    them) nor the supplement defines one (docs/decisions/0015-partial-qualifications.md)."""
    assert not PartialQualification.objects.filter(qualification=qualification).exists()


def test_a_partial_qualification_groups_competencies_of_its_own_qualification_only(qualification_with_partials):
    inbound = qualification_with_partials.partial_qualifications.get(code="9213-D1")
    foreign = factories.QualificationFactory(competencies=(1, 1)).competencies.get()
    # Adding runs in the caller's transaction (no savepoint of its own): the refusal rolls it back.
    with pytest.raises(ValidationError) as error, transaction.atomic():
        inbound.competencies.add(foreign)
    assert error.value.code == "competency_of_another_qualification"
    with pytest.raises(ValidationError), transaction.atomic():
        foreign.partial_qualifications.add(inbound)
    assert inbound.competencies.count() == 4


def test_a_fixture_that_mixes_qualifications_is_refused(qualification_with_partials, tmp_path):
    foreign = factories.QualificationFactory(competencies=(1, 1)).competencies.get()
    fixture = tmp_path / "mixed.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "qualifications.partialqualification",
                    "fields": {
                        "qualification": qualification_with_partials.pk,
                        "code": "9213-D9",
                        "order": 9,
                        "title_fr": "Mélange",
                        "title_nl": "Mengsel",
                        "title_en": "Mixture",
                        "competencies": [foreign.pk],
                    },
                }
            ]
        )
    )
    with pytest.raises(ValidationError):
        call_command("loaddata", str(fixture), verbosity=0)
    assert not PartialQualification.objects.filter(code="9213-D9").exists()
