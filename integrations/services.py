"""API keys (made, revoked, by administrators) and the answers kept for an ``Idempotency-Key``."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record

from .models import READ, RESOURCES, WRITE, ApiKey, IdempotentResponse

# How long the answer to a POST with an Idempotency-Key is kept.
IDEMPOTENCY_HOURS = 24


def api_key_create(
    *, actor: User, name: str, scopes: dict[str, str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Make a key for ``actor`` (an administrator) and return it with the key itself, which is
    shown once and stored only hashed."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("Give the key a name."), code="name_required")})
    scopes = {resource: scope for resource, scope in scopes.items() if scope}
    if not scopes:
        raise ValidationError(_("Give the key at least one scope."), code="no_scope")
    if any(resource not in RESOURCES or scope not in (READ, WRITE) for resource, scope in scopes.items()):
        raise ValidationError(_("Unknown scope."), code="unknown_scope")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(
            {"expires_at": ValidationError(_("A key cannot expire in the past."), code="in_the_past")}
        )
    if not actor.is_administrator:
        raise ValidationError(_("Only administrators make API keys."), code="not_administrator")
    with transaction.atomic():
        made, secret = ApiKey.objects.create_key(name=name, scopes=scopes, expiry_date=expires_at, created_by=actor)
        key = cast(ApiKey, made)
        # Keyed by text, a key is no subject the trail can point to (an id): it names it.
        scoped = " ".join(f"{resource}:{scope}" for resource, scope in sorted(scopes.items()))
        audit_record(actor=actor, action=Action.API_KEY_CREATED, summary=f"{key.label} {scoped}")
    return key, secret


def api_key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    """Revoke a key for good (the library refuses to undo it); it is refused from the next request on."""
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked=False).update(
            revoked=True, revoked_at=timezone.now(), revoked_by=actor
        )
        if not changed:
            raise ValidationError(_("This key was already revoked."), code="already_revoked")
        key.refresh_from_db()
        audit_record(actor=actor, action=Action.API_KEY_REVOKED, summary=key.label)
    return key


@dataclass
class KeptResponse:
    status: int
    body: bytes
    content_type: str
    location: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def idempotent_response_find(*, caller: str, key: str, fingerprint: str) -> KeptResponse | None:
    """The answer kept for this caller's ``key``, or None; the same key with another request is refused."""
    kept = IdempotentResponse.objects.filter(
        caller=caller, key=key, created_at__gt=timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    ).first()
    if kept is None:
        return None
    if kept.fingerprint != fingerprint:
        raise ValidationError(
            _("This Idempotency-Key was used for another request in the last 24 hours."), code="idempotency_key_reused"
        )
    return KeptResponse(kept.status, bytes(kept.body), kept.content_type, kept.location)


def idempotent_response_keep(*, caller: str, key: str, fingerprint: str, response: KeptResponse) -> None:
    """Keep the answer; an expired one under the same key gives way. Two requests racing with the
    same key both ran; the first answer kept stays."""
    IdempotentResponse.objects.filter(
        caller=caller, key=key, created_at__lte=timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    ).delete()
    try:
        with transaction.atomic():
            IdempotentResponse.objects.create(
                caller=caller,
                key=key,
                fingerprint=fingerprint,
                status=response.status,
                body=response.body,
                content_type=response.content_type,
                location=response.location,
            )
    except IntegrityError:
        pass
