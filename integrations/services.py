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


def api_keys_revoke_of(*, owner: User) -> int:
    """Revoke for good every key of ``owner`` once they are no longer an active administrator
    (deactivated or demoted): reactivated, they make new keys; the old ones stay refused."""
    if owner.is_administrator:
        return 0
    with transaction.atomic():
        keys = list(ApiKey.objects.select_for_update().filter(created_by=owner, revoked=False))
        ApiKey.objects.filter(pk__in=[key.pk for key in keys]).update(revoked=True, revoked_at=timezone.now())
        for key in keys:
            audit_record(
                actor=None,
                action=Action.API_KEY_REVOKED,
                summary=f"{key.label}: {owner.get_full_name()}",
                subject=owner,
            )
    return len(keys)


@dataclass
class KeptResponse:
    status: int
    body: bytes
    content_type: str
    location: str


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


# A request holding its key: the row is claimed before the step runs, its answer filled in after.
RUNNING = 0
# A request runs far shorter than this (the server's timeout); a claim this old was abandoned.
CLAIM_ABANDONED_MINUTES = 10


class IdempotencyKeyInUse(Exception):
    """Another request with the same key is still running."""


def idempotent_response_claim(*, caller: str, key: str, fingerprint: str) -> KeptResponse | None:
    """Claim this caller's ``key`` before the step runs (its own transaction, under the unique
    constraint): None when claimed; the answer kept when the same request ran already. The same
    key with another request is refused, and so is a request while the first still runs."""
    IdempotentResponse.objects.filter(
        caller=caller, key=key, created_at__lte=timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    ).delete()
    try:
        with transaction.atomic():
            IdempotentResponse.objects.create(
                caller=caller, key=key, fingerprint=fingerprint, status=RUNNING, body=b"", content_type=""
            )
        return None
    except IntegrityError:
        kept = IdempotentResponse.objects.filter(caller=caller, key=key).first()
    if kept is None:  # the claim was given up meanwhile: the caller may send it again
        raise IdempotencyKeyInUse
    if kept.fingerprint != fingerprint:
        raise ValidationError(
            _("This Idempotency-Key was used for another request in the last 24 hours."), code="idempotency_key_reused"
        )
    if kept.status == RUNNING:
        # A claim older than any request can run is of a process that died: taken over (once).
        abandoned = timezone.now() - timedelta(minutes=CLAIM_ABANDONED_MINUTES)
        if IdempotentResponse.objects.filter(pk=kept.pk, status=RUNNING, created_at__lte=abandoned).update(
            created_at=timezone.now()
        ):
            return None
        raise IdempotencyKeyInUse
    return KeptResponse(kept.status, bytes(kept.body), kept.content_type, kept.location)


def idempotent_response_keep(*, caller: str, key: str, response: KeptResponse) -> None:
    """Fill in the answer of the request that claimed the key."""
    IdempotentResponse.objects.filter(caller=caller, key=key, status=RUNNING).update(
        status=response.status, body=response.body, content_type=response.content_type, location=response.location
    )


def idempotent_response_release(*, caller: str, key: str) -> None:
    """Give the claim up (the request failed): the same key may be sent again."""
    IdempotentResponse.objects.filter(caller=caller, key=key, status=RUNNING).delete()


def idempotent_responses_purge() -> int:
    """Delete the answers (and stale claims) older than the idempotency window."""
    deleted, _by_model = IdempotentResponse.objects.filter(
        created_at__lte=timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    ).delete()
    return deleted
