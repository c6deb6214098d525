"""Sign-in with OpenID Connect against a real provider process (oidc-provider-mock on 127.0.0.1):
the whole redirect flow with PKCE, the first sign-in linking the account with the same verified
e-mail address, later ones matching the provider's subject, refusals that create nothing, no
national register number asked for or kept, and passwords (with django-axes) as before or off."""

import base64
import hashlib
import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from accounts import backends
from accounts import provider as oidc_provider
from accounts.models import OidcIdentity, User
from audit.models import AuditEntry

from ..oidc_provider import Provider, query

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
LIMIT = 5
NATIONAL_NUMBER = "85073003328"


@pytest.fixture(scope="module")
def provider_process():
    process = Provider()
    yield process
    process.stop()


@pytest.fixture
def provider(request, settings):
    """The portal configured for the provider process (started once for the module)."""
    running = request.getfixturevalue("provider_process")
    configure(settings, running.issuer)
    settings.AXES_FAILURE_LIMIT = LIMIT
    return running


def configure(settings, issuer="https://idp.example.org") -> None:
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_RP_CLIENT_SECRET = "portal-secret"


def subject() -> str:
    return f"subject-{uuid.uuid4()}"


def start(client: Client) -> str:
    """The portal's button: the provider's authorization URL it redirects to."""
    response = client.get("/accounts/oidc/authenticate/")
    assert response.status_code == 302
    return response["Location"]


def sign_in_with_provider(client: Client, provider: Provider, sub: str):
    back = urlsplit(provider.authorize(start(client), sub))
    assert back.path == "/accounts/oidc/callback/"
    return client.get(back.path, dict(parse_qsl(back.query)))


def signed_in_as(client: Client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def sign_in_page(client: Client) -> str:
    return client.get("/accounts/login/").content.decode()


def linked(candidate: User, provider: Provider) -> str:
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    assert sign_in_with_provider(Client(), provider, sub).status_code == 302
    return sub


# --- the button -------------------------------------------------------------------------


def test_without_a_provider_the_sign_in_page_has_no_button_and_the_flow_is_not_found(client):
    assert 'id="oidc-sign-in"' not in sign_in_page(client)
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/").status_code == 404


def test_the_sign_in_page_offers_the_provider_in_the_persons_language(client, settings):
    configure(settings)
    assert "Sign in with the Flemish government (eID, itsme)" in sign_in_page(client)
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Aanmelden met de Vlaamse overheid (eID, itsme)" in page
    settings.OIDC_PROVIDER_NAME = "Example ID"
    assert "Sign in with Example ID" in sign_in_page(client)


@pytest.mark.oidc
def test_the_authorization_request_asks_for_openid_and_email_with_a_pkce_challenge(client, provider):
    asked = query(start(client))
    assert asked["scope"] == "openid email"
    assert asked["response_type"] == "code" and asked["client_id"] == "portal"
    assert asked["code_challenge_method"] == "S256"
    verifier = client.session["oidc_states"][asked["state"]]["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert asked["code_challenge"] == digest
    assert asked["nonce"]


@pytest.mark.parametrize("scopes", ["openid email rrn", "openid profile email RRN", "openid email insz"])
def test_scopes_that_ask_for_the_national_register_number_stop_the_configuration(settings, scopes):
    settings.OIDC_RP_SCOPES = scopes
    with pytest.raises(ImproperlyConfigured):
        oidc_provider.scopes()


def test_without_the_client_secret_there_is_no_provider(client, settings):
    configure(settings)
    settings.OIDC_RP_CLIENT_SECRET = ""
    assert not oidc_provider.configured()
    assert 'id="oidc-sign-in"' not in sign_in_page(client)
    assert client.get("/accounts/oidc/authenticate/").status_code == 404


def check_ids() -> set[str]:
    return {message.id for message in checks.run_checks(tags=[checks.Tags.security])}


def test_the_sign_in_configuration_is_checked_at_start(settings):
    assert not {"accounts.E001", "accounts.E002", "accounts.E003"} & check_ids()
    settings.PORTAL_PASSWORD_SIGN_IN = False
    assert "accounts.E002" in check_ids()  # nobody but superusers could sign in
    configure(settings)
    assert not {"accounts.E001", "accounts.E002", "accounts.E003"} & check_ids()
    settings.OIDC_RP_CLIENT_SECRET = ""
    assert "accounts.E001" in check_ids()


def test_the_provider_must_be_https_unless_http_is_allowed(settings):
    settings.OIDC_ALLOW_HTTP = False
    configure(settings, "http://idp.example.org")
    assert "accounts.E003" in check_ids()
    with pytest.raises(oidc_provider.ProviderUnavailable):
        oidc_provider.endpoints()
    settings.OIDC_ALLOW_HTTP = True
    assert "accounts.E003" not in check_ids()


@responses.activate
def test_a_discovery_document_with_an_http_endpoint_is_refused(settings):
    settings.OIDC_ALLOW_HTTP = False
    configure(settings)
    document = {
        "issuer": "https://idp.example.org",
        "authorization_endpoint": "https://idp.example.org/authorize",
        "token_endpoint": "http://idp.example.org/token",
        "userinfo_endpoint": "https://idp.example.org/userinfo",
        "jwks_uri": "https://idp.example.org/jwks",
    }
    responses.get("https://idp.example.org/.well-known/openid-configuration", json=document)
    with pytest.raises(oidc_provider.ProviderUnavailable):
        oidc_provider.endpoints()
    responses.get(
        "https://idp.example.org/.well-known/openid-configuration",
        json={**document, "token_endpoint": "https://idp.example.org/token"},
    )
    assert oidc_provider.endpoints().token == "https://idp.example.org/token"


# --- linking and matching -----------------------------------------------------------------


@pytest.mark.oidc
def test_the_first_sign_in_links_the_account_with_the_same_verified_address(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email.upper(), email_verified=True, rrn=NATIONAL_NUMBER)
    response = sign_in_with_provider(client, provider, sub)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == candidate
    identity = OidcIdentity.objects.get(user=candidate)
    assert (identity.issuer, identity.subject) == (provider.issuer, sub)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OIDC_LINKED)
    assert entry.subject_id == candidate.pk and entry.actor == candidate


@pytest.mark.oidc
def test_no_national_register_number_is_stored_even_when_the_provider_sends_one(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True, rrn=NATIONAL_NUMBER, name="Chris Candidate")
    sign_in_with_provider(client, provider, sub)
    stored = [
        *OidcIdentity.objects.values_list("issuer", "subject"),
        *AuditEntry.objects.values_list("summary", "data"),
        *client.session.items(),
    ]
    assert stored and NATIONAL_NUMBER not in repr(stored) and "rrn" not in repr(stored)
    assert {field.name for field in OidcIdentity._meta.concrete_fields} == {
        "id",
        "issuer",
        "subject",
        "user",
        "created_at",
        "last_used_at",
    }


@pytest.mark.oidc
def test_later_sign_ins_match_the_subject_even_after_the_address_changed(client, provider, candidate):
    sub = linked(candidate, provider)
    provider.person(sub, email="somebody.else@example.net", email_verified=False)
    response = sign_in_with_provider(client, provider, sub)
    assert response.status_code == 302 and signed_in_as(client) == candidate
    assert OidcIdentity.objects.filter(user=candidate).count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.OIDC_SIGNED_IN, subject_id=candidate.pk).exists()


@pytest.mark.oidc
def test_a_second_identity_at_the_same_provider_is_refused(client, provider, candidate):
    linked(candidate, provider)
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    sign_in_with_provider(client, provider, sub)
    assert signed_in_as(client) is None
    assert "already linked to another identity" in sign_in_page(client)


@pytest.mark.oidc
@pytest.mark.parametrize(
    ("claims", "reason", "message"),
    [
        ({"email_verified": False}, "email_unverified", "did not confirm your e-mail address"),
        ({"email_verified": "true"}, "email_unverified", "did not confirm your e-mail address"),
        ({}, "email_unverified", "did not confirm your e-mail address"),
        ({"email": "nobody@example.net", "email_verified": True}, "email_unknown", "creates no accounts by itself"),
    ],
)
def test_a_sign_in_without_a_verified_known_address_is_refused_and_creates_nothing(
    client, provider, candidate, claims, reason, message
):
    sub = subject()
    provider.person(sub, **{"email": candidate.email, **claims})
    accounts = User.objects.count()
    response = sign_in_with_provider(client, provider, sub)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_as(client) is None and message in sign_in_page(client)
    assert User.objects.count() == accounts and not OidcIdentity.objects.exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.OIDC_REFUSED).data["reason"] == reason


@pytest.mark.oidc
def test_a_deactivated_account_is_refused(client, provider, candidate):
    sub = linked(candidate, provider)
    User.objects.filter(pk=candidate.pk).update(is_active=False)
    sign_in_with_provider(client, provider, sub)
    assert signed_in_as(client) is None and "This account is deactivated" in sign_in_page(client)


@pytest.mark.oidc
def test_a_session_opened_with_the_provider_ends_when_the_account_is_deactivated(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    sign_in_with_provider(client, provider, sub)
    assert client.get("/accounts/profile/").status_code == 200
    User.objects.filter(pk=candidate.pk).update(is_active=False)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.oidc
@pytest.mark.parametrize(
    ("change", "reason", "message"),
    [
        ({"is_active": False}, "inactive", "This account is deactivated"),
        ({"is_superuser": True}, "superuser", "cannot be linked to a sign-in service"),
    ],
)
def test_an_inactive_account_or_a_superuser_is_not_linked(client, provider, administrator, change, reason, message):
    User.objects.filter(pk=administrator.pk).update(**change)
    sub = subject()
    provider.person(sub, email=administrator.email, email_verified=True)
    sign_in_with_provider(client, provider, sub)
    assert signed_in_as(client) is None and message in sign_in_page(client)
    assert not OidcIdentity.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OIDC_REFUSED)
    assert entry.data["reason"] == reason and entry.subject_id == administrator.pk


@pytest.mark.oidc
def test_a_portal_administrator_is_linked_by_the_providers_verified_address(client, provider, administrator):
    sub = subject()
    provider.person(sub, email=administrator.email, email_verified=True)
    sign_in_with_provider(client, provider, sub)
    assert signed_in_as(client) == administrator


@pytest.mark.oidc
def test_the_refusal_is_translated(client, provider):
    sub = subject()
    provider.person(sub, email="nobody@example.net", email_verified=True)
    client.cookies["django_language"] = "fr"
    sign_in_with_provider(client, provider, sub)
    assert "ne crée aucun compte" in sign_in_page(client)


@pytest.mark.oidc
def test_an_issuer_other_than_the_configured_one_is_refused(client, provider, settings):
    settings.OIDC_ISSUER = provider.issuer + "/"  # the discovery document names it without the slash
    response = client.get("/accounts/oidc/authenticate/")
    assert response["Location"] == "/accounts/login/"
    assert "did not succeed" in sign_in_page(client)


@pytest.mark.oidc
def test_a_state_is_used_once(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    back = urlsplit(provider.authorize(start(client), sub))
    state = query(back.geturl())["state"]
    client.get(back.path, dict(parse_qsl(back.query)))
    assert signed_in_as(client) == candidate
    assert state not in client.session.get("oidc_states", {})
    response = client.get(back.path, dict(parse_qsl(back.query)))  # the same state again, same session
    assert response["Location"] == "/accounts/login/"  # a sign-in would have led to "/"


@pytest.mark.oidc
def test_a_state_from_another_session_is_refused(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    back = urlsplit(provider.authorize(start(Client()), sub))  # started by someone else's browser
    start(client)  # this browser has a state of its own, not that one
    response = client.get(back.path, dict(parse_qsl(back.query)))
    assert response["Location"] == "/accounts/login/" and signed_in_as(client) is None
    assert not OidcIdentity.objects.exists()


@pytest.mark.oidc
@pytest.mark.parametrize(
    ("next_url", "landing"), [("https://evil.example/", "/"), ("/accounts/profile/", "/accounts/profile/")]
)
def test_only_a_next_page_of_the_portal_is_followed(client, provider, candidate, next_url, landing):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    response = client.get("/accounts/oidc/authenticate/", {"next": next_url})
    back = urlsplit(provider.authorize(response["Location"], sub))
    response = client.get(back.path, dict(parse_qsl(back.query)))
    assert signed_in_as(client) == candidate and response["Location"] == landing


@pytest.mark.oidc
@pytest.mark.parametrize("defect", ["expired", "no_id_token"])
def test_a_token_the_portal_cannot_accept_is_a_refusal_not_an_error(client, provider, candidate, monkeypatch, defect):
    if defect == "expired":  # the provider's clock an hour behind the portal's
        monkeypatch.setattr(backends, "CLOCK_LEEWAY_SECONDS", -3600)
    else:
        monkeypatch.setattr(backends.ProviderBackend, "get_token", lambda self, payload: {"access_token": "a"})
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    response = sign_in_with_provider(client, provider, sub)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert signed_in_as(client) is None and "did not succeed" in sign_in_page(client)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OIDC_REFUSED)
    assert entry.data["reason"] == "token_refused" and entry.subject_id is None


# --- the session ------------------------------------------------------------------------


@pytest.mark.oidc
def test_the_session_is_rotated_and_sign_out_works(client, provider, candidate):
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=True)
    back = urlsplit(provider.authorize(start(client), sub))
    before = client.session.session_key
    client.get(back.path, dict(parse_qsl(back.query)))
    assert signed_in_as(client) == candidate and client.session.session_key != before
    assert client.get("/accounts/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    assert client.get("/accounts/profile/").status_code == 302


# --- passwords -----------------------------------------------------------------------------


def sign_in_with_password(client, email, password=PASSWORD, url="/accounts/login/"):
    return client.post(url, {"username": email, "password": password})


def test_with_passwords_off_the_sign_in_page_shows_only_the_button_and_refuses_passwords(client, settings, candidate):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    configure(settings)
    page = sign_in_page(client)
    assert 'id="oidc-sign-in"' in page and 'name="password"' not in page
    assert sign_in_with_password(client, candidate.email).status_code == 302
    assert signed_in_as(client) is None
    assert "without passwords" in sign_in_page(client)


def test_with_passwords_off_password_reset_and_invitations_are_refused(client, settings, candidate, mailoutbox):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    response = client.post("/accounts/password/reset/", {"email": candidate.email})
    assert response["Location"] == "/accounts/login/" and not mailoutbox
    assert client.get("/accounts/password/reset/x/y/")["Location"] == "/accounts/login/"
    assert client.get("/accounts/invitation/x/y/")["Location"] == "/accounts/login/"


def test_with_passwords_off_only_superusers_sign_in_with_a_password_on_the_django_admin(
    client, settings, administrator
):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    sign_in_with_password(client, administrator.email, url="/admin/login/")
    assert signed_in_as(client) is None
    User.objects.filter(pk=administrator.pk).update(is_superuser=True)
    sign_in_with_password(client, administrator.email, url="/admin/login/")
    assert signed_in_as(client) == administrator


def test_with_passwords_off_only_superusers_change_their_password(client, settings, candidate):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    client.force_login(candidate, backend="accounts.backends.ProviderBackend")
    assert "Change my password" not in client.get("/accounts/profile/").content.decode()
    change = {
        "old_password": PASSWORD,
        "new_password1": "another horse battery",
        "new_password2": "another horse battery",
    }
    response = client.post("/accounts/password/change/", change)
    assert response["Location"] == "/accounts/profile/"
    candidate.refresh_from_db()
    assert candidate.check_password(PASSWORD)
    assert "cannot be changed here" in client.get("/accounts/profile/").content.decode()
    User.objects.filter(pk=candidate.pk).update(is_superuser=True)
    assert "Change my password" in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/password/change/").status_code == 200


@pytest.mark.oidc
def test_axes_still_locks_passwords_and_provider_refusals_do_not_count(client, provider, candidate, settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "accounts.backends.ProviderBackend" in settings.AUTHENTICATION_BACKENDS
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = LIMIT  # counted, the refusals below would lock this client out
    sub = subject()
    provider.person(sub, email=candidate.email, email_verified=False)  # the candidate's own address
    for _attempt in range(LIMIT + 1):
        sign_in_with_provider(client, provider, sub)
        assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.OIDC_REFUSED).count() == LIMIT + 1
    assert sign_in_with_password(client, candidate.email).status_code == 302
    assert signed_in_as(client) == candidate
    client.logout()
    for _attempt in range(LIMIT):
        sign_in_with_password(client, candidate.email, "wrong password")
    response = sign_in_with_password(client, candidate.email)
    assert response.status_code == 429 and signed_in_as(client) is None
