"""The text of the account e-mails, made when the worker sends them (never stored).

The set-password links carry a token made at that moment: nothing that opens an account lies in
the database, and a link's lifetime counts from the moment it leaves.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import User
from .tokens import invitation_tokens


def _link(view: str, user: User, token: str) -> str:
    path = reverse(view, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token})
    return f"{settings.PORTAL_BASE_URL}{path}"


def invitation_url(user: User) -> str:
    return _link("invitation", user, invitation_tokens.make_token(user))


def invitation_message(user: User) -> EmailMessage:
    """The set-password link, in the account's own language."""
    with translation.override(user.preferred_language):
        context = {"user": user, "url": invitation_url(user), "days": settings.INVITATION_TIMEOUT // 86400}
        return EmailMessage(
            subject=_("Your account on the competency assessment portal"),
            body=render_to_string("registration/invitation_email.txt", context),
            to=[user.email],
        )


def password_reset_message(user: User) -> EmailMessage:
    """The reset link on PORTAL_BASE_URL (never on the Host header of the request that asked)."""
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "url": _link("password_reset_confirm", user, default_token_generator.make_token(user)),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
        return EmailMessage(
            subject=subject, body=render_to_string("registration/password_reset_email.html", context), to=[user.email]
        )
