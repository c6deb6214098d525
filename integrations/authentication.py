"""Who calls the API: an integration with its key (``Authorization: Api-Key <key>``), acting for
the administrator who made it, or a person signed in to the portal (its session)."""

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        keyword, _space, secret = get_authorization_header(request).decode("latin-1").partition(" ")
        if keyword != KEYWORD:
            return None
        try:
            key = ApiKey.objects.get_from_key(secret.strip())  # not revoked, and the hash matches
        except ApiKey.DoesNotExist:
            raise AuthenticationFailed(_("This API key is not valid: unknown, expired or revoked."), code="invalid_key")
        owner = key.created_by
        if key.has_expired or not (owner.is_active and owner.is_administrator):
            raise AuthenticationFailed(_("This API key is not valid: unknown, expired or revoked."), code="invalid_key")
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # Without a language asked for, the answers speak the language of the key's administrator.
            translation.activate(owner.preferred_language)
            request.LANGUAGE_CODE = owner.preferred_language
        return owner, key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class PortalSessionAuthentication(SessionAuthentication):
    """The portal's session, with its CSRF check on every write (as the pages have)."""
