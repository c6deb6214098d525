"""assessments.services.portfolio: adding and withdrawing the candidate's files."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from assessments import services
from assessments.models import PortfolioItem
from audit.models import AuditEntry

from ... import factories, flows, samples
from ...rules import breaks_rule

pytestmark = pytest.mark.django_db
PDF_SIZE = len(samples.MINIMAL_PDF)


@pytest.fixture
def assessment():
    return factories.AssessmentFactory()


def add(assessment, competencies=None, indicators=(), upload=None):
    if competencies is None:
        competencies = list(assessment.qualification.competencies.all()[:1])
    return services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=upload or samples.pdf(),
        description="Evidence",
        competencies=competencies,
        indicators=indicators,
    )


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_file_is_stored_with_its_links_and_audited(assessment):
    competency = assessment.qualification.competencies.first()
    indicator = competency.indicators.first()
    item = add(assessment, competencies=[competency], indicators=[indicator])
    assert (list(item.competencies.all()), list(item.indicators.all())) == ([competency], [indicator])
    assert (item.size, item.content_type) == (PDF_SIZE, "application/pdf")
    assert len(stored_files()) == 1
    entry = AuditEntry.objects.about(assessment).get(action="portfolio_added")
    assert (entry.actor, entry.summary, entry.data["size"]) == (assessment.candidate, "evidence.pdf", PDF_SIZE)


def test_the_portfolio_closes_when_scoring_starts(assessment):
    flows.start(assessment)
    with breaks_rule("portfolio_closed"):
        add(assessment)
    assert not PortfolioItem.objects.exists() and stored_files() == []


def test_a_file_supports_at_least_one_competency(assessment):
    with breaks_rule("no_competency", "competencies"):
        add(assessment, competencies=[])
    assert stored_files() == []


def test_a_competency_of_another_qualification_is_refused(assessment):
    foreign = factories.QualificationFactory().competencies.first()
    with breaks_rule("foreign_competency", "competencies"):
        add(assessment, competencies=[assessment.qualification.competencies.first(), foreign])


def test_an_indicator_must_belong_to_a_linked_competency(assessment):
    first, second = assessment.qualification.competencies.all()[:2]
    with breaks_rule("foreign_indicator", "indicators"):
        add(assessment, competencies=[first], indicators=[first.indicators.first(), second.indicators.first()])


def test_a_file_that_fails_the_upload_check_is_refused_on_the_upload_field(assessment):
    with breaks_rule("empty", "upload"):
        add(assessment, upload=samples.upload("empty.pdf", b""))


def test_the_portfolio_may_fill_up_to_its_total_size_but_not_beyond(assessment, settings):
    settings.UPLOAD_MAX_PORTFOLIO_SIZE = 2 * PDF_SIZE
    add(assessment)
    add(assessment)  # exactly the limit
    with breaks_rule("portfolio_too_large"):
        add(assessment)
    assert PortfolioItem.objects.count() == 2
    assert len(stored_files()) == 2  # the refused file was removed again


def test_the_total_counts_only_this_assessments_portfolio(assessment, settings):
    settings.UPLOAD_MAX_PORTFOLIO_SIZE = PDF_SIZE
    add(factories.AssessmentFactory())
    add(assessment)
    assert PortfolioItem.objects.filter(assessment=assessment).count() == 1


def test_withdrawing_deletes_the_file_once_the_withdrawal_commits(assessment, django_capture_on_commit_callbacks):
    item = add(assessment)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    assert not PortfolioItem.objects.exists()
    assert len(stored_files()) == 1  # still there until the commit
    for callback in callbacks:
        callback()
    assert stored_files() == []
    entry = AuditEntry.objects.about(assessment).get(action="portfolio_withdrawn")
    assert (entry.actor, entry.summary) == (assessment.candidate, "evidence.pdf")
    assert entry.data == {"item_id": item.pk, "sha256": item.sha256}


def test_a_withdrawal_that_rolls_back_keeps_the_file(assessment, django_capture_on_commit_callbacks):
    item = add(assessment)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
        raise RuntimeError("the request failed after the withdrawal")
    assert callbacks == []
    assert PortfolioItem.objects.filter(pk=item.pk).exists()
    assert len(stored_files()) == 1


def test_a_file_is_withdrawn_only_once(assessment, django_capture_on_commit_callbacks):
    item = add(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    with breaks_rule("already_withdrawn"):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    assert AuditEntry.objects.about(assessment).filter(action="portfolio_withdrawn").count() == 1


def test_nothing_is_withdrawn_once_scoring_started(assessment):
    item = add(assessment)
    flows.start(assessment)
    with breaks_rule("portfolio_closed"):
        services.portfolio_item_withdraw(actor=assessment.candidate, item=item)
    assert PortfolioItem.objects.filter(pk=item.pk).exists() and len(stored_files()) == 1


def test_opening_a_file_is_audited(assessment):
    item = add(assessment)
    with services.portfolio_item_open(actor=assessment.first_assessor, item=item) as handle:
        assert handle.read() == samples.MINIMAL_PDF
    entry = AuditEntry.objects.about(assessment).get(action="file_downloaded")
    assert (entry.actor, entry.data) == (assessment.first_assessor, {"kind": "portfolio", "item_id": item.pk})
