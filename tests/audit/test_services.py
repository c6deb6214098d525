"""audit.services: the one way to write to the append-only audit trail."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry
from audit.services import Action, audit_record

from .. import factories

pytestmark = pytest.mark.django_db


def test_an_entry_names_who_what_and_its_subject():
    administrator = factories.AdministratorFactory()
    assessment = factories.AssessmentFactory()
    entry = audit_record(
        actor=administrator, action=Action.DECISION, subject=assessment, summary="certified", proven=["C1"]
    )
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.summary, entry.data) == (
        administrator,
        "decision",
        "certified",
        {"proven": ["C1"]},
    )
    assert (entry.subject_type, entry.subject_id) == (ContentType.objects.get_for_model(assessment), assessment.pk)
    assert entry.subject_label == assessment.audit_label
    assert list(AuditEntry.objects.about(assessment)) == [entry]


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["system", "anonymous"])
def test_the_system_or_an_anonymous_visitor_is_recorded_as_no_one(actor):
    entry = audit_record(actor=actor, action=Action.SUPPLEMENT_QUEUED, summary="sweep")
    entry.refresh_from_db()
    assert entry.actor is None


def test_an_entry_without_a_subject_has_no_subject_fields():
    entry = audit_record(actor=None, action=Action.SUPPLEMENT_QUEUED, summary="sweep")
    entry.refresh_from_db()
    assert (entry.subject_type, entry.subject_id, entry.subject_label) == (None, None, "")


def test_a_subject_without_an_audit_label_is_named_by_its_text():
    qualification = factories.QualificationFactory()
    entry = audit_record(actor=None, action=Action.DECISION, subject=qualification, summary="x")
    assert entry.subject_label == str(qualification)


def test_long_labels_and_summaries_are_cut_to_their_columns():
    # The longest names an account holds (150 characters each) make a label longer than its column.
    candidate = factories.CandidateFactory(first_name="A" * 150, last_name="B" * 150)
    entry = audit_record(actor=None, action=Action.ACCOUNT_CREATED, subject=candidate, summary="s" * 600)
    entry.refresh_from_db()
    assert len(entry.subject_label) == 300 and entry.subject_label.startswith("A")
    assert entry.summary == "s" * 500


def test_the_trail_is_append_only():
    entry = audit_record(actor=None, action=Action.DECISION, summary="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"
