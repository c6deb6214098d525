"""The People pages: a person's page to correct their name, e-mail address and language and to
deactivate or reactivate their account, audited; the list's exports."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from audit.models import AuditEntry

from .. import factories

pytestmark = pytest.mark.django_db


def correct(account, actor, **changes):
    values = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "preferred_language": account.preferred_language,
        **changes,
    }
    return services.account_update(actor=actor, account=account, **values)


def test_an_administrator_corrects_a_name_and_address_and_it_is_audited(candidate, administrator):
    old = candidate.email
    correct(
        candidate, administrator, last_name="Claes-Dirks", email="  New.Address@Example.ORG ", preferred_language="fr"
    )
    candidate.refresh_from_db()
    assert (candidate.last_name, candidate.email, candidate.username) == (
        "Claes-Dirks",
        "new.address@example.org",
        "new.address@example.org",
    )
    assert candidate.preferred_language == "fr"
    entry = AuditEntry.objects.about(candidate).get(action="account_updated")
    assert entry.actor == administrator
    assert old in entry.summary and "new.address@example.org" in entry.summary and "Claes-Dirks" in entry.summary
    assert "email" not in entry.summary and "last_name" not in entry.summary  # values only, in any language


def test_nothing_changed_records_nothing(candidate, administrator):
    correct(candidate, administrator)
    assert not AuditEntry.objects.filter(action="account_updated").exists()


def test_a_correction_keeps_the_rules_of_a_new_account(candidate, other_candidate, administrator):
    with pytest.raises(ValidationError) as refused:
        correct(candidate, administrator, email=other_candidate.email.upper(), last_name="Cla\x1bes", first_name=" ")
    codes = {error.code for errors in refused.value.error_dict.values() for error in errors}
    assert {"duplicate", "holder_name_missing", "control_characters"} <= codes
    candidate.refresh_from_db()
    assert candidate.email != other_candidate.email
    with pytest.raises(ValidationError):
        correct(candidate, administrator, preferred_language="de")


def test_only_candidates_and_assessors_are_corrected_here(administrator):
    other = factories.AdministratorFactory()
    with pytest.raises(ValidationError):
        correct(other, administrator, first_name="Changed")
    with pytest.raises(ValidationError):
        services.account_set_active(actor=administrator, account=other, active=False)


def test_deactivating_and_reactivating_is_audited(assessor, administrator):
    services.account_set_active(actor=administrator, account=assessor, active=False)
    assessor.refresh_from_db()
    assert not assessor.is_active
    services.account_set_active(actor=administrator, account=assessor, active=True)
    assessor.refresh_from_db()
    assert assessor.is_active
    actions = list(AuditEntry.objects.about(assessor).values_list("action", flat=True))
    assert actions[:2] == ["account_reactivated", "account_deactivated"]


def test_the_person_page_corrects_and_deactivates(client, candidate, administrator):
    client.force_login(administrator)
    page = client.get(f"/accounts/people/{candidate.pk}/")
    assert page.status_code == 200 and candidate.email in page.content.decode()
    assert "Fields marked * are required." in page.content.decode()
    response = client.post(
        f"/accounts/people/{candidate.pk}/",
        {"first_name": "Ann", "last_name": "Claes", "email": "ann.claes@example.org", "preferred_language": "fr"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.email) == ("Ann", "ann.claes@example.org")
    refused = client.post(
        f"/accounts/people/{candidate.pk}/",
        {"first_name": "Ann", "last_name": "Claes", "email": administrator.email, "preferred_language": "fr"},
    )
    assert refused.status_code == 200 and refused.context["form"].errors["email"]
    page = client.get(f"/accounts/people/{candidate.pk}/").content.decode()
    assert "data-confirm=" in page and "Deactivate the account" in page
    assert client.post(f"/accounts/people/{candidate.pk}/active/", {"active": "0"}).status_code == 302
    candidate.refresh_from_db()
    assert not candidate.is_active
    assert "Reactivate the account" in client.get(f"/accounts/people/{candidate.pk}/").content.decode()
    client.post(f"/accounts/people/{candidate.pk}/active/", {"active": "1"})
    candidate.refresh_from_db()
    assert candidate.is_active


def test_the_person_page_is_for_candidates_and_assessors_only(client, administrator, candidate):
    client.force_login(administrator)
    assert client.get(f"/accounts/people/{factories.AdministratorFactory().pk}/").status_code == 404
    client.force_login(candidate)
    assert client.get(f"/accounts/people/{candidate.pk}/").status_code == 404


def test_the_people_list_links_each_person_and_exports_its_selection(client, administrator):
    factories.CandidateFactory(first_name="Ines", last_name="Peeters", email="ines@example.org")
    factories.AssessorFactory(first_name="Ines", last_name="Aerts", email="ines.aerts@example.org")
    factories.CandidateFactory(first_name="Bo", last_name="Dirks")
    client.force_login(administrator)
    page = client.get("/accounts/people/?search=ines&role=candidate").content.decode()
    assert 'href="/accounts/people/export.csv?search=ines&amp;role=candidate"' in page
    assert 'href="/accounts/people/export.xlsx?search=ines&amp;role=candidate"' in page
    ines = User.objects.get(email="ines@example.org")
    assert f'href="/accounts/people/{ines.pk}/"' in page
    response = client.get("/accounts/people/export.csv?search=ines&role=candidate")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Last name", "First name", "E-mail address"]
    assert [row[:3] for row in rows[1:]] == [["Peeters", "Ines", "ines@example.org"]]
    assert client.get("/accounts/people/export.xlsx").status_code == 200


def test_an_address_taken_between_the_check_and_the_save_is_refused_not_a_server_error(
    candidate, other_candidate, administrator, monkeypatch
):
    """Another administrator (or an import) gives the address away after this correction checked
    it: the unique index refuses the save, and the person correcting is told why."""
    monkeypatch.setattr(services, "_check_email_free", lambda email, account=None: None)
    with pytest.raises(ValidationError) as refusal:
        correct(candidate, administrator, email=other_candidate.email)
    assert refusal.value.error_dict["email"][0].code == "duplicate"
    candidate.refresh_from_db()
    assert candidate.email != other_candidate.email
