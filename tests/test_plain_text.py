"""Names and places are one line of plain text on every path that writes them, the Django admin's
included: they are printed in calendar files, e-mails, certificates and spreadsheets."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import Assessment

from . import factories

pytestmark = pytest.mark.django_db
REFUSAL = "Use plain text on one line"


@pytest.fixture
def superuser_client(client):
    client.force_login(factories.AdministratorFactory(is_superuser=True))
    return client


def test_the_django_admin_refuses_a_new_account_with_control_characters_in_its_name(superuser_client):
    response = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "added@example.org",
            "first_name": "Ad\r\nBcc: x@attacker.example",
            "last_name": "Min",
            "role": "assessor",
            "password1": "a-long-admin-passphrase",
            "password2": "a-long-admin-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not get_user_model().objects.filter(email="added@example.org").exists()


def test_the_django_admin_refuses_a_name_changed_to_control_characters(superuser_client):
    person = factories.AssessorFactory(first_name="Alex", last_name="Assessor")
    change = superuser_client.get(f"/admin/accounts/user/{person.pk}/change/")
    data = {
        **{k: v for k, v in change.context["adminform"].form.initial.items() if v is not None},
        "last_name": "Assessor\x1b[2J",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    for name in ("groups", "user_permissions", "last_login", "date_joined", "password"):
        data.pop(name, None)
    response = superuser_client.post(f"/admin/accounts/user/{person.pk}/change/", data)
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Assessor"


def test_the_django_admin_cannot_write_a_place_at_all(superuser_client):
    """The place is the scheduling service's (tests/test_admin_guards.py): the admin only shows it."""
    assessment = factories.AssessmentFactory(location="Room 4")
    moment = timezone.localtime(assessment.scheduled_at)
    response = superuser_client.post(
        f"/admin/assessments/assessment/{assessment.pk}/change/",
        {
            "scheduled_at_0": moment.date().isoformat(),
            "scheduled_at_1": moment.strftime("%H:%M:%S"),
            "location": "Room 4\r\nATTENDEE:mailto:x@attacker.example",
        },
    )
    assert response.status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).location == "Room 4"
