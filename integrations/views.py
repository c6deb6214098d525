"""The REST API (``/api/v1/``): each endpoint parses its input, checks access with the apps' own
rules (``get_assessment``, ``get_ready_supplement``, …) and calls the service the page calls, so
every rule, audit entry and notification is the same. See docs/api.md and decision 0032."""

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

import accounts.api as accounts
import assessments.api as assessments
import certificates.api as certificates
from assessments.models import Assessment, Objection
from audit.api import api_key_scope
from certificates.models import Certificate
from portal.downloads import private_file_response
from portal.metrics import VERIFICATIONS
from portal.pagination import Keyset, keyset_page

from . import services
from .authentication import ApiKeyAuthentication, PortalSessionAuthentication
from .permissions import Public, SignedInWithinScope, acting_key
from .problems import PROBLEM, problem
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentFilterSerializer,
    AssessmentSerializer,
    AssessorsSerializer,
    CancelSerializer,
    DocumentSerializer,
    PersonFilterSerializer,
    PersonSerializer,
    ProblemSerializer,
    RescheduleSerializer,
    ResultSerializer,
    VerificationSerializer,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"


def refusals(*codes: int) -> dict:
    """The problem details an endpoint may answer with, for the schema."""
    return {(code, PROBLEM): OpenApiResponse(ProblemSerializer) for code in codes}


READ_REFUSALS = refusals(400, 401, 403, 404, 429)
WRITE_REFUSALS = refusals(400, 401, 403, 404, 422, 429)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Sent again with the same request within 24 hours, the first answer is returned and nothing runs twice.",
)
PAGE_PARAMETERS = [
    OpenApiParameter("after", str, description="The next page: the cursor of the `next` link."),
    OpenApiParameter("before", str, description="The previous page: the cursor of the `previous` link."),
    OpenApiParameter("at", str, enum=["first", "last"], description="The first or the last page."),
]


# Signed in (API key or session), within the key's scope for ``resource``, rate-limited per
# caller (the settings' defaults); every audit entry the request writes names the key it came through.
class ApiView(APIView):
    resource = ""
    authentication_classes = [ApiKeyAuthentication, PortalSessionAuthentication]
    permission_classes = [SignedInWithinScope]

    def dispatch(self, request, *args, **kwargs):
        with api_key_scope() as acting:
            self.acting = acting
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request) -> None:
        key = acting_key(request)  # authenticates
        if key is not None:
            self.acting(key.label)

    def finalize_response(self, request, response, *args, **kwargs):
        # The portal's middleware marks answers to a session private; a key signs in inside the
        # view, after it: no answer of the API is kept by a shared cache or the client's disk.
        patch_cache_control(response, private=True, no_store=True)
        return super().finalize_response(request, response, *args, **kwargs)


def idempotent(handler):
    """A POST with an ``Idempotency-Key`` runs once: sent again by the same caller with the same
    request within 24 hours it gets the first (successful) answer again; with another request, a 422."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255 or not (key.isascii() and key.isprintable()):
            raise serializers.ValidationError(
                {IDEMPOTENCY_HEADER: _("At most 255 printable characters (letters, digits, punctuation).")}
            )
        api_key = acting_key(request)
        caller = f"key:{api_key.prefix}" if api_key is not None else f"user:{request.user.pk}"
        fingerprint = services.request_fingerprint(request.method, request.path, request.body)
        kept = services.idempotent_response_find(caller=caller, key=key, fingerprint=fingerprint)
        if kept is not None:
            response = HttpResponse(kept.body, status=kept.status, content_type=kept.content_type)
            if kept.location:
                response["Location"] = kept.location
            response["Idempotent-Replayed"] = "true"
            return response
        response = handler(view, request, *args, **kwargs)
        if 200 <= response.status_code < 300:
            kept = services.KeptResponse(
                response.status_code,
                JSONRenderer().render(response.data),
                "application/json",
                response.headers.get("Location", ""),
            )
            services.idempotent_response_keep(caller=caller, key=key, fingerprint=fingerprint, response=kept)
        return response

    return wrapper


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def keyset_response(request, keyset: Keyset, serializer_class) -> Response:
    page = keyset_page(request, keyset)
    base = request.build_absolute_uri(request.path)
    return Response(
        {
            "results": serializer_class(page.object_list, many=True).data,
            "next": base + page.next_url if page.next_url else None,
            "previous": base + page.previous_url if page.previous_url else None,
        }
    )


def paged(serializer_class):
    return inline_serializer(
        f"{serializer_class.__name__.removesuffix('Serializer')}Page",
        {
            "results": serializer_class(many=True),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
        },
    )


def administrators_only(request) -> None:
    """The People pages' rule (``accounts.api.administrator_required``): anybody else gets a 404."""
    if not request.user.is_administrator:
        raise Http404


# --- People ---------------------------------------------------------------------------------


class PeopleView(ApiView):
    resource = "people"

    @extend_schema(
        operation_id="people_list",
        parameters=[PersonFilterSerializer, *PAGE_PARAMETERS],
        responses={200: paged(PersonSerializer), **READ_REFUSALS},
        summary="Candidates and assessors, by name; searched by name or e-mail address",
    )
    def get(self, request):
        administrators_only(request)
        filters = valid(PersonFilterSerializer, request.query_params)
        keyset = Keyset(accounts.people(**filters), ("last_name", "first_name", "pk"), per_page=50)
        return keyset_response(request, keyset, PersonSerializer)

    @extend_schema(
        operation_id="people_invite",
        request=PersonSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PersonSerializer, **WRITE_REFUSALS},
        summary="Create a candidate or assessor and send their invitation",
    )
    @idempotent
    def post(self, request):
        administrators_only(request)
        person, _invited = accounts.account_create(created_by=request.user, **valid(PersonSerializer, request.data))
        return Response(
            PersonSerializer(person).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{person.pk}/")},
        )


class PersonView(ApiView):
    resource = "people"

    @extend_schema(operation_id="people_read", responses={200: PersonSerializer, **READ_REFUSALS})
    def get(self, request, pk: int):
        administrators_only(request)
        return Response(PersonSerializer(get_object_or_404(accounts.people(), pk=pk)).data)


# --- Assessments ----------------------------------------------------------------------------


def _steps(assessment: Assessment, user) -> list[str]:
    steps = assessments.next_steps(assessment, user)
    names = ["start", "end", "score_sheet", "reconciliation", "change_assessors", "reschedule"]
    return [name for name in names if getattr(steps, name)]


def _detail(assessment: Assessment, user) -> dict:
    """``AssessmentDetailSerializer``: the assessment, with what the caller may do next."""
    return {
        **AssessmentSerializer(assessment).data,
        "next_steps": _steps(assessment, user),
        "cancellation_reason": assessment.cancellation_reason,
    }


class AssessmentsView(ApiView):
    resource = "assessments"

    @extend_schema(
        operation_id="assessments_list",
        parameters=[AssessmentFilterSerializer, *PAGE_PARAMETERS],
        responses={200: paged(AssessmentSerializer), **READ_REFUSALS},
        summary="The assessments the caller may see, by date; filtered as on the dashboard",
    )
    def get(self, request):
        filters = valid(AssessmentFilterSerializer, request.query_params)
        listed = assessments.assessment_list(**filters)
        if not request.user.is_administrator:
            listed = listed.filter(pk__in=Assessment.objects.for_user(request.user).values("pk"))
        return keyset_response(request, Keyset(listed, ("scheduled_at", "pk")), AssessmentSerializer)

    @extend_schema(
        operation_id="assessments_schedule",
        request=AssessmentCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: AssessmentDetailSerializer, **WRITE_REFUSALS},
        summary="Schedule an assessment: candidate, qualification, two assessors, date and place",
    )
    @idempotent
    def post(self, request):
        administrators_only(request)
        created = assessments.assessment_create(
            created_by=request.user, **valid(AssessmentCreateSerializer, request.data)
        )
        assessment = assessments.get_assessment(request.user, created.pk)
        return Response(
            _detail(assessment, request.user),
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{assessment.pk}/")},
        )


class AssessmentView(ApiView):
    resource = "assessments"

    @extend_schema(
        operation_id="assessments_read",
        responses={200: AssessmentDetailSerializer, **READ_REFUSALS},
        summary="An assessment, its status and what the caller may do next",
    )
    def get(self, request, pk: int):
        return Response(_detail(assessments.get_assessment(request.user, pk), request.user))


# One administrator's step on an assessment, by the service the page calls.
class AssessmentStepView(ApiView):
    resource = "assessments"
    serializer_class: type[serializers.Serializer]

    def take(self, request, assessment: Assessment, data: dict) -> None:
        raise NotImplementedError

    @idempotent
    def post(self, request, pk: int):
        administrators_only(request)
        assessment = assessments.get_assessment(request.user, pk)
        self.take(request, assessment, valid(self.serializer_class, request.data))
        return Response(_detail(assessments.get_assessment(request.user, pk), request.user))


def step_schema(operation_id: str, serializer_class, summary: str):
    return extend_schema(
        operation_id=operation_id,
        request=serializer_class,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: AssessmentDetailSerializer, **WRITE_REFUSALS},
        summary=summary,
    )


class RescheduleView(AssessmentStepView):
    serializer_class = RescheduleSerializer

    def take(self, request, assessment, data):
        assessments.assessment_reschedule(actor=request.user, assessment=assessment, **data)

    @step_schema("assessments_reschedule", RescheduleSerializer, "Move a session that has not started, with the reason")
    def post(self, request, pk: int):
        return super().post(request, pk)


class CancelView(AssessmentStepView):
    serializer_class = CancelSerializer

    def take(self, request, assessment, data):
        assessments.assessment_cancel(actor=request.user, assessment=assessment, **data)

    @step_schema("assessments_cancel", CancelSerializer, "Cancel a session that has not started, with the reason")
    def post(self, request, pk: int):
        return super().post(request, pk)


class AssessorsView(AssessmentStepView):
    serializer_class = AssessorsSerializer

    def take(self, request, assessment, data):
        assessments.assessment_assign_assessors(actor=request.user, assessment=assessment, **data)

    @step_schema("assessments_assign_assessors", AssessorsSerializer, "Replace the two assessors before scoring starts")
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- Results --------------------------------------------------------------------------------


def _objection(assessment: Assessment, user) -> dict | None:
    objection = Objection.objects.filter(assessment=assessment).prefetch_related("competencies").first()
    if objection is None:
        return None
    # The reasons are the candidate's and the test centre's (as on the assessment page).
    reasons = user.is_administrator or user.pk == assessment.candidate_id
    return {
        "status": objection.status,
        "lodged_at": objection.lodged_at,
        "decided_at": objection.decided_at,
        "competencies": [competency.code for competency in objection.competencies.all()],
        "reason": objection.reason if reasons else None,
        "outcome_reason": objection.outcome_reason if reasons else None,
        "new_assessment": objection.new_assessment_id,
    }


class ResultView(ApiView):
    resource = "results"

    @extend_schema(
        operation_id="results_read",
        responses={200: ResultSerializer, **READ_REFUSALS},
        summary="The decision: the outcome per competency, those carried over, and any objection",
    )
    def get(self, request, pk: int):
        assessment = assessments.get_assessment(request.user, pk)
        if not assessment.is_decided:
            raise NotFound(_("This assessment has no decision yet."), code="not_decided")
        outcomes = [(pair.competency, pair.proven, None) for pair in assessments.competency_pairs(assessment)] + [
            (carried.competency, True, carried.proven_in_id) for carried in assessments.carried_over(assessment)
        ]
        outcomes.sort(key=lambda outcome: outcome[0].order)
        return Response(
            ResultSerializer(
                {
                    "assessment": assessment.pk,
                    "decision": assessment.status,
                    "status": assessment.shown_status,
                    "decided_at": assessment.decided_at,
                    "competencies": [
                        {
                            "code": competency.code,
                            "order": competency.order,
                            "title": str(competency.text),
                            "proven": proven,
                            "carried_over_from": proven_in,
                        }
                        for competency, proven, proven_in in outcomes
                    ],
                    "objection": _objection(assessment, request.user),
                }
            ).data
        )


# --- Documents ------------------------------------------------------------------------------


def _files(request, certificate: Certificate) -> list[dict]:
    base = request.build_absolute_uri("/api/v1/certificates/")
    files = []
    for version in certificate.versions.filter(status="ready").order_by("number"):
        languages = [version.first_language, version.second_language]
        files.append(
            {
                "kind": "supplement",
                "url": f"{base}{certificate.pk}/versions/{version.number}/supplement.pdf",
                "version": version.number,
                "languages": languages,
            }
        )
        if version.has_proof:
            files.append(
                {
                    "kind": "proof",
                    "url": f"{base}{certificate.pk}/versions/{version.number}/proof.pdf",
                    "version": version.number,
                    "languages": list(version.proof_languages),
                }
            )
    if hasattr(certificate, "credential"):
        for extension in ("json", "jwt"):
            files.append(
                {
                    "kind": f"credential_{extension}",
                    "url": f"{base}{certificate.pk}/credential.{extension}",
                    "version": None,
                    "languages": None,
                }
            )
    return files


class DocumentsView(ApiView):
    resource = "documents"

    @extend_schema(
        operation_id="documents_list",
        responses={200: DocumentSerializer(many=True), **READ_REFUSALS},
        summary="The proof a decision issued, with its rendered PDFs and signed credential files",
    )
    def get(self, request, pk: int):
        assessment = assessments.get_assessment(request.user, pk)
        issued = Certificate.objects.for_user(request.user).filter(assessment=assessment).select_related("credential")
        return Response(
            DocumentSerializer(
                [
                    {
                        "certificate": certificate.pk,
                        "number": certificate.number,
                        "kind": certificate.kind,
                        "status": certificate.status,
                        "issued_at": certificate.issued_at,
                        "revoked_at": certificate.revoked_at,
                        "files": _files(request, certificate),
                    }
                    for certificate in issued
                ],
                many=True,
            ).data
        )


class AnyAccepted(BaseContentNegotiation):
    """A file is sent whatever the client accepts; a refusal is a problem detail in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def file_schema(operation_id: str, media_type: str, summary: str, content=OpenApiTypes.BINARY):
    return extend_schema(
        operation_id=operation_id,
        responses={(200, media_type): OpenApiResponse(content), **READ_REFUSALS},
        summary=summary,
    )


class FileView(ApiView):
    resource = "documents"
    content_negotiation_class = AnyAccepted


class SupplementFileView(FileView):
    @file_schema("documents_supplement", "application/pdf", "A rendered supplement (or statement), sealed PDF/A-3")
    def get(self, request, pk: int, number: int):
        version = certificates.get_ready_supplement(request.user, pk, number)
        return private_file_response(
            lambda: certificates.supplement_open(actor=request.user, version=version),
            download_name=version.download_name,
            content_type="application/pdf",
        )


class ProofFileView(FileView):
    @file_schema("documents_proof", "application/pdf", "A rendered proof of professional qualification, sealed PDF/A-3")
    def get(self, request, pk: int, number: int):
        version = certificates.get_ready_proof(request.user, pk, number)
        return private_file_response(
            lambda: certificates.proof_open(actor=request.user, version=version),
            download_name=version.proof_download_name,
            content_type="application/pdf",
        )


class CredentialFileView(FileView):
    extension = ""

    def get(self, request, pk: int):
        credential = certificates.get_credential(request.user, pk)
        content = certificates.credential_file(actor=request.user, credential=credential, extension=self.extension)
        if content is None:
            raise Http404
        response = HttpResponse(content, content_type=certificates.CREDENTIAL_FILE_TYPES[self.extension])
        response["Content-Disposition"] = f'attachment; filename="{credential.download_name(self.extension)}"'
        return response


class CredentialJsonView(CredentialFileView):
    extension = "json"

    @file_schema(
        "documents_credential_json",
        "application/vc+ld+json",
        "The Open Badges 3.0 credential with its Data Integrity proof (JSON-LD)",
        OpenApiTypes.OBJECT,
    )
    def get(self, request, pk: int):
        return super().get(request, pk)


class CredentialJwtView(CredentialFileView):
    extension = "jwt"

    @file_schema("documents_credential_jwt", "application/jwt", "The Open Badges 3.0 credential as a VC-JWT")
    def get(self, request, pk: int):
        return super().get(request, pk)


@csrf_exempt  # changes nothing, and answers as the API does (its views check CSRF on a session only)
def not_found(request, *args, **kwargs):
    """Any other address under the API: a problem detail too, never the HTML page."""
    response = problem(404, _("Not found."), "not_found")
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = PROBLEM
    response.renderer_context = {}
    return response.render()


# --- Verification ---------------------------------------------------------------------------


# Public, like the verification page: the minimum a verifier needs of a proof.
class VerificationView(ApiView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [Public]

    @extend_schema(
        operation_id="verification_read",
        auth=[],
        responses={200: VerificationSerializer, **refusals(401, 404, 429)},
        summary="Verify a proof by its verification code",
    )
    def get(self, request, code: str):
        certificate = (
            Certificate.objects.select_related("assessment__qualification", "issuing_centre")
            .filter(verification_code=code)
            .first()
        )
        if certificate is None:
            VERIFICATIONS.labels(kind="api", verdict="unknown").inc()
            raise NotFound(_("No proof has this verification code."), code="unknown_code")
        VERIFICATIONS.labels(kind="api", verdict="revoked" if certificate.is_revoked else "valid").inc()
        qualification = certificate.assessment.qualification
        return Response(
            VerificationSerializer(
                {
                    "number": certificate.number,
                    "kind": certificate.kind,
                    "status": "revoked" if certificate.is_revoked else "valid",
                    "holder_name": certificate.holder_name,
                    "issued_at": certificate.issued_at,
                    "revoked_at": certificate.revoked_at,
                    "qualification": qualification.code,
                    "qualification_title": str(qualification.title),
                    "issuing_centre": certificate.issuing_centre.name,
                }
            ).data
        )
