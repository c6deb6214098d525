"""One issuer: the versions of the issuing centre, the documents and credentials that name them,
the issuer profile, and the seal that should name the same centre (decision 0019)."""

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from certificates import rendering, sealing, services
from certificates.credentials import documents
from certificates.credentials.issuing import credential_issue
from certificates.models import IssuingCentre

from .. import factories, flows
from .conftest import render
from .sealing_helpers import make_seal, payload_of
from .test_supplement_document import text_of

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Testcentrum Klantcontact Gent",
    "address": "Kortrijksesteenweg 1\n9000 Gent",
    "recognition_number": "TC-0213-017",
}


def revise(centre, actor=None, **changes) -> IssuingCentre:
    typed = {"name": centre.name, "address": centre.address, "recognition_number": centre.recognition_number}
    return services.issuing_centre_revise(actor=actor, centre=centre, **{**typed, **changes})


def another_certificate(qualification):
    return flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate


# --- Versions --------------------------------------------------------------------------------


def test_an_edit_makes_the_next_version_current_and_leaves_the_version_replaced_as_it_was(issuing_centre):
    administrator = factories.AdministratorFactory()
    revised = revise(issuing_centre, actor=administrator, **NEW)
    old = IssuingCentre.objects.get(pk=issuing_centre.pk)
    assert (old.name, old.address, old.version, old.is_current) == (
        issuing_centre.name,
        issuing_centre.address,
        1,
        False,
    )
    assert (revised.version, revised.previous, revised.is_current, revised.entered_at is not None) == (
        2,
        old,
        True,
        True,
    )
    assert IssuingCentre.objects.current() == revised
    assert [version.version for version in old.history()] == [2, 1] == [v.version for v in revised.history()]
    entry = AuditEntry.objects.about(revised).get()
    assert (entry.action, entry.actor, entry.data["replaces"]) == ("issuing_centre_revised", administrator, old.pk)
    assert entry.data["changed"] == {
        "name": [issuing_centre.name, NEW["name"]],
        "address": [issuing_centre.address, NEW["address"]],
    }


def test_an_edit_that_changes_nothing_makes_no_version(issuing_centre):
    assert revise(issuing_centre, address=issuing_centre.address.replace("\n", "\r\n") + "\n") == issuing_centre
    assert IssuingCentre.objects.get() == issuing_centre
    assert not AuditEntry.objects.filter(action="issuing_centre_revised").exists()


def test_only_the_current_version_is_changed(issuing_centre):
    revise(issuing_centre, name="Second name")
    with pytest.raises(ValidationError) as error:
        revise(IssuingCentre.objects.get(pk=issuing_centre.pk), name="Third name")
    assert error.value.code == "issuing_centre_replaced"
    assert IssuingCentre.objects.count() == 2


def test_a_version_names_the_centre_on_one_line(issuing_centre):
    with pytest.raises(ValidationError) as error:
        revise(issuing_centre, name="Testcentrum\nGent")
    assert "name" in error.value.message_dict
    assert IssuingCentre.objects.get() == issuing_centre and issuing_centre.is_current


def test_the_centre_is_entered_once_then_changed_by_versions(issuing_centre):
    with pytest.raises(ValidationError) as error:
        services.issuing_centre_enter(actor=None, **NEW)
    assert error.value.code == "issuing_centre_entered"
    IssuingCentre.objects.all().delete()
    administrator = factories.AdministratorFactory()
    entered = services.issuing_centre_enter(actor=administrator, **NEW)
    assert (entered.version, entered.previous, entered.is_current) == (1, None, True)
    entry = AuditEntry.objects.about(entered).get()
    assert (entry.action, entry.actor, entry.data["name"]) == ("issuing_centre_entered", administrator, NEW["name"])


# --- Documents and credentials keep their version -----------------------------------------


def test_a_document_rendered_again_prints_the_version_that_issued_it(certificate, issuing_centre, qualification):
    revise(issuing_centre, **NEW)
    old = render(services.supplement_rerender(certificate=certificate, actor=None, languages=("nl", "en")))
    text = text_of(old)
    assert issuing_centre.name in text and "Koning Albert II-laan 37" in text
    assert NEW["name"] not in text and "Kortrijksesteenweg" not in text
    assert PdfReader(old.file.path).metadata.author == issuing_centre.name
    newer = another_certificate(qualification).versions.get()
    html = rendering.supplement_html(newer)
    assert NEW["name"] in html and "Kortrijksesteenweg 1" in html
    assert issuing_centre.name not in html and "Koning Albert II-laan 37" not in html


def test_a_statement_rendered_again_names_the_version_that_issued_it(assessment, issuing_centre):
    statement = flows.decide(assessment, not_proven={10}).certificate
    assert statement.is_statement
    revise(issuing_centre, **NEW)
    html = rendering.supplement_html(
        services.supplement_rerender(certificate=statement, actor=None, languages=("fr", "nl"))
    )
    assert f'<meta name="author" content="{issuing_centre.name}">' in html
    assert NEW["name"] not in html


def test_each_credential_names_the_version_that_issued_its_document(certificate, issuing_centre, qualification):
    revise(issuing_centre, **NEW)
    newer = another_certificate(qualification)
    old_credential = credential_issue(certificate=certificate, languages=("nl", "en"))
    assert payload_of(old_credential.jwt)["issuer"]["name"] == issuing_centre.name
    signed_again = credential_issue(certificate=certificate, languages=("fr", "en"))
    assert payload_of(signed_again.jwt)["issuer"]["name"] == issuing_centre.name
    assert payload_of(credential_issue(certificate=newer, languages=("nl", "en")).jwt)["issuer"]["name"] == NEW["name"]


# --- The issuer profile ----------------------------------------------------------------------


def test_the_issuer_profile_names_the_current_version(client, issuing_centre):
    revise(issuing_centre, **NEW)
    profile = client.get(reverse("certificates:issuer")).json()
    assert profile["name"] == NEW["name"]
    assert documents.schema_errors(profile, documents.PROFILE_SCHEMA) == []


def test_there_is_no_issuer_profile_before_the_centre_is_entered(client):
    IssuingCentre.objects.all().delete()
    assert client.get(reverse("certificates:issuer")).status_code == 404


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def superuser(client):
    user = factories.AdministratorFactory(is_superuser=True)
    client.force_login(user)
    return user


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:certificates_issuingcentre_{view}", args=args)


def test_the_admin_enters_the_first_centre_through_the_service(client, superuser):
    IssuingCentre.objects.all().delete()
    response = client.post(admin_url("add"), {**NEW, "_save": "Save"})
    assert response.status_code == 302
    entered = IssuingCentre.objects.get()
    assert (entered.name, entered.version, entered.is_current) == (NEW["name"], 1, True)
    assert AuditEntry.objects.about(entered).get().actor == superuser


def test_the_admin_shows_every_version(client, superuser, issuing_centre):
    revised = revise(issuing_centre, **NEW)
    for version in (issuing_centre, revised):
        page = client.get(admin_url("change", version.pk)).content.decode()
        assert issuing_centre.name in page and NEW["name"] in page
        assert "Koning Albert II-laan 37, 1030 Brussel" in page and "Kortrijksesteenweg 1, 9000 Gent" in page


def test_the_admin_warns_when_the_seal_names_another_centre(client, superuser, issuing_centre, settings, tmp_path):
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name=NEW["name"]))
    settings.PORTAL_SEAL_PASSPHRASE = "pass"
    form = {**NEW, "_save": "Save"}
    warned = client.post(admin_url("change", issuing_centre.pk), {**form, "name": "Renamed"}, follow=True)
    assert f"The seal certificate names “{NEW['name']}”, not “Renamed”" in warned.content.decode()
    revised = IssuingCentre.objects.current()
    quiet = client.post(admin_url("change", revised.pk), form, follow=True)
    assert IssuingCentre.objects.current().name == NEW["name"]
    assert "The seal certificate names" not in quiet.content.decode()


# --- The seal names the centre ---------------------------------------------------------------


def test_a_seal_names_the_centre_by_its_organisation_or_its_common_name(tmp_path):
    def seal(common_name, organisation=""):
        path = make_seal(tmp_path, name=common_name, organisation=organisation)
        return sealing._load_seal(str(path), 0, "pass")

    centre = "Testcentrum Contactcenter Vlaanderen"
    assert seal("eSeal 2026", organisation=centre).names(centre)
    assert seal(centre, organisation="Other vzw").names(centre)
    assert seal("  testcentrum   CONTACTCENTER vlaanderen ").names(centre)
    assert not seal("eSeal 2026", organisation="Other vzw").names(centre)
    assert not seal("Testcentrum Contactcenter").names(centre)


def deploy_messages() -> dict[str, str]:
    found = checks.run_checks(include_deployment_checks=True)
    return {message.id: message.msg for message in found if message.id.startswith("certificates.")}


def test_check_deploy_warns_when_the_seal_names_another_centre(settings, tmp_path, issuing_centre):
    settings.PORTAL_SEAL_PASSPHRASE = "pass"
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name="Someone else"))
    message = deploy_messages()["certificates.W001"]
    assert "Someone else" in message and issuing_centre.name in message
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name=issuing_centre.name))
    assert deploy_messages() == {}
    revise(issuing_centre, **NEW)  # the seal names the version replaced
    assert "certificates.W001" in deploy_messages()


def test_check_deploy_compares_nothing_without_a_seal_or_a_centre(settings, tmp_path):
    settings.PORTAL_SEAL_PKCS12 = ""
    assert deploy_messages() == {}
    settings.PORTAL_SEAL_PASSPHRASE = "pass"
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name="Someone else"))
    IssuingCentre.objects.all().delete()
    assert deploy_messages() == {}


def test_check_deploy_fails_on_a_seal_that_cannot_be_opened(settings, tmp_path):
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name="Locked"))
    settings.PORTAL_SEAL_PASSPHRASE = "not-the-passphrase"
    assert "cannot be opened" in deploy_messages()["certificates.E001"]
    settings.PORTAL_SEAL_PKCS12 = str(tmp_path / "missing.p12")
    assert "certificates.E001" in deploy_messages()


def test_the_development_seal_is_made_in_the_centres_name(settings, tmp_path, issuing_centre):
    settings.DEBUG = True
    settings.PORTAL_SEAL_PASSPHRASE = "development"
    settings.PORTAL_CREDENTIAL_KEY = str(tmp_path / "credential-key.pem")
    settings.PORTAL_SEAL_PKCS12 = str(tmp_path / "named" / "seal.p12")
    call_command("ensure_dev_seal", verbosity=0)
    seal = sealing.configured_seal()
    assert seal.is_test_seal and seal.holder == issuing_centre.name
    IssuingCentre.objects.all().delete()
    settings.PORTAL_SEAL_PKCS12 = str(tmp_path / "unnamed" / "seal.p12")
    call_command("ensure_dev_seal", verbosity=0)
    assert sealing.configured_seal().holder == "Development test centre"
