"""Bad input and failures: a clear message and nothing half-written."""

from unittest import mock

import pytest
from django.test import Client

from assessments.models import Assessment, Judgement, ScoreSheet
from audit import services as audit
from audit.models import AuditEntry
from certificates.models import Certificate

from .. import flows

pytestmark = pytest.mark.django_db


def test_a_post_without_csrf_token_is_refused(assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(assessment.first_assessor)
    response = client.post(f"/assessments/{assessment.pk}/start/")
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.REGISTERED


def test_a_failure_inside_the_scoring_transaction_leaves_nothing_half_written(assessment):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    real_record = audit.audit_record

    def fail_on_decision(**kwargs):
        if kwargs["action"] == audit.Action.DECISION:
            raise RuntimeError("disk full")
        return real_record(**kwargs)

    entries_before = AuditEntry.objects.count()
    with (
        mock.patch("assessments.services.decision.audit_record", side_effect=fail_on_decision),
        pytest.raises(RuntimeError),
    ):
        flows.judge(assessment, assessment.second_assessor, not_proven=())
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCORING
    assert flows.sheet_of(assessment, assessment.second_assessor).status == ScoreSheet.Status.DRAFT
    assert not Judgement.objects.filter(sheet__assessor=assessment.second_assessor, proven__isnull=False).exists()
    assert AuditEntry.objects.count() == entries_before
    assert not Certificate.objects.exists()


def test_dutch_is_the_default_language(client, settings, qualification):
    settings.LANGUAGE_CODE = "nl"
    page = client.get("/qualifications/0213/").content.decode()
    assert '<html lang="nl">' in page and "Contactcenteroperator" in page


def test_html_and_urls_typed_into_names_are_shown_as_text(client, administrator, assessment):
    candidate = assessment.candidate
    candidate.first_name = '<script>alert("x")</script>'
    candidate.last_name = '<a href="http://evil.example/">click</a>'
    candidate.save()
    client.force_login(administrator)
    for url in ("/assessments/", f"/assessments/{assessment.pk}/", "/accounts/people/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and 'href="http://evil.example/"' not in page
        assert "&lt;script&gt;alert" in page
