"""Every upload (portfolio files, observations, imports) is scanned by ClamAV's daemon before it is
stored: an infected file is refused and audited, a scanner that is down or hangs refuses too."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from assessments import services
from assessments.models import Observation, PortfolioItem
from assessments.services import JudgementEntry
from audit.models import AuditEntry
from portal import scanning

from . import flows, samples
from .clamd import EICAR, SIGNATURE, SilentServer
from .test_deployment import PRODUCTION_ENV, manage
from .workers import free_port

pytestmark = pytest.mark.django_db

INFECTED_MESSAGE = (
    "This file contains a virus or other malicious software (%(signature)s), so it was refused "
    "and not stored. Check your computer with an antivirus program and upload a clean copy."
)
TRY_AGAIN_MESSAGE = (
    "The file could not be checked for viruses just now, so it was not accepted. Try again in a few minutes."
)


@pytest.fixture
def scoring(assessment):
    flows.start(assessment)
    assessment.refresh_from_db()
    return assessment


def eicar(name: str = "cv.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EICAR, content_type="application/pdf")


def stored_files(settings) -> list:
    """Every file under the private folder: portfolio files, observations and kept uploads alike."""
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()] if settings.MEDIA_ROOT.exists() else []


def add_to_portfolio(client, assessment, upload):
    competency = assessment.qualification.competencies.get(order=1)
    return client.post(
        f"/assessments/{assessment.pk}/portfolio/add/",
        {"file": upload, "description": "My CV", "competencies": [competency.pk]},
    )


def test_the_daemon_finds_the_test_virus_over_tcp_and_over_its_unix_socket(scanner, settings):
    for url in (scanner.tcp_url, scanner.unix_url):
        settings.CLAMD_URL = url
        scanning.ping()
        verdict = scanning.scan(eicar())
        assert verdict.infected and verdict.signature.startswith(SIGNATURE)
        assert scanning.scan(samples.pdf()) == scanning.Verdict(infected=False)


def test_an_infected_portfolio_file_is_refused_stored_nowhere_and_audited_once(client, assessment, scanner, settings):
    client.force_login(assessment.candidate)
    response = add_to_portfolio(client, assessment, eicar("My CV.pdf"))
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert message.startswith("This file contains a virus or other malicious software (Portal-Test.EICAR")
    assert not PortfolioItem.objects.exists() and stored_files(settings) == []
    # The service refused it, then the form tried to keep it for the next attempt: one entry.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPLOAD_INFECTED)
    assert (entry.actor, entry.subject_id) == (assessment.candidate, assessment.pk)
    assert entry.summary.startswith("My CV.pdf: Portal-Test.EICAR")
    assert entry.data["kind"] == "portfolio" and entry.data["size"] == len(EICAR)
    assert entry.data["sha256"] == hashlib.sha256(EICAR).hexdigest()


def test_a_clean_portfolio_file_passes_the_scan_and_is_stored(client, assessment, scanner):
    client.force_login(assessment.candidate)
    assert add_to_portfolio(client, assessment, samples.pdf()).status_code == 302
    assert PortfolioItem.objects.count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPLOAD_INFECTED).exists()


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_refusal_speaks_the_persons_language(client, assessment, scanner, language):
    client.force_login(assessment.candidate)
    client.cookies["django_language"] = language  # as signing in in their language sets it
    response = add_to_portfolio(client, assessment, eicar())
    with translation.override(language):
        expected = gettext(INFECTED_MESSAGE) % {"signature": f"{SIGNATURE}.UNOFFICIAL"}
    assert expected != INFECTED_MESSAGE % {"signature": f"{SIGNATURE}.UNOFFICIAL"}
    assert response.context["form"].errors["file"] == [expected]


def test_an_infected_observation_is_refused_and_audited(scoring, scanner, settings):
    competency = scoring.qualification.competencies.get(order=1)
    entry = JudgementEntry(competency_id=competency.pk, proven=True, observation=eicar("notes.pdf"))
    with pytest.raises(ValidationError) as refused:
        services.score_sheet_save(
            actor=scoring.first_assessor, sheet=flows.sheet_of(scoring, scoring.first_assessor), entries=[entry]
        )
    assert [error.code for error in refused.value.error_dict[f"{competency.pk}.observation"]] == ["infected"]
    assert not Observation.objects.exists() and stored_files(settings) == []
    audited = AuditEntry.objects.get(action=AuditEntry.Action.UPLOAD_INFECTED)
    assert (audited.actor, audited.subject_id, audited.data["kind"]) == (
        scoring.first_assessor,
        scoring.pk,
        "observation",
    )


def test_an_infected_import_is_refused_before_it_is_read_or_kept(client, administrator, scanner, settings):
    client.force_login(administrator)
    infected = SimpleUploadedFile("people.csv", EICAR + b"\nfirst_name,last_name,email\n", content_type="text/csv")
    response = client.post("/accounts/people/import/", {"file": infected, "check": "1"})
    [message] = response.context["form"].errors["file"]
    assert message.startswith("This file contains a virus")
    assert response.context["report"] is None and stored_files(settings) == []
    audited = AuditEntry.objects.get(action=AuditEntry.Action.UPLOAD_INFECTED)
    assert (audited.actor, audited.subject_id, audited.data["kind"]) == (administrator, None, "import")


def test_a_scanner_that_is_down_refuses_the_upload_and_says_to_try_again(client, assessment, settings):
    settings.CLAMD_URL = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    client.force_login(assessment.candidate)
    response = add_to_portfolio(client, assessment, samples.pdf())
    assert response.context["form"].errors["file"] == [TRY_AGAIN_MESSAGE]
    assert not PortfolioItem.objects.exists() and stored_files(settings) == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPLOAD_INFECTED).exists()


def test_a_scanner_that_never_answers_refuses_the_upload_after_its_timeout(client, administrator, settings):
    silent = SilentServer()
    settings.CLAMD_URL, settings.CLAMD_TIMEOUT = silent.url, 0.5
    try:
        client.force_login(administrator)
        rows = SimpleUploadedFile("people.csv", b"first_name,last_name,email\n", content_type="text/csv")
        response = client.post("/accounts/people/import/", {"file": rows, "check": "1"})
    finally:
        silent.stop()
    assert response.context["form"].errors["file"] == [TRY_AGAIN_MESSAGE]
    assert stored_files(settings) == []


def test_a_scanner_that_is_down_refuses_an_observation(scoring, settings):
    settings.CLAMD_URL = f"tcp://127.0.0.1:{free_port()}"
    competency = scoring.qualification.competencies.get(order=1)
    entry = JudgementEntry(competency_id=competency.pk, proven=True, observation=samples.pdf())
    with pytest.raises(ValidationError) as refused:
        services.score_sheet_save(
            actor=scoring.first_assessor, sheet=flows.sheet_of(scoring, scoring.first_assessor), entries=[entry]
        )
    assert [error.code for error in refused.value.error_dict[f"{competency.pk}.observation"]] == ["scanner_unavailable"]
    assert stored_files(settings) == []


def test_without_a_scanner_configured_uploads_are_not_scanned(settings):
    settings.CLAMD_URL = ""
    scanning.scan_upload(eicar(), actor=None, subject=None, kind="portfolio")  # development: no daemon


@pytest.mark.parametrize("url", ["clamd.example.org:3310", "tcp://:3310", "tcp://host:port", "unix://", "http://x"])
def test_a_scanner_address_of_another_form_is_a_configuration_mistake(url):
    with pytest.raises(scanning.ImproperlyConfigured):
        scanning.client(url, 1)


def test_production_refuses_to_start_without_a_scanner_unless_told():
    refused = manage("check", env={**PRODUCTION_ENV, "CLAMD_URL": ""})
    assert refused.returncode != 0 and "CLAMD_URL" in refused.stderr
    allowed = manage(
        "check", "--deploy", env={**PRODUCTION_ENV, "CLAMD_URL": "", "PORTAL_ALLOW_UNSCANNED_UPLOADS": "1"}
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "monitoring.W001" in allowed.stderr and "not scanned for viruses" in allowed.stderr


def test_development_is_told_that_uploads_are_not_scanned_by_the_deployment_checks_only():
    development = {"DJANGO_SETTINGS_MODULE": "portal.settings.base", "CLAMD_URL": ""}
    everyday = manage("check", env=development)
    assert everyday.returncode == 0 and "monitoring.W001" not in everyday.stderr
    deployment = manage("check", "--deploy", env=development)
    assert "monitoring.W001" in deployment.stderr


def test_a_malformed_scanner_address_stops_the_checks():
    result = manage("check", env={**PRODUCTION_ENV, "CLAMD_URL": "clamd:3310"})
    assert result.returncode != 0 and "monitoring.E001" in result.stderr
