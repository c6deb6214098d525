"""The rendering task is idempotent, retried, and recovers what a dead worker or broker left."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from certificates import services, tasks
from certificates.models import Certificate, SupplementVersion

from .conftest import render

pytestmark = pytest.mark.django_db
Status = SupplementVersion.Status


def supplement_files() -> list[Path]:
    folder = Path(django_settings.MEDIA_ROOT) / "supplements"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_running_the_task_twice_renders_once(certificate):
    version = certificate.versions.get()
    assert tasks.render_supplement.apply(args=[version.pk], task_id="first").get() is True
    assert tasks.render_supplement.apply(args=[version.pk], task_id="second").get() is False
    version.refresh_from_db()
    assert version.status == Status.READY and version.attempts == 1
    assert supplement_files() == [Path(version.file.path)]
    assert Certificate.objects.count() == 1


def test_a_duplicate_delivery_leaves_a_live_rendering_alone(certificate):
    version = certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=Status.RENDERING, claimed_by="other", started_at=timezone.now()
    )
    assert services.supplement_render(version_id=version.pk, attempt_id="duplicate") is False
    assert supplement_files() == []


def test_the_same_message_delivered_again_after_a_crash_takes_over(certificate):
    version = certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=Status.RENDERING, claimed_by="message-1", started_at=timezone.now(), attempts=1
    )
    version = render(version, attempt="message-1")
    assert version.status == Status.READY and version.attempts == 2


def test_a_stale_rendering_of_a_dead_worker_is_taken_over(certificate):
    version = certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        status=Status.RENDERING, claimed_by="dead", started_at=timezone.now() - timedelta(hours=1)
    )
    assert render(version, attempt="new").status == Status.READY


def test_a_failure_is_recorded_retried_and_can_be_retried_by_an_administrator(
    client, certificate, administrator, django_capture_on_commit_callbacks
):
    version = certificate.versions.get()
    with (
        mock.patch("certificates.rendering.render_supplement_pdf", side_effect=RuntimeError("no fonts")),
        pytest.raises(RuntimeError),
    ):
        services.supplement_render(version_id=version.pk, attempt_id="a")
    version.refresh_from_db()
    assert version.status == Status.FAILED and "no fonts" in version.error
    assert supplement_files() == []
    assert tasks.render_supplement.autoretry_for == (Exception,) and tasks.render_supplement.max_retries == 5
    client.force_login(administrator)
    page = client.get(f"/assessments/{certificate.assessment_id}/").content.decode()
    assert "no fonts" in page and "Retry" in page
    with (
        mock.patch("certificates.tasks.render_supplement.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(f"/certificates/{certificate.pk}/supplements/1/retry/")
    version.refresh_from_db()
    assert version.status == Status.QUEUED and version.error == ""
    delay.assert_called_once_with(version.pk)


def test_the_sweep_sends_old_queued_and_stale_renderings_only(certificate, settings):
    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 60
    fresh = certificate.versions.get()
    old = services.supplement_queue(certificate=certificate, languages=("fr", "en"))
    SupplementVersion.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    stale = services.supplement_queue(certificate=certificate, languages=("en", "nl"))
    SupplementVersion.objects.filter(pk=stale.pk).update(
        status=Status.RENDERING, started_at=timezone.now() - timedelta(hours=1)
    )
    with mock.patch("certificates.tasks.render_supplement.delay") as delay:
        call_command("queue_pending_supplements", verbosity=0)
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted([old.pk, stale.pk])
    assert fresh.pk not in [call.args[0] for call in delay.call_args_list]


def test_the_sweep_runs_every_minute_in_the_beat():
    from portal.celery import app

    schedule = app.conf.beat_schedule["queue-pending-supplements"]
    assert schedule["task"] == "certificates.tasks.queue_pending_supplements"
    assert schedule["schedule"] <= 60


def test_a_version_sent_lately_is_not_sent_again(certificate, settings):
    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 60
    version = certificate.versions.get()
    SupplementVersion.objects.filter(pk=version.pk).update(
        queued_at=timezone.now() - timedelta(minutes=5), sent_at=timezone.now() - timedelta(seconds=10)
    )
    assert services.supplements_to_resend() == []
    SupplementVersion.objects.filter(pk=version.pk).update(sent_at=timezone.now() - timedelta(minutes=5))
    assert services.supplements_to_resend() == [version.pk]


def test_a_sweep_already_running_is_not_run_twice(certificate, settings):
    from django.core.cache import cache

    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 0
    cache.add(tasks.SWEEP_LOCK, "held")
    with mock.patch("certificates.tasks.render_supplement.delay") as delay:
        assert tasks.queue_pending_supplements() == 0
    delay.assert_not_called()


def test_administrators_are_told_when_the_retries_are_used_up(certificate, mailoutbox, settings):
    settings.ADMINS = [("Staff", "staff@example.org")]
    tasks.render_supplement.on_failure(RuntimeError("no fonts"), "id", [certificate.versions.get().pk], {}, None)
    assert mailoutbox[0].to == ["staff@example.org"] and "no fonts" in mailoutbox[0].body
