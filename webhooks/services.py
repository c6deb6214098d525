"""Endpoints and their deliveries (decision 0033): recorded in the transaction of the step they
tell of, sent by the worker after the commit, claimed before they are sent, retried on a schedule
kept on their row, swept when their message to the worker may be lost."""

import base64
import json
import random
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from audit.api import Actor, audit_record
from audit.models import AuditEntry
from portal.outbox import Outbox

from . import sending
from .models import Attempt, Delivery, Endpoint, Event

Status = Delivery.Status

# The audit trail's actions for an endpoint's changes.
ENDPOINT_CREATED = AuditEntry.Action.WEBHOOK_CREATED
ENDPOINT_CHANGED = AuditEntry.Action.WEBHOOK_CHANGED
ENDPOINT_SECRET_ROTATED = AuditEntry.Action.WEBHOOK_SECRET_ROTATED
ENDPOINT_DELETED = AuditEntry.Action.WEBHOOK_DELETED

URL_REFUSALS = {
    "https": lambda: _("Enter an https:// address: webhooks are sent over TLS only."),
    "scheme": lambda: _("Enter an http:// or https:// address."),
    "host": lambda: _("Enter an address with a host name."),
    "credentials": lambda: _("Leave the user name and password out of the address."),
    "port": lambda: _("Enter a port between 1 and 65535."),
}


def _secret() -> str:
    """A new signing secret, in the Standard Webhooks form: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _clean(*, url: str, events: list[str]) -> list[str]:
    errors: dict[str, ValidationError] = {}
    if (why := sending.url_refusal(url)) is not None:
        errors["url"] = ValidationError(URL_REFUSALS[why](), code=f"url_{why}")
    chosen = [value for value in Event.values if value in events]
    if not chosen or len(chosen) != len(set(events)):
        errors["events"] = ValidationError(_("Choose at least one event."), code="no_events")
    if errors:
        raise ValidationError(errors)
    return chosen


def endpoint_create(*, actor: Actor, url: str, description: str, events: list[str]) -> Endpoint:
    """Register an endpoint with a new secret; the caller shows ``endpoint.secret`` once."""
    chosen = _clean(url=url, events=events)
    with transaction.atomic():
        endpoint = Endpoint.objects.create(url=url, description=description, events=chosen, secret=_secret())
        audit_record(
            actor=actor, action=ENDPOINT_CREATED, subject=endpoint, summary=endpoint.audit_label, events=chosen
        )
    return endpoint


def endpoint_update(
    *, actor: Actor, endpoint: Endpoint, url: str, description: str, events: list[str], is_active: bool
) -> Endpoint:
    """Change an endpoint; a disabled one receives nothing (messages already queued are skipped)."""
    chosen = _clean(url=url, events=events)
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(
            url=url, description=description, events=chosen, is_active=is_active
        )
        endpoint.refresh_from_db()
        audit_record(
            actor=actor,
            action=ENDPOINT_CHANGED,
            subject=endpoint,
            summary=endpoint.audit_label,
            events=chosen,
            active=is_active,
        )
    return endpoint


def endpoint_rotate_secret(*, actor: Actor, endpoint: Endpoint) -> Endpoint:
    """A new secret at once: the next attempt of every message is signed with it."""
    with transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=_secret())
        endpoint.refresh_from_db()
        audit_record(actor=actor, action=ENDPOINT_SECRET_ROTATED, subject=endpoint, summary=endpoint.audit_label)
    return endpoint


def endpoint_delete(*, actor: Actor, endpoint: Endpoint) -> None:
    """Delete an endpoint and its deliveries; the audit trail keeps that it existed."""
    with transaction.atomic():
        audit_record(actor=actor, action=ENDPOINT_DELETED, subject=endpoint, summary=endpoint.audit_label)
        endpoint.delete()


def deliveries_record(*, event: str, data: dict[str, Any]) -> list[Delivery]:
    """Record one message per active endpoint subscribed to ``event``, in the caller's transaction,
    and hand them to the worker once it commits. Called by the receivers of the steps' signals."""
    endpoints = [endpoint for endpoint in _active_endpoints() if event in endpoint.events]
    if not endpoints:
        return []
    message = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    body = json.dumps(message, separators=(",", ":"), sort_keys=True)
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event=event, body=body, message_id=f"msg_{uuid.uuid4().hex}")
        for endpoint in endpoints
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: send_to_worker(ids))
    return deliveries


# The active endpoints, read once while an import writes its rows (``endpoints_read_once``).
_read_once: ContextVar[list[Endpoint] | None] = ContextVar("webhooks_endpoints", default=None)


def _active_endpoints() -> list[Endpoint]:
    endpoints = _read_once.get()
    return list(Endpoint.objects.filter(is_active=True)) if endpoints is None else endpoints


@contextmanager
def endpoints_read_once() -> Iterator[None]:
    """While an import writes its rows all or none (``portal.imports.write_together``): the active
    endpoints are read once, as the import starts, not once per event of each row."""
    token = _read_once.set(list(Endpoint.objects.filter(is_active=True)))
    try:
        yield
    finally:
        _read_once.reset(token)


# Each delivery asks for its sending; ``queued_at`` records when its message last reached the broker.
DELIVERIES = Outbox(model=Delivery, task="webhooks.tasks.send_delivery", handed_at="queued_at", noun="webhook(s)")


def send_to_worker(delivery_ids: list[int]) -> int:
    """Hand deliveries to the worker; returns how many reached the broker (``Outbox.publish``)."""
    return DELIVERIES.publish(delivery_ids)


def deliveries_to_resend() -> list[int]:
    """For the periodic sweep: deliveries queued a while without a message on the broker lately,
    retries that are due (their message is handed then, never earlier), and claims of a worker
    that died while sending."""
    now = timezone.now()
    waited = now - timedelta(seconds=settings.WEBHOOKS_REQUEUE_AFTER_SECONDS)
    abandoned = now - timedelta(seconds=settings.WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS)
    return DELIVERIES.stale(
        Q(status=Status.QUEUED, created_at__lt=waited)
        | Q(status=Status.RETRYING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=abandoned),
        waited=waited,
    )


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """An administrator sends a message again, now: one more attempt, same id, a fresh signature.

    Not while it is queued or being sent (it is on its way already)."""
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, status__in=[Status.RETRYING, Status.DELIVERED, Status.FAILED, Status.SKIPPED]
        ).update(status=Status.QUEUED, next_attempt_at=None, queued_at=None)
        if not updated:
            raise ValidationError(_("This message is on its way already."), code="on_its_way")
        transaction.on_commit(lambda: send_to_worker([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def _claim(delivery_id: int, attempt_id: str) -> bool:
    """Take the delivery for this task with one conditional update, before any request.

    A second message for the same delivery finds it claimed, or its retry not due yet, and sends
    nothing; only a claim older than WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS is taken over, and one
    whose attempt was the last the schedule allows fails instead (that attempt counted).
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS)
    Delivery.objects.filter(
        pk=delivery_id,
        status=Status.SENDING,
        claimed_at__lt=abandoned,
        attempts__gt=len(settings.WEBHOOKS_RETRY_DELAYS),
    ).update(status=Status.FAILED, next_attempt_at=None)
    return bool(
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.RETRYING, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, claimed_at__lt=abandoned)
        )
        .update(status=Status.SENDING, claimed_by=attempt_id, claimed_at=now, attempts=F("attempts") + 1)
    )


def signed_headers(*, secret: str, message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers: the message's id, the attempt's time, and the signature of
    ``id.timestamp.body`` (HMAC-SHA256 with the endpoint's secret)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=sent_at, data=body),
    }


def _after_failure(attempts: int, now: datetime) -> dict[str, Any]:
    """The next step of a failed attempt: the retry schedule's next wait, give or take a tenth (so
    the messages of one outage do not all return at once), or failed for good."""
    delays = settings.WEBHOOKS_RETRY_DELAYS
    if attempts <= len(delays):
        return {
            "status": Status.RETRYING,
            "next_attempt_at": now + timedelta(seconds=delays[attempts - 1] * random.uniform(0.9, 1.1)),
            "queued_at": None,
        }
    return {"status": Status.FAILED, "next_attempt_at": None}


def _storable(text: str) -> str:
    """Text a receiver chose, without NUL characters (PostgreSQL stores no NUL in text)."""
    return text.replace("\x00", "")


def delivery_send(*, delivery_id: int, attempt_id: str) -> bool:
    """Make one attempt at a delivery: claim, sign, POST, record the answer. Returns True when the
    receiver answered 2xx.

    An answer other than 2xx, no answer within WEBHOOKS_TIMEOUT_SECONDS, an address refused
    (``sending``), or any other error while sending (the task's time limit too) is a failed
    attempt: it is retried after the next wait of WEBHOOKS_RETRY_DELAYS, and fails for good once
    they are used up. An endpoint deleted meanwhile leaves nothing to send. A worker that dies between the receiver's answer and
    its record leaves a claim the sweep takes over: a message may then arrive twice, with the
    same ``webhook-id``, never not at all.
    """
    if not _claim(delivery_id, attempt_id):
        return False
    mine = Delivery.objects.filter(pk=delivery_id, status=Status.SENDING, claimed_by=attempt_id)
    try:
        delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    except Delivery.DoesNotExist:  # deleted with its endpoint since the claim
        return False
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        mine.update(status=Status.SKIPPED, next_attempt_at=None)
        return False
    started = timezone.now()
    headers = signed_headers(
        secret=endpoint.secret, message_id=delivery.message_id, sent_at=started, body=delivery.body
    )
    attempt = Attempt(delivery=delivery, started_at=started)
    try:
        answer = sending.post(endpoint.url, body=delivery.body.encode(), headers=headers)
    except Exception as error:  # noqa: BLE001 -- whatever it is, the attempt failed: never left "sending"
        attempt.error = _storable(f"{type(error).__name__}: {error}")[:500]
    else:
        attempt.status_code, attempt.response = answer.status, _storable(answer.body)
    attempt.save()
    if attempt.succeeded:
        mine.update(status=Status.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None)
        return True
    mine.update(**_after_failure(delivery.attempts, timezone.now()))
    return False


# A message that can change no more: only these are purged, never one on its way.
FINISHED = (Status.DELIVERED, Status.FAILED, Status.SKIPPED)
# Rows deleted per statement: a first purge of a large table is many short transactions, not one
# long one that holds its locks and its undo for minutes.
PURGED_AT_ONCE = 2000


def deliveries_purge() -> int:
    """Delete the finished deliveries older than WEBHOOKS_DELIVERIES_KEPT_DAYS, with their attempts,
    a batch at a time; returns how many deliveries were deleted.

    Each batch is locked as it is chosen, so a message sent again meanwhile ("send again" makes it
    queued) is either deleted before or kept, never deleted on its way. Not audited, as the API's
    kept answers are not: the audit trail records the endpoints, not each message's lifetime."""
    cutoff = timezone.now() - timedelta(days=settings.WEBHOOKS_DELIVERIES_KEPT_DAYS)
    old = Delivery.objects.filter(status__in=FINISHED, created_at__lt=cutoff).order_by()
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(old.select_for_update(skip_locked=True).values_list("pk", flat=True)[:PURGED_AT_ONCE])
            if ids:
                Delivery.objects.filter(pk__in=ids).only("pk").delete()
        if not ids:
            return purged
        purged += len(ids)
