"""What the API reads and writes. Input is parsed here, as a form would; the rules are the
services' (their refusals become problem details)."""

from django.conf import settings
from rest_framework import serializers

from accounts.models import User
from assessments.models import Assessment, Objection
from qualifications.models import Qualification

ROLES = [User.Role.CANDIDATE, User.Role.ASSESSOR]
ASSESSMENT_STATUSES = Assessment.DisplayStatus.choices
OBJECTION_STATUSES = Objection.Status.choices
VERDICTS = ["valid", "revoked"]


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, with the code of the rule that refused and each refusal."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=[(role.value, role.label) for role in ROLES])
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, default="nl")
    is_active = serializers.BooleanField(read_only=True)


class PersonFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)
    role = serializers.ChoiceField(
        choices=[(role.value, role.label) for role in ROLES], required=False, allow_blank=True, default=""
    )


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class PageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)


def people_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    qualification = serializers.CharField(source="qualification.code")
    candidate = PersonRefSerializer()
    first_assessor = PersonRefSerializer()
    second_assessor = PersonRefSerializer()
    scheduled_at = serializers.DateTimeField()
    planned_minutes = serializers.IntegerField(allow_null=True)
    location = serializers.CharField()
    status = serializers.ChoiceField(choices=ASSESSMENT_STATUSES, source="shown_status")
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class AssessmentDetailSerializer(AssessmentSerializer):
    next_steps = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["start", "end", "score_sheet", "reconciliation", "change_assessors", "reschedule"]
        ),
        help_text="What the caller may do now, as the assessment page offers it.",
    )
    cancellation_reason = serializers.CharField()


class AssessmentFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ASSESSMENT_STATUSES, required=False, allow_blank=True, default="")
    assessor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=User.Role.ASSESSOR), required=False, default=None
    )
    date_from = serializers.DateField(required=False, default=None)
    date_to = serializers.DateField(required=False, default=None)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    objection = serializers.ChoiceField(
        choices=[("any", "any"), *OBJECTION_STATUSES], required=False, allow_blank=True, default=""
    )


class AssessmentCreateSerializer(serializers.Serializer):
    candidate = people_field()
    qualification = serializers.SlugRelatedField(slug_field="code", queryset=Qualification.objects.all())
    first_assessor = people_field()
    second_assessor = people_field()
    scheduled_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    planned_minutes = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=32767
    )


class RescheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    reason = serializers.CharField(max_length=2000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AssessorsSerializer(serializers.Serializer):
    first_assessor = people_field()
    second_assessor = people_field()


class CompetencyOutcomeSerializer(serializers.Serializer):
    code = serializers.CharField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    proven = serializers.BooleanField()
    carried_over_from = serializers.IntegerField(
        allow_null=True, help_text="The earlier assessment the competency was proven in, when carried over."
    )


class ObjectionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OBJECTION_STATUSES)
    lodged_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    competencies = serializers.ListField(child=serializers.CharField(), help_text="Codes of the disputed competencies.")
    reason = serializers.CharField(allow_null=True, help_text="For the candidate and administrators only.")
    outcome_reason = serializers.CharField(allow_null=True, help_text="For the candidate and administrators only.")
    new_assessment = serializers.IntegerField(allow_null=True)


class ResultSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=[Assessment.Status.CERTIFIED, Assessment.Status.NOT_CERTIFIED])
    status = serializers.ChoiceField(choices=ASSESSMENT_STATUSES)
    decided_at = serializers.DateTimeField()
    competencies = CompetencyOutcomeSerializer(many=True)
    objection = ObjectionSerializer(allow_null=True)


class DocumentFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["supplement", "proof", "credential_json", "credential_jwt"])
    url = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), allow_null=True)


class DocumentSerializer(serializers.Serializer):
    certificate = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    files = DocumentFileSerializer(many=True)


class VerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=VERDICTS)
    holder_name = serializers.CharField()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    qualification = serializers.CharField()
    qualification_title = serializers.CharField()
    issuing_centre = serializers.CharField()
