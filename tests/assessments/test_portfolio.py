"""The candidate's optional portfolio: files linked to competencies, closed once scoring starts."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import PortfolioItem
from audit.models import AuditEntry
from qualifications.models import Competency

from .. import factories, flows, samples

pytestmark = pytest.mark.django_db


def add(assessment, upload=None, competencies=None, **kwargs):
    return services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=upload or samples.pdf(),
        description="My call-centre experience",
        competencies=competencies or list(assessment.qualification.competencies.all()[:2]),
        **kwargs,
    )


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(client, assessment, upload, competencies=(1,)):
    ids = [c.pk for c in assessment.qualification.competencies.filter(order__in=competencies)]
    return client.post(
        f"/assessments/{assessment.pk}/portfolio/add/", {"file": upload, "description": "Evidence", "competencies": ids}
    )


def test_candidate_adds_a_file_linked_to_competencies_and_indicators(client, assessment):
    client.force_login(assessment.candidate)
    competency = assessment.qualification.competencies.get(order=3)
    indicator = competency.indicators.first()
    response = client.post(
        f"/assessments/{assessment.pk}/portfolio/add/",
        {
            "file": samples.pdf("Mijn CV.pdf"),
            "description": "Five years in a contact centre",
            "competencies": [competency.pk],
            "indicators": [indicator.pk],
        },
    )
    assert response.status_code == 302
    item = PortfolioItem.objects.get()
    assert item.original_name == "Mijn CV.pdf"
    assert list(item.competencies.all()) == [competency]
    assert list(item.indicators.all()) == [indicator]
    assert item.file.name.startswith("portfolio/") and "CV" not in item.file.name  # random storage name
    assert AuditEntry.objects.filter(action="portfolio_added", actor=assessment.candidate).exists()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.pdf", b"", "The file is empty"),
        ("setup.pdf", samples.WINDOWS_EXECUTABLE, "not a PDF, JPEG, PNG, DOCX or ODT"),
    ],
)
def test_bad_uploads_get_a_message_and_nothing_is_stored(client, assessment, name, content, message):
    client.force_login(assessment.candidate)
    response = post(client, assessment, samples.upload(name, content))  # a fresh file: it is read to the end
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PortfolioItem.objects.exists()
    assert stored_files() == []


def test_a_file_over_the_limit_gets_a_message_and_is_not_even_stored(client, assessment, settings):
    settings.UPLOAD_MAX_FILE_SIZE = 100
    client.force_login(assessment.candidate)
    with mock.patch("django.core.files.uploadhandler.MemoryFileUploadHandler.receive_data_chunk") as stored:
        response = post(client, assessment, samples.upload("big.pdf", samples.MINIMAL_PDF + b"0" * 300_000))
    assert "too large" in response.content.decode()
    assert "This field is required" not in response.content.decode()
    stored.assert_not_called()
    assert not PortfolioItem.objects.exists()


def test_the_whole_portfolio_has_a_limit(assessment, settings):
    settings.UPLOAD_MAX_PORTFOLIO_SIZE = len(samples.MINIMAL_PDF) + 10
    add(assessment)
    with pytest.raises(ValidationError, match="larger than"):
        add(assessment)
    assert PortfolioItem.objects.count() == 1
    assert len(stored_files()) == 1  # the refused file was removed again


def test_hostile_file_name_is_cleaned(client, assessment):
    client.force_login(assessment.candidate)
    post(client, assessment, samples.pdf("../../etc/\x07passwd.pdf"))
    assert PortfolioItem.objects.get().original_name == "passwd.pdf"


def test_a_competency_of_another_qualification_is_refused(assessment):
    other = factories.QualificationFactory()
    with pytest.raises(ValidationError, match="not part of this qualification"):
        add(assessment, competencies=[other.competencies.first()])
    assert not PortfolioItem.objects.exists()


def test_an_indicator_must_belong_to_a_linked_competency(assessment):
    first, third = (
        assessment.qualification.competencies.get(order=1),
        assessment.qualification.competencies.get(order=3),
    )
    with pytest.raises(ValidationError, match="indicator"):
        add(assessment, competencies=[first], indicators=[third.indicators.first()])


def test_uploads_close_when_scoring_starts(client, assessment):
    flows.start(assessment)
    with pytest.raises(ValidationError, match="closed"):
        add(assessment)
    client.force_login(assessment.candidate)
    response = post(client, assessment, samples.pdf())
    assert response.status_code == 302
    assert not PortfolioItem.objects.exists()
    assert stored_files() == []


def test_candidate_withdraws_an_item_before_scoring_and_the_trail_keeps_it(
    client, assessment, django_capture_on_commit_callbacks
):
    item = add(assessment)
    path = Path(item.file.path)
    client.force_login(assessment.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessments/{assessment.pk}/portfolio/{item.pk}/withdraw/")
    assert response.status_code == 302
    assert not PortfolioItem.objects.exists()
    assert not path.exists()  # the file goes once the withdrawal commits
    entry = AuditEntry.objects.get(action="portfolio_withdrawn")
    assert entry.data["sha256"] == item.sha256


def test_withdrawal_is_refused_once_scoring_started(assessment):
    item = add(assessment)
    flows.start(assessment)
    with pytest.raises(ValidationError):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    assert PortfolioItem.objects.count() == 1


@pytest.mark.parametrize("who", ["candidate", "first_assessor", "second_assessor", "administrator"])
def test_people_of_the_assessment_download_the_file_and_it_is_audited(client, assessment, administrator, who):
    item = add(assessment)
    user = administrator if who == "administrator" else getattr(assessment, who)
    client.force_login(user)
    response = client.get(f"/assessments/{assessment.pk}/portfolio/{item.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="evidence.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="file_downloaded", actor=user, data__item_id=item.pk).exists()


@pytest.mark.parametrize("who", ["other_candidate", "outsider_assessor"])
def test_anybody_else_gets_a_404(client, assessment, request, who):
    item = add(assessment)
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/assessments/{assessment.pk}/portfolio/{item.pk}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action="file_downloaded").exists()


def test_files_have_no_public_url(assessment, client):
    item = add(assessment)
    assert django_settings.MEDIA_URL in ("", "/")  # nothing is served from it
    assert client.get(f"/{item.file.name}").status_code == 404
    assert client.get(f"/media/{item.file.name}").status_code == 404


def test_html_in_the_description_is_shown_as_text(client, assessment):
    services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=samples.pdf(),
        description='<script>alert("x")</script><a href="http://evil.example">x</a>',
        competencies=[Competency.objects.first()],
    )
    client.force_login(assessment.first_assessor)
    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert 'href="http://evil.example"' not in html


def test_a_double_clicked_withdrawal_withdraws_once(client, assessment):
    item = add(assessment)
    client.force_login(assessment.candidate)
    client.post(f"/assessments/{assessment.pk}/portfolio/{item.pk}/withdraw/")
    assert client.post(f"/assessments/{assessment.pk}/portfolio/{item.pk}/withdraw/").status_code == 404
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    assert AuditEntry.objects.filter(action="portfolio_withdrawn").count() == 1
