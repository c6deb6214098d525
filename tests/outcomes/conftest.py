from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services

from .. import factories, flows


@pytest.fixture
def nine_of_ten(assessment):
    return flows.decide(assessment, not_proven={10})


@pytest.fixture
def third_assessor(db):
    return factories.AssessorFactory(first_name="Tess", last_name="Third")


@pytest.fixture
def fourth_assessor(db):
    return factories.AssessorFactory(first_name="Finn", last_name="Fourth")


def reassess(previous, administrator, first=None, second=None):
    return services.reassessment_schedule(
        actor=administrator,
        previous=previous,
        first_assessor=first or previous.first_assessor,
        second_assessor=second or previous.second_assessor,
        scheduled_at=timezone.now() + timedelta(hours=1),
        location="Room 2",
    )


def codes(error) -> set[str]:
    """The codes of a service's refusal, whether it names an argument or not."""
    return (
        {e.code for e in error.error_list}
        if not hasattr(error, "error_dict")
        else {e.code for errors in error.error_dict.values() for e in errors}
    )
