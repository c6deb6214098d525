"""E-mail addresses are case-insensitive everywhere: stored normalised, looked up without case,
and unique whatever their case (also for the database)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.test import Client

from accounts.models import normalise_email

from .. import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def signs_in(email, password=PASSWORD) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_createsuperuser_with_capitals_signs_in_through_the_portal_in_any_case(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-operations-passphrase")
    call_command("createsuperuser", "--email", "Ops.Admin@Example.org", "--noinput", verbosity=0)
    account = get_user_model().objects.get()
    assert account.email == "ops.admin@example.org"
    for typed in ("Ops.Admin@Example.org", "ops.admin@example.org", "OPS.ADMIN@EXAMPLE.ORG"):
        assert signs_in(typed, "an-operations-passphrase"), typed


def test_createsuperuser_refuses_an_address_that_differs_only_in_case(monkeypatch, administrator):
    from django.core.management.base import CommandError

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-operations-passphrase")
    with pytest.raises(CommandError):
        call_command("createsuperuser", "--email", administrator.email.upper(), "--noinput", verbosity=0)
    assert get_user_model().objects.count() == 1


def test_every_way_of_creating_an_account_stores_the_normalised_address():
    User = get_user_model()
    assert (
        User.objects.create_user(email="  Mixed.Case@Example.ORG ", password=PASSWORD).email == "mixed.case@example.org"
    )
    assert User.objects.create_superuser(email="Root@Example.ORG", password=PASSWORD).email == "root@example.org"
    assert factories.CandidateFactory(email="Fact.Ory@Example.org").email == "fact.ory@example.org"


def test_an_address_stored_with_capitals_still_signs_in():
    User = get_user_model()
    person = factories.CandidateFactory()
    User.objects.filter(pk=person.pk).update(email="Legacy.Person@Example.org", username="Legacy.Person@Example.org")
    assert signs_in("legacy.person@example.org")
    assert signs_in("LEGACY.PERSON@EXAMPLE.ORG")


def test_the_database_refuses_two_addresses_that_differ_only_in_case():
    User = get_user_model()
    factories.CandidateFactory(email="same@example.org")
    other = factories.CandidateFactory(email="other@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(email="Same@Example.org")


def test_the_create_methods_refuse_an_address_that_differs_only_in_case():
    User = get_user_model()
    User.objects.create_user(email="once@example.org", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="ONCE@example.org", password=PASSWORD)


def test_the_portal_refuses_an_account_that_differs_only_in_case(client, administrator, candidate):
    client.force_login(administrator)
    response = client.post(
        "/accounts/people/new/assessor/",
        {
            "first_name": "X",
            "last_name": "Y",
            "email": f"  {candidate.email.upper()} ",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200 and "already exists" in response.content.decode()
    response = client.post(
        "/accounts/people/new/assessor/",
        {
            "first_name": "Nora",
            "last_name": "Nieuw",
            "email": "Nora.Nieuw@Example.org",
            "preferred_language": "nl",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="nora.nieuw@example.org").exists()


def admin_add(client, email):
    return client.post(
        "/admin/accounts/user/add/",
        {
            "email": email,
            "first_name": "Ad",
            "last_name": "Min",
            "role": "assessor",
            "password1": "a-long-admin-passphrase",
            "password2": "a-long-admin-passphrase",
            "usable_password": "true",
        },
    )


def test_the_django_admin_normalises_and_refuses_case_duplicates(client, candidate):
    superuser = factories.AdministratorFactory(is_superuser=True)
    client.force_login(superuser)
    assert admin_add(client, "Added.In@Admin.ORG").status_code == 302
    added = get_user_model().objects.get(email="added.in@admin.org")
    assert signs_in("Added.In@Admin.ORG", "a-long-admin-passphrase")
    response = admin_add(client, candidate.email.upper())
    assert response.status_code == 200 and "already exists" in response.content.decode()
    # The change form as well.
    change = client.get(f"/admin/accounts/user/{added.pk}/change/")
    assert change.status_code == 200
    data = {
        **{k: v for k, v in change.context["adminform"].form.initial.items() if v is not None},
        "email": candidate.email.title(),
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "role": "assessor",
        "preferred_language": "nl",
    }
    data.pop("groups", None), data.pop("user_permissions", None), data.pop("last_login", None)
    data.pop("date_joined", None), data.pop("password", None)
    response = client.post(f"/admin/accounts/user/{added.pk}/change/", data)
    assert response.status_code == 200 and "already exists" in response.content.decode()


# Capitals outside ASCII: in a domain (an internationalised domain name, accepted everywhere) and in
# a local part (refused by the e-mail validator, but an address written beside the portal may hold
# one). Python and a database fold some differently: the Turkish "İ" (Python "i̇", PostgreSQL "i"),
# the final sigma "ς" (IDNA writes "σ"), the capital sharp s "ẞ", the digraph "ǅ".
CAPITALS_OUTSIDE_ASCII = [
    "anna@BÜCHER.example",
    "Jürgen.Öztürk@example.org",
    "İlkay@example.org",
    "ΑΛΕΞΗΣ@ΑΛΕΞΗΣ.gr",
    "STRAẞE@example.org",
    "ǅemal@example.org",
]


@pytest.mark.parametrize("typed", CAPITALS_OUTSIDE_ASCII)
def test_an_address_with_capitals_outside_ascii_is_one_account_in_any_case(typed):
    User = get_user_model()
    account = factories.CandidateFactory(email=typed)
    assert account.email == normalise_email(typed) != typed
    # The unique index and every lookup read LOWER(email), which leaves a stored spelling as it is:
    # the index holds exactly the spelling normalise_email gives, whatever the database folds.
    assert User.objects.filter(pk=account.pk, email=Lower("email")).exists()
    for spelling in (typed, typed.upper(), typed.lower()):
        assert list(User.objects.by_email(spelling)) == [account], spelling
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email=typed.upper(), password=PASSWORD)
