"""Administrators find the E-mails page in the navigation; it lists every kind of e-mail."""

import pytest

from accounts import services as accounts

from .. import factories
from ..emails import deliver

pytestmark = pytest.mark.django_db


def test_the_administrators_navigation_links_to_the_e_mails_page(client, administrator):
    client.force_login(administrator)
    navigation = client.get("/assessments/").content.decode().split("</nav>")[0]
    assert 'href="/notifications/"' in navigation


def test_other_roles_do_not_see_the_e_mails_link(client, candidate):
    client.force_login(candidate)
    assert 'href="/notifications/"' not in client.get("/assessments/").content.decode()


def test_invitations_and_password_resets_are_listed_by_kind(client, administrator):
    invited = factories.AssessorFactory(email="invited@example.org")
    invited.set_unusable_password()
    invited.save()
    accounts.invitation_send(user=invited)
    reset = factories.CandidateFactory(email="forgot@example.org")
    accounts.password_reset_request(email=reset.email)
    deliver()
    client.force_login(administrator)
    rows = [row for row in client.get("/notifications/").content.decode().split("<tr>") if "@example.org" in row]
    assert any("Invitation" in row and "invited@example.org" in row for row in rows)
    assert any("Password reset" in row and "forgot@example.org" in row for row in rows)


def test_the_home_page_links_to_the_verification_page(client):
    assert 'href="/verify/"' in client.get("/").content.decode()
