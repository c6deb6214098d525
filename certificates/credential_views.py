"""Issuer profile, keys, status list, achievements, the holder's credential files, and the public
file verifier.

What verifiers fetch (profile, keys, status list, achievements, ``verify/check.json``) may be read
from any web page (CORS, ``CORS_URLS_REGEX``); decisions 0020 and 0021 say how long each may be kept.
"""

import hashlib
from io import BytesIO

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.api import client_network
from assessments.api import SizeLimitUploadHandler
from qualifications.models import Proof

from . import access, verification
from .credentials import achievements, signing
from .credentials import status_list as status_lists
from .credentials.documents import DID_V1_CONTEXT, MULTIKEY_CONTEXT, OB3_CONTEXT, VC_V2_CONTEXT
from .credentials.issuing import CREDENTIAL_FILE_TYPES, credential_file
from .forms import VerifyNumberForm
from .models import IssuerKey, IssuingCentre

# A key's document never changes (its URL names the key); the lists of keys change on a rotation,
# an achievement when the qualification's texts are corrected.
KEY_CACHING = {"public": True, "max_age": 365 * 24 * 3600, "immutable": True}
KEY_LIST_CACHING = {"public": True, "max_age": 3600}
ACHIEVEMENT_CACHING = KEY_LIST_CACHING


def _json(document: dict, content_type: str, caching: dict) -> JsonResponse:
    response = JsonResponse(document, content_type=content_type, json_dumps_params={"indent": 2})
    patch_cache_control(response, **caching)
    return response


def _multikey(issuer_key: IssuerKey, *, context: bool) -> dict:
    public_key_multibase = signing.public_key_multibase(issuer_key)
    document = {
        "id": signing.multikey_url(public_key_multibase),
        "type": "Multikey",
        "controller": signing.issuer_id(),
        "publicKeyMultibase": public_key_multibase,
    }
    return {"@context": MULTIKEY_CONTEXT, **document} if context else document


@require_GET
def issuer_profile(request):
    """The issuer's Open Badges profile, and the controller document of its Data Integrity keys:
    every Ed25519 key it has signed proofs with, as a Multikey it asserts with. Named as the current
    version of the issuing centre; not found before the centre is entered: a profile needs a name,
    and no credential names the profile before then."""
    centre = IssuingCentre.objects.current()
    if centre is None:
        raise Http404
    signing.register_configured_keys()
    methods = [_multikey(key, context=False) for key in IssuerKey.objects.filter(key_type=IssuerKey.KeyType.ED25519)]
    profile = {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT, DID_V1_CONTEXT, MULTIKEY_CONTEXT],
        "id": signing.issuer_id(),
        "type": ["Profile"],
        "name": centre.name,
        "url": settings.PORTAL_BASE_URL,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
    return _json(profile, "application/ld+json", KEY_LIST_CACHING)


@require_GET
def key_set(request):
    """Every public key the issuer has ever signed with, as a JWK Set."""
    signing.register_configured_keys()
    keys = [signing.published_jwk(key) for key in IssuerKey.objects.all()]
    return _json({"keys": keys}, "application/jwk-set+json", KEY_LIST_CACHING)


@require_GET
def key(request, key_id: str):
    """One public key as a JWK: what a VC-JWT's ``kid`` dereferences to."""
    issuer_key = IssuerKey.objects.filter(key_id=key_id).first()
    if issuer_key is None:
        raise Http404
    return _json(signing.published_jwk(issuer_key), "application/jwk+json", KEY_CACHING)


@require_GET
def multikey(request, public_key_multibase: str):
    """One Ed25519 public key as a Multikey: what a Data Integrity proof's ``verificationMethod`` names."""
    for issuer_key in IssuerKey.objects.filter(key_type=IssuerKey.KeyType.ED25519):
        if signing.public_key_multibase(issuer_key) == public_key_multibase:
            return _json(_multikey(issuer_key, context=True), "application/ld+json", KEY_CACHING)
    raise Http404


@require_GET
def achievement(request, code: str, kind: Proof, orders: str):
    """The achievement a proof of partial qualification or of competencies claims, as JSON-LD: what
    its id dereferences to. Not found for a claim no proof could make."""
    claim = achievements.published_claim(qualification_code=code, kind=kind, orders=orders)
    if claim is None:
        raise Http404
    return _json(achievements.published_achievement(claim), "application/ld+json", ACHIEVEMENT_CACHING)


# The forms of the status list, by the media type a client asks for; the first is the default.
STATUS_LIST_TYPES = ["application/vc+jwt", "application/ld+json", "application/json", "application/vc+ld+json"]


def _status_list_type(request) -> str:
    return request.get_preferred_type(STATUS_LIST_TYPES) or STATUS_LIST_TYPES[0]


@require_GET
def status_list(request):
    """The revocation status list, built from the register on each request: a VC-JWT, or JSON-LD
    with a Data Integrity proof for a client that asks for JSON. Never kept without asking again
    (``no-cache``); the ETag names the list's bits, so an unchanged list costs a 304."""
    media_type = _status_list_type(request)
    etag = '"{}"'.format(
        hashlib.sha256(f"{media_type} {status_lists.encode(status_lists.revoked_indices())}".encode()).hexdigest()[:32]
    )
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    elif media_type == "application/vc+jwt":
        token = status_lists.signed_status_list()
        if token is None:
            raise Http404
        response = HttpResponse(token, content_type=media_type)
    else:
        document = status_lists.status_list_with_proof()
        if document is None:
            raise Http404
        response = JsonResponse(document, content_type=media_type, json_dumps_params={"indent": 2})
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True, public=True)
    patch_vary_headers(response, ["Accept"])
    return response


@login_required
def credential_download(request, pk: int, extension: str):
    """The holder's (or an administrator's) signed credential, to add to a wallet: the VC-JWT
    (``.jwt``), the JSON with its Data Integrity proof (``.json``), or the badge image with the
    VC-JWT baked in (``.png``, ``.svg``)."""
    credential = access.get_credential(request.user, pk)
    content = credential_file(actor=request.user, credential=credential, extension=extension)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type=CREDENTIAL_FILE_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{credential.download_name(extension)}"'
    return response


# --- The verifier ---------------------------------------------------------------------------


class VerifierUploadHandler(SizeLimitUploadHandler):
    """Keeps the one file to check in memory, never on disk, and nothing else: other files in the
    request are read past, not kept. The whole request may carry that file and a little more (the form's
    token, the multipart headers): a larger body is refused before it is read."""

    FIELD = "file"
    ALLOWANCE = 64 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.chunks, self.kept = [], False

    def file_limit(self) -> int:
        return settings.VERIFY_MAX_UPLOAD_SIZE

    def request_limit(self) -> int:
        return settings.VERIFY_MAX_UPLOAD_SIZE + self.ALLOWANCE

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if field_name != self.FIELD or self.kept:
            raise SkipFile
        self.chunks = []

    def receive_data_chunk(self, raw_data, start):
        try:
            self.chunks.append(super().receive_data_chunk(raw_data, start))
        except SkipFile:
            self.chunks = []
            raise
        return None

    def file_complete(self, file_size):
        data, self.chunks, self.kept = BytesIO(b"".join(self.chunks)), [], True
        return InMemoryUploadedFile(
            data, self.field_name, self.file_name, self.content_type, file_size, self.charset, self.content_type_extra
        )


class VerifyFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Proof or supplement (PDF), credential (JSON, JWT) or badge (PNG, SVG)"))


# Refusals of a check, by code: nothing was checked, so there is no verdict.
REFUSAL_STATUS = {"rate_limited": 429, "request_too_large": 413, "too_large": 413, "no_file": 400, "too_complex": 422}


def _over_limit(request, group: str) -> bool:
    """Count one check for the client's address; past VERIFY_CHECKS_PER_CLIENT it is refused, so
    nobody keeps the web processes busy with the verifier or walks through its answers."""
    return is_ratelimited(
        request,
        group=group,
        key=lambda _group, request: client_network(request),
        rate=settings.VERIFY_CHECKS_PER_CLIENT,
        increment=True,
    )


def _count_check(request) -> None:
    """Count a file check before its file is read."""
    if _over_limit(request, "verifier-client"):
        raise ValidationError(_("Too many files were checked from your address; try again later."), code="rate_limited")


def _received_file(request) -> bytes:
    """The uploaded file's bytes, only ever in memory; a ValidationError says why there are none."""
    _count_check(request)
    request.upload_handlers = [VerifierUploadHandler(request)]  # before anything reads the body
    form = VerifyFileForm(request.POST, request.FILES)
    limit = filesizeformat(settings.VERIFY_MAX_UPLOAD_SIZE)
    if getattr(request, "upload_too_large", False):
        raise ValidationError(
            _("The upload is too large: send one file of at most %(limit)s.") % {"limit": limit},
            code="request_too_large",
        )
    if getattr(request, "oversized_uploads", []):
        raise ValidationError(_("The file is too large; the limit is %(limit)s.") % {"limit": limit}, code="too_large")
    if not form.is_valid():
        raise ValidationError(
            _("Choose a proof or a supplement (PDF), a credential file (JSON, JWT) or a badge (PNG, SVG)."),
            code="no_file",
        )
    upload = form.cleaned_data["file"]
    data = upload.read()
    upload.close()
    return data


def _page_context(**extra) -> dict:
    return {
        "max_size": settings.VERIFY_MAX_UPLOAD_SIZE,
        "issuer_url": signing.issuer_id(),
        "number_form": VerifyNumberForm(),
        **extra,
    }


def _refusal_page(request, refusal: ValidationError):
    return render(
        request,
        "certificates/verify_file.html",
        _page_context(problem=refusal.messages[0]),
        status=REFUSAL_STATUS[str(refusal.code)],
    )


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body; checked below
@never_cache
@require_http_methods(["GET", "POST"])
def verify_file(request):
    if request.method == "GET":
        return render(request, "certificates/verify_file.html", _page_context())
    try:
        data = _received_file(request)
    except ValidationError as refusal:
        return _refusal_page(request, refusal)  # nothing checked, nothing changed: no token needed to say so
    return csrf_protect(_verify_file_post)(request, data)


def _verify_file_post(request, data: bytes):
    try:
        report = verification.verify_file(data)
    except ValidationError as refusal:
        return _refusal_page(request, refusal)
    return render(request, "certificates/verify_file.html", _page_context(report=report))


@csrf_exempt  # a machine endpoint: no session, no side effect, nothing stored
@never_cache
@require_POST
def verify_file_json(request):
    try:
        report = verification.verify_file(_received_file(request))
    except ValidationError as refusal:
        return JsonResponse(
            {"verdict": None, "code": refusal.code, "error": refusal.messages[0]},
            status=REFUSAL_STATUS[str(refusal.code)],
        )
    return JsonResponse(report.as_json())


@never_cache
@require_GET
def verify_by_number(request):
    """Public: the number and the verification code printed on a proof lead to its verification
    page; a number alone finds nothing (decision 0016)."""
    form = VerifyNumberForm(request.GET)
    if not form.is_valid():
        return render(request, "certificates/verify_file.html", _page_context(number_form=form), status=400)
    if _over_limit(request, "verifier-number"):
        problem, status = _("Too many documents were checked from your address; try again later."), 429
    else:
        certificate = verification.certificate_by_number(**form.cleaned_data)
        if certificate is not None:
            return redirect("certificates:verify", code=certificate.verification_code)
        problem = _("No document has this number and this verification code. Type both exactly as they are printed.")
        status = 404
    context = _page_context(number_form=form, number_problem=problem)
    return render(request, "certificates/verify_file.html", context, status=status)
