"""Sign-in, invitations and password reset (Django's machinery, the portal's templates)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import throttling


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed attempts. Wait %(minutes)s minutes and try again."),
    }

    def clean(self):
        # Addresses are stored in lower case; people type them in any case.
        email = self.cleaned_data["username"] = (self.cleaned_data.get("username") or "").strip().lower()
        address = throttling.client_address(self.request) if self.request else ""
        if throttling.is_locked(email, address):
            raise ValidationError(
                self.error_messages["locked"], code="locked",
                params={"minutes": max(settings.LOGIN_LOCKOUT_SECONDS // 60, 1)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttling.record_failure(email, address)
            raise
        throttling.record_success(email, address)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link of an invitation e-mail: choose a password, then sign in."""

    template_name = "registration/invitation.html"
    post_reset_login = True
    success_url = "/"
