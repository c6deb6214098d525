"""Rule 7: an append-only audit trail of who did what, when."""

import pytest

from audit.models import AuditEntry

from .. import flows

pytestmark = pytest.mark.django_db


def test_the_whole_procedure_is_in_the_trail(assessment):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[:2] == ["assessment_started", "assessment_ended"]
    assert actions.count("judgement_changed") == 20
    assert actions.count("sheet_submitted") == 2
    assert {"decision", "certificate_issued", "supplement_queued"} <= set(actions)
    decision = AuditEntry.objects.get(action="decision")
    assert decision.actor == assessment.second_assessor
    assert AuditEntry.objects.about(assessment).filter(pk=decision.pk).exists()


def test_entries_cannot_be_changed_or_deleted(assessment):
    flows.start(assessment)
    entry = AuditEntry.objects.get()
    entry.summary = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().summary != "rewritten"


def test_administrators_read_the_trail_and_filter_by_assessment(client, administrator, assessment):
    flows.start(assessment)
    client.force_login(administrator)
    page = client.get(f"/audit/?about=assessments.assessment:{assessment.pk}").content.decode()
    assert "Assessment started" in page


def test_the_django_admin_cannot_change_the_trail(client, administrator, assessment):
    administrator.is_superuser = True
    administrator.save()
    flows.start(assessment)
    entry = AuditEntry.objects.get()
    client.force_login(administrator)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
