"""The reports page says how old its figures are, and an administrator can ask for fresh ones: the
refresh is queued for the worker, and the page says it is on its way (no JavaScript needed)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import formats, timezone, translation

from portal.celery import app
from reports import tasks
from reports.models import CountedAssessment, RefreshRequest, ReportState

from .. import factories, flows

pytestmark = pytest.mark.django_db

PAGE = "/assessments/reports/"
REFRESH = "/assessments/reports/refresh/"


@pytest.fixture
def signed_in(client, administrator):
    client.force_login(administrator)
    return client


def shown(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@pytest.mark.parametrize(
    "language,as_of,button",
    [
        ("en", "Figures as of", "Refresh now"),
        ("nl", "Cijfers van", "Nu vernieuwen"),
        ("fr", "Chiffres au", "Actualiser"),
    ],
)
def test_the_page_says_how_old_the_figures_are_in_each_language(signed_in, language, as_of, button):
    flows.refresh_reports()
    signed_in.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    page = signed_in.get(PAGE).content.decode()
    with translation.override(language):
        moment = shown(ReportState.objects.get().refreshed_at)
    assert f"{as_of} {moment}." in page
    assert f">{button}</button>" in page


def test_figures_never_counted_say_so(signed_in):
    page = signed_in.get(PAGE).content.decode()
    assert "The figures have not been counted yet." in page and "Figures as of" not in page


def test_figures_older_than_a_working_worker_leaves_them_say_so(signed_in, settings):
    flows.refresh_reports()
    assert "older than usual" not in signed_in.get(PAGE).content.decode()
    ReportState.objects.update(
        refreshed_at=timezone.now() - timedelta(seconds=5 * settings.REPORTS_REFRESH_SECONDS + 1)
    )
    assert "These figures are older than usual" in signed_in.get(PAGE).content.decode()


def test_refresh_now_queues_the_refresh_and_the_page_says_it_is_running(
    signed_in, assessment, django_capture_on_commit_callbacks
):
    flows.refresh_reports()
    flows.start(assessment)
    with (
        mock.patch.object(tasks.refresh_reports, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = signed_in.post(REFRESH, follow=True)
    delay.assert_called_once_with()
    page = response.content.decode()
    assert response.redirect_chain == [(PAGE, 302)]
    assert "The figures are being counted again" in page
    requested = RefreshRequest.objects.get().requested_at
    assert f"A refresh asked for at {shown(requested)} is running." in page
    assert dict(response.context["figures"].by_status)["Scoring"] == 0
    # The worker runs the task: fresh figures, and the request is answered.
    assert tasks.refresh_reports()
    response = signed_in.get(PAGE)
    assert "is running" not in response.content.decode()
    assert dict(response.context["figures"].by_status)["Scoring"] == 1
    assert not RefreshRequest.objects.exists()


def test_refresh_now_with_the_broker_down_waits_for_the_periodic_refresh(signed_in, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(tasks.refresh_reports, "delay", side_effect=ConnectionRefusedError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = signed_in.post(REFRESH, follow=True)
    assert response.status_code == 200 and "is running" in response.content.decode()


def test_refresh_now_is_a_plain_form_that_works_without_javascript(administrator):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(administrator)
    page = browser.get(PAGE)
    assert f'<form method="post" action="{REFRESH}">' in page.content.decode()
    assert browser.post(REFRESH).status_code == 403  # CSRF-protected
    token = page.cookies["csrftoken"].value
    response = browser.post(REFRESH, {"csrfmiddlewaretoken": token})
    assert (response.status_code, response.url) == (302, PAGE)
    assert RefreshRequest.objects.count() == 1


def test_refresh_now_only_by_post(signed_in):
    assert signed_in.get(REFRESH).status_code == 405
    assert not RefreshRequest.objects.exists()


def test_a_refresh_answers_the_requests_made_before_it_only(signed_in):
    flows.refresh_reports()
    RefreshRequest.objects.create(requested_at=timezone.now() - timedelta(seconds=1))
    later = RefreshRequest.objects.create(requested_at=timezone.now() + timedelta(minutes=1))
    flows.refresh_reports()
    assert list(RefreshRequest.objects.all()) == [later]


def test_the_refresh_runs_in_the_beat_every_reports_refresh_seconds(settings):
    schedule = app.conf.beat_schedule["refresh-reports"]
    assert schedule["task"] == "reports.tasks.refresh_reports"
    assert schedule["schedule"] == settings.REPORTS_REFRESH_SECONDS == 60
    assert tasks.refresh_reports.soft_time_limit < tasks.refresh_reports.time_limit


def test_the_rebuild_task_counts_everything(qualification):
    assessment = factories.AssessmentFactory(qualification=qualification)
    tasks.rebuild_reports()
    assert ReportState.objects.get().built_at is not None
    assert list(CountedAssessment.objects.values_list("pk", flat=True)) == [assessment.pk]
