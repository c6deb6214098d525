"""The portfolio form as the candidate meets it: indicators grouped, the chosen file kept after an error,
and what the assessors see of the candidate's links (issue 13, item 8)."""

import hashlib
import os
import time

import pytest
from django.core.exceptions import ValidationError

from assessments import kept_uploads, services
from assessments.forms import PortfolioItemForm
from assessments.models import PortfolioItem
from portal.storage import listed_files, private_storage

from .. import factories, flows, samples

pytestmark = pytest.mark.django_db


def url(assessment) -> str:
    return f"/assessments/{assessment.pk}/portfolio/add/"


def kept_files() -> list[str]:
    return listed_files(kept_uploads.FOLDER)


def test_indicators_are_grouped_under_their_competency(assessment):
    form = PortfolioItemForm(assessment=assessment)
    groups = form["indicators"].field.widget.optgroups("indicators", [])
    competencies = list(assessment.qualification.competencies.all())
    assert [group for group, _options, _index in groups] == [f"{c.order}. {c.text}" for c in competencies]
    for (_group, options, _index), competency in zip(groups, competencies, strict=True):
        assert [option["value"].instance for option in options] == list(competency.indicators.all())


def test_the_grouped_indicators_show_on_the_page_and_still_validate(client, assessment):
    client.force_login(assessment.candidate)
    page = client.get(url(assessment)).content.decode()
    first = assessment.qualification.competencies.get(order=1)
    assert f"<strong>1. {first.text}</strong>" in page
    other = assessment.qualification.competencies.get(order=2).indicators.first()
    response = client.post(
        url(assessment),
        {"file": samples.pdf(), "description": "Letter", "competencies": [first.pk], "indicators": [other.pk]},
    )
    assert response.context["form"].errors["indicators"] == [
        "An indicator must belong to one of the linked competencies."
    ]


def test_after_an_error_the_chosen_file_is_kept_and_can_be_used(client, assessment):
    client.force_login(assessment.candidate)
    chosen = samples.pdf("Reference letter.pdf")
    digest = hashlib.sha256(samples.MINIMAL_PDF).hexdigest()
    refused = client.post(url(assessment), {"file": chosen, "description": "Letter"})  # no competency
    assert refused.status_code == 200
    assert refused.context["form"].errors["competencies"] == ["Link the file to at least one competency."]
    page = refused.content.decode()
    assert "Keep the file you chose: Reference letter.pdf" in page
    assert 'name="keep_file"' in page and "checked" in page.split('name="keep_file"')[1].split(">")[0]
    assert len(kept_files()) == 1 and not PortfolioItem.objects.exists()
    competency = assessment.qualification.competencies.get(order=1)
    added = client.post(url(assessment), {"keep_file": "on", "description": "Letter", "competencies": [competency.pk]})
    assert added.status_code == 302
    item = PortfolioItem.objects.get()
    assert (item.original_name, item.sha256) == ("Reference letter.pdf", digest)
    assert kept_files() == [] and kept_uploads.SESSION_KEY not in client.session


def test_without_the_kept_file_or_a_new_one_the_file_is_required(client, assessment):
    client.force_login(assessment.candidate)
    client.post(url(assessment), {"file": samples.pdf(), "description": "Letter"})
    competency = assessment.qualification.competencies.get(order=1)
    response = client.post(url(assessment), {"description": "Letter", "competencies": [competency.pk]})
    assert response.context["form"].errors["file"] == ["This field is required."]
    assert not PortfolioItem.objects.exists()


def test_a_new_file_replaces_the_kept_one(client, assessment):
    client.force_login(assessment.candidate)
    client.post(url(assessment), {"file": samples.pdf("first.pdf"), "description": "Letter"})
    competency = assessment.qualification.competencies.get(order=1)
    client.post(
        url(assessment),
        {
            "keep_file": "on",
            "file": samples.upload("photo.png", samples.image_bytes("PNG")),
            "description": "Photo",
            "competencies": [competency.pk],
        },
    )
    assert PortfolioItem.objects.get().original_name == "photo.png"
    assert kept_files() == []


def test_a_refused_file_is_not_kept(client, assessment):
    client.force_login(assessment.candidate)
    response = client.post(
        url(assessment), {"file": samples.upload("setup.pdf", samples.WINDOWS_EXECUTABLE), "description": "Letter"}
    )
    assert "Keep the file you chose" not in response.content.decode()
    assert kept_files() == []


def test_a_kept_file_belongs_to_its_session_and_assessment(client, assessment, other_candidate, qualification):
    client.force_login(assessment.candidate)
    client.post(url(assessment), {"file": samples.pdf(), "description": "Letter"})
    other = factories.AssessmentFactory(candidate=assessment.candidate)  # of another qualification
    assert "Keep the file you chose" not in client.get(url(other)).content.decode()
    client.force_login(other_candidate)  # a new session
    own = factories.AssessmentFactory(qualification=qualification, candidate=other_candidate)
    assert "Keep the file you chose" not in client.get(url(own)).content.decode()


def test_a_kept_file_is_short_lived(client, assessment, settings):
    settings.PORTFOLIO_KEPT_UPLOAD_SECONDS = 60
    client.force_login(assessment.candidate)
    client.post(url(assessment), {"file": samples.pdf(), "description": "Letter"})
    session = client.session
    session[kept_uploads.SESSION_KEY][kept_uploads.SLOT]["kept_at"] = time.time() - 61
    session.save()
    assert "Keep the file you chose" not in client.get(url(assessment)).content.decode()
    # An abandoned kept file is removed when the next one is kept.
    abandoned = private_storage.path(f"{kept_uploads.FOLDER}/{kept_files()[0]}")
    os.utime(abandoned, (time.time() - 61, time.time() - 61))
    client.post(url(assessment), {"file": samples.pdf("second.pdf"), "description": "Letter"})
    assert not os.path.exists(abandoned) and len(kept_files()) == 1


def test_a_portfolio_item_needs_a_file(assessment):
    with pytest.raises(ValidationError) as refused:
        services.portfolio_item_add(
            actor=assessment.candidate,
            assessment=assessment,
            upload=None,
            description="No file",
            competencies=[assessment.qualification.competencies.first()],
        )
    assert refused.value.error_dict["upload"][0].code == "no_file"


def test_the_portfolio_closed_message_disappears_after_the_decision(client, assessment):
    client.force_login(assessment.candidate)
    flows.started_and_ended(assessment)
    assert (
        "The portfolio is closed: the assessment has started."
        in client.get(f"/assessments/{assessment.pk}/").content.decode()
    )
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "certified" in page
    assert "The portfolio is closed" not in page


def test_the_assessors_see_the_indicators_the_candidate_linked(client, assessment):
    competency = assessment.qualification.competencies.get(order=3)
    first, second = list(competency.indicators.all())[:2]
    services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=samples.pdf("letter.pdf"),
        description="Letter",
        competencies=[competency],
        indicators=[second, first],
    )
    flows.start(assessment)
    client.force_login(assessment.first_assessor)
    response = client.get(f"/assessments/{assessment.pk}/score-sheet/")
    block = response.content.decode().split('id="competency-3"')[1].split("</section>")[0]
    assert "letter.pdf" in block
    assert (
        f'The candidate links it to: <span class="portfolio-indicator">3.{first.order} {first.text}</span>; '
        f'<span class="portfolio-indicator">3.{second.order} {second.text}</span>'
    ) in block
