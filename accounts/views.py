"""Sign-in, invitations and password reset (Django's machinery, the portal's templates), and the
People pages where administrators create candidates and assessors."""

import logging
from contextlib import suppress

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from jobs import api as jobs
from portal.forms import add_service_errors
from portal.import_page import spreadsheet_import
from portal.pagination import Keyset, keyset_page

from . import background, provider, selectors, services, sign_in
from .access import administrator_required
from .backends import ProviderBackend
from .forms import (
    AccountCorrectionForm,
    AccountForm,
    CandidatesImportForm,
    PasswordChangeForm,
    PasswordResetForm,
    PeopleFilterForm,
    ProfileForm,
    SignInForm,
)
from .models import User
from .tokens import invitation_tokens

logger = logging.getLogger(__name__)

ROLES_BY_SLUG = {"candidate": User.Role.CANDIDATE, "assessor": User.Role.ASSESSOR}


def _speak_their_language(response, user: User):
    """From now on the pages follow the person's own language (LocaleMiddleware reads the cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _sign_in_page_context() -> dict:
    return {
        "passwords": settings.PORTAL_PASSWORD_SIGN_IN,
        "provider_name": provider.display_name() if provider.configured() else "",
    }


class LoginView(auth_views.LoginView):
    """The sign-in page: the password form and the provider's button, or the button only when the
    centre has switched passwords off (then a password sent anyway is not even checked)."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_sign_in_page_context()}

    def post(self, request, *args, **kwargs):
        if not settings.PORTAL_PASSWORD_SIGN_IN:
            return _passwords_off(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        return _speak_their_language(super().form_valid(form), form.get_user())


class PasswordsOnly:
    """For the password pages (reset, invitation): refused, with the reason on the sign-in page,
    when the centre has switched passwords off."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PORTAL_PASSWORD_SIGN_IN:
            return _passwords_off(request)
        return super().dispatch(request, *args, **kwargs)


def _passwords_off(request):
    messages.error(request, _("This centre signs people in without passwords: use the button below."))
    return redirect("login")


class OidcSignInView(OIDCAuthenticationRequestView):
    """The provider's button: off to the provider's authorization endpoint, with a state, a nonce
    and a PKCE challenge kept in the session (mozilla-django-oidc)."""

    def __init__(self, **kwargs):
        # Not mozilla-django-oidc's __init__: it reads the endpoint from the settings, here it is
        # read from the provider's discovery document when someone signs in.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if not provider.configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.endpoints().authorization
        except provider.ProviderUnavailable:
            logger.warning("The sign-in provider's discovery document could not be read.", exc_info=True)
            return _provider_failed(request)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back. The account is found by ``services.oidc_sign_in``
    through ``ProviderBackend`` called directly, not through ``authenticate()``: a refusal here is
    no failed password, and must not count towards django-axes' lock-outs of passwords."""

    def get(self, request):
        if not provider.configured():
            raise Http404
        states = request.session.get("oidc_states", {})
        # Each state is used once, whatever follows (no replay of a code or an error).
        flow = states.pop(request.GET.get("state", ""), None)
        request.session["oidc_states"] = states
        if flow is None or request.GET.get("error") or not request.GET.get("code"):
            return _provider_failed(request)
        backend = ProviderBackend()
        try:
            user = backend.sign_in_from_callback(request, nonce=flow["nonce"], code_verifier=flow.get("code_verifier"))
        except (provider.ProviderUnavailable, requests.RequestException):
            logger.warning("The sign-in provider could not be reached.", exc_info=True)
            return _provider_failed(request, reason="provider_unavailable")
        except (
            SuspiciousOperation,
            jwt.PyJWTError,  # a token expired, issued for another client, badly signed, ...
            KeyError,  # a token or key without a field it must have
            ValueError,  # a response that is not JSON
        ):
            logger.warning("The sign-in provider's token was refused.", exc_info=True)
            return _provider_failed(request, reason="token_refused")
        if user is None:
            if backend.refusal is None:  # the userinfo was about another subject
                return _provider_failed(request, reason="userinfo_refused")
            messages.error(request, backend.refusal.message)
            return redirect("login")
        user.backend = "accounts.backends.ProviderBackend"
        self.user = user
        return _speak_their_language(self.login_success(), user)


def _provider_failed(request, *, reason: str = ""):
    """The sign-in page with the provider's failure; audited with ``reason`` when the failure came
    after a state of this session was used (so that stray requests fill no audit trail)."""
    if reason:
        services.oidc_sign_in_failed(issuer=provider.issuer(), reason=reason)
    messages.error(
        request,
        _("The sign-in with %(provider)s did not succeed. Try again; if it keeps failing, ask the centre.")
        % {"provider": provider.display_name()},
    )
    return redirect("login")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer when an account and address wait (AXES_LOCKOUT_CALLABLE): the portal's
    sign-in page with the reason, status 429, for the portal, the Django admin and the password
    change form alike. A session that guessed its own password too often is signed out."""
    if request.user.is_authenticated:
        logout(request)
    response = render(
        request,
        "registration/login.html",
        {
            "form": SignInForm(request),
            "lockout_message": sign_in.lockout_message(),
            "next": request.POST.get("next", ""),
            **_sign_in_page_context(),
        },
        status=429,
    )
    add_never_cache_headers(response)  # like the sign-in page it stands in for
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Refused, with the reason on the profile page, to an account that may not use a password
    (``sign_in.password_allowed``: with passwords off, everyone but superusers)."""

    form_class = PasswordChangeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not sign_in.password_allowed(request.user):
            messages.error(
                request, _("This centre signs people in without passwords: your password cannot be changed here.")
            )
            return redirect("profile")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetView(PasswordsOnly, auth_views.PasswordResetView):
    """Past the limit per address or per client no e-mail goes out, and the page answers exactly
    as it does for any address, so it tells nobody whether an account exists."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if sign_in.password_reset_allowed(self.request, form.cleaned_data["email"]):
            services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(PasswordsOnly, auth_views.PasswordResetConfirmView):
    pass


class InvitationView(PasswordsOnly, auth_views.PasswordResetConfirmView):
    """The link of an invitation e-mail: choose a password, then sign in."""

    template_name = "registration/invitation.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "accounts.backends.PasswordBackend"
    success_url = "/"

    def form_valid(self, form):
        return _speak_their_language(super().form_valid(form), form.user)


@require_POST
def set_language(request):
    """The header's language switch: Django's view sets the cookie; for a signed-in person the choice
    also becomes their own language (pages after sign-in, the e-mails they receive)."""
    response = i18n_views.set_language(request)
    if request.user.is_authenticated:
        # An unknown language changes nothing: Django's view ignored it as well.
        with suppress(ValidationError):
            services.account_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


@administrator_required
def people(request):
    filters = PeopleFilterForm(request.GET or None)
    keyset = Keyset(selectors.people(**filters.filters()), ("last_name", "first_name", "pk"), per_page=50)
    return render(request, "accounts/people.html", {"page": keyset_page(request, keyset), "filters": filters})


@administrator_required
def people_export(request, file_format: str):
    """The People page's current selection (its filters), every row of it, streamed."""
    return jobs.export(request, kind=background.PEOPLE_EXPORT, file_format=file_format)


@administrator_required
def person(request, user_pk: int):
    """A candidate's or assessor's page: their details, corrected here, and their account's state."""
    account = get_object_or_404(selectors.people(), pk=user_pk)
    form = AccountCorrectionForm(
        request.POST or None, initial={name: getattr(account, name) for name in services.CORRECTABLE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The corrections were saved."))
            return redirect("person", user_pk=account.pk)
    return render(request, "accounts/person.html", {"person": account, "form": form})


@require_POST
@administrator_required
def person_set_active(request, user_pk: int):
    account = get_object_or_404(selectors.people(), pk=user_pk)
    active = request.POST.get("active") == "1"
    services.account_set_active(actor=request.user, account=account, active=active)
    if active:
        messages.success(request, _("The account was reactivated: %(name)s can sign in again.") % {"name": account})
    else:
        messages.success(request, _("The account was deactivated: %(name)s can no longer sign in.") % {"name": account})
    return redirect("person", user_pk=account.pk)


@administrator_required
def account_search(request):
    """What an account picker suggests while an administrator types: JSON, a few people at most."""
    role = request.GET.get("role", "")  # empty: anybody (the audit trail's person filter)
    if role and role not in User.Role.values:
        return JsonResponse({"results": []})
    people = selectors.account_suggestions(search=request.GET.get("search", "")[:100], role=role)
    return JsonResponse({"results": [{"email": person.email, "name": person.full_name} for person in people]})


@administrator_required
def account_create(request, role: str):
    if role not in ROLES_BY_SLUG:
        raise Http404
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _invited = services.account_create(
                created_by=request.user, role=ROLES_BY_SLUG[role], **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = {"name": user.full_name, "email": user.email}
            messages.success(request, _("%(name)s was created; the invitation was sent to %(email)s.") % names)
            return redirect("people")
    title = _("New candidate") if role == "candidate" else _("New assessor")
    return render(request, "form.html", {"form": form, "title": title})


@require_POST
@administrator_required
def invitation_resend(request, user_pk: int):
    user = get_object_or_404(selectors.people(), pk=user_pk)
    try:
        services.invitation_send(user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people")
    messages.success(request, _("A new invitation was sent to %(email)s.") % {"email": user.email})
    return redirect("people")


@login_required
def profile(request):
    """The person's own settings: their language, and the way to change their password."""
    form = ProfileForm(request.POST or None, initial={"preferred_language": request.user.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_set_language(user=request.user, language=form.cleaned_data["preferred_language"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            with translation.override(user.preferred_language):
                messages.success(request, _("Your language was saved."))
            return _speak_their_language(redirect("profile"), user)
    return render(
        request, "accounts/profile.html", {"form": form, "password_allowed": sign_in.password_allowed(request.user)}
    )


@administrator_required
def candidates_import(request):
    """Check a spreadsheet of candidates (every row's problems, nothing stored), then import it:
    all rows or none."""
    form, report, started = spreadsheet_import(
        request,
        form_class=CandidatesImportForm,
        slot="import-candidates",
        run=lambda **rows: services.candidates_import(created_by=request.user, **rows),
        in_background=jobs.import_in_background(request, kind=background.CANDIDATES_IMPORT),
    )
    if started is not None:
        return started
    if report is not None and report.written:
        messages.success(request, _("%(count)s candidates were imported and invited.") % {"count": len(report.created)})
        return redirect("people")
    return render(
        request,
        "import.html",
        {
            "form": form,
            "report": report,
            "title": _("Import candidates"),
            "columns": "first_name, last_name, email, language",
            "column_note": _("language: nl, fr or en; optional (Dutch when empty)."),
        },
    )
