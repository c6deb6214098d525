"""One open assessment per candidate and qualification, and none beside a valid certificate of it.

Assessments scheduled before the rule may break it; they could neither be decided (no second
certificate is issued) nor cancelled once started. So before the constraint is added, the later
of two open assessments, and an open assessment of a qualification whose certificate the
candidate holds, are cancelled, each with the reason and an entry in the audit trail.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

OPEN = ("registered", "scoring", "reconciliation")
REASON = (
    "Cancelled at the upgrade: one valid result per candidate and qualification "
    "(another assessment of the qualification is open, or its certificate is held)."
)


def cancel_second_results(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    Certificate = apps.get_model("certificates", "Certificate")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    held = set(
        Certificate.objects.filter(kind="certificate", status="issued").values_list(
            "assessment__candidate_id", "assessment__qualification_id"
        )
    )
    kept = set()
    second = []
    for assessment in (
        Assessment.objects.filter(status__in=OPEN).select_related("candidate", "qualification").order_by("scheduled_at", "pk")
    ):
        pair = (assessment.candidate_id, assessment.qualification_id)
        if pair in held or pair in kept:
            second.append(assessment)
        else:
            kept.add(pair)
    if not second:
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="assessments", model="assessment")
    for assessment in second:
        Assessment.objects.filter(pk=assessment.pk).update(status="cancelled", cancellation_reason=REASON)
        AuditEntry.objects.create(
            created_at=timezone.now(),
            action="assessment_cancelled",
            subject_type=content_type,
            subject_id=assessment.pk,
            subject_label=f"{assessment.qualification.code} {assessment.candidate.first_name} {assessment.candidate.last_name}",
            summary="one valid result per candidate and qualification",
            data={"reason": REASON},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_place_is_one_line_of_plain_text"),
        ("qualifications", "0002_legal_bases_and_europass_fields"),
        ("certificates", "0006_credential_identity"),
        ("audit", "0004_outcome_actions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(cancel_second_results, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", OPEN)),
                fields=("candidate", "qualification"),
                name="one_open_assessment_per_qualification",
            ),
        ),
    ]
