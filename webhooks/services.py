"""Writes of the webhooks app: endpoints managed by an organization's admins, deliveries
recorded once per (event, endpoint), attempts claimed with a conditional UPDATE so that a
duplicated task or a second sweeper run never sends the same attempt twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import OrganizationKind, Status, User
from core.models import Event
from core.permissions import require

from . import sending
from .models import (
    AUDIT_WEBHOOK_CREATED,
    AUDIT_WEBHOOK_DELETED,
    AUDIT_WEBHOOK_ENABLED,
    AUDIT_WEBHOOK_UPDATED,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from .permissions import WEBHOOKS_MANAGE
from .targets import resolve_target

logger = logging.getLogger(__name__)

TEST_EVENT = "webhook.test"
DISABLED_EVENT = "webhook.disabled"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: WEBHOOKS_RETRY_BASE_SECONDS (30 s), doubling,
    at most WEBHOOKS_RETRY_MAX_SECONDS (an hour)."""
    base = _setting("WEBHOOKS_RETRY_BASE_SECONDS", 30)
    cap = _setting("WEBHOOKS_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))


def _lease() -> timedelta:
    """How long an attempt in progress keeps its delivery away from the sweeper (a worker
    killed in the middle: the delivery is taken up again after that)."""
    return timedelta(seconds=_timeout() * 4 + 60)


def _endpoint_lease() -> timedelta:
    """How long an attempt holds its endpoint: the attempt's deadline and a margin for the
    database writes around it. A worker killed in the middle frees the endpoint after that."""
    return timedelta(seconds=_timeout() + 30)


# --------------------------------------------------------------------------- endpoints


def _managed(actor: User, endpoint: WebhookEndpoint, *, lock: bool = False) -> WebhookEndpoint:
    """The endpoint again, through the actor's "change" scope (locked for the update when asked),
    once the permission table lets them manage webhooks at all."""
    require(actor, WEBHOOKS_MANAGE)
    rows = WebhookEndpoint.objects.restrict(actor, "change")
    return (rows.select_for_update() if lock else rows).get(pk=endpoint.pk)


def _audit(actor: User, action: str, endpoint: WebhookEndpoint, ip: str | None, **details: object) -> None:
    """The audit entry of a change to an endpoint, in its organization's log."""
    audit_log(
        actor=actor,
        action=action,
        target=endpoint,
        ip=ip,
        organization=endpoint.organization,
        details=details,
    )


def subscribable_kinds() -> list[str]:
    from core import event_types as registry

    kinds = [kind for kind in registry.kinds() if not kind.startswith("test.")]
    return [kind for kind in kinds if (entry := registry.get(kind)) is None or entry.webhooks] + [TEST_EVENT]


def _clean_events(events: Iterable[str] | None) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = sorted(set(events) - set(subscribable_kinds()))
    if unknown:
        raise ValidationError({"events": _("Unknown event kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}})
    return events


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": _("At most 500 characters.")})
    resolve_target(url)  # ValidationError on "url"
    return url


@transaction.atomic
def endpoint_create(
    *, actor: User, url: str, events: list[str] | None = None, description: str = "", ip: str | None = None
) -> WebhookEndpoint:
    require(actor, WEBHOOKS_MANAGE)
    organization = actor.organization
    assert organization is not None  # a right holder's admin (WEBHOOKS_MANAGE) has one
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=_clean_url(url),
        events=_clean_events(events),
        description=description[:200],
        created_by=actor,
    )
    _audit(actor, AUDIT_WEBHOOK_CREATED, endpoint, ip)
    return endpoint


@transaction.atomic
def endpoint_update(
    *, actor: User, endpoint: WebhookEndpoint, data: Mapping[str, Any], ip: str | None = None
) -> WebhookEndpoint:
    """Change the URL, description or events; `enabled` false turns it off, true back on."""
    endpoint = _managed(actor, endpoint, lock=True)
    fields: list[str] = []
    if "url" in data:
        endpoint.url = _clean_url(data["url"])
        fields.append("url")
    if "events" in data:
        endpoint.events = _clean_events(data["events"])
        fields.append("events")
    if "description" in data:
        endpoint.description = (data["description"] or "")[:200]
        fields.append("description")
    if fields:
        endpoint.save(update_fields=fields)
        _audit(actor, AUDIT_WEBHOOK_UPDATED, endpoint, ip, fields=fields)
    if "enabled" in data and bool(data["enabled"]) != endpoint.active:
        if data["enabled"]:
            return endpoint_enable(actor=actor, endpoint=endpoint, ip=ip)
        endpoint.active = False
        endpoint.save(update_fields=["active"])
        _audit(actor, AUDIT_WEBHOOK_UPDATED, endpoint, ip, fields=["enabled"], enabled=False)
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint, ip: str | None = None) -> None:
    endpoint = _managed(actor, endpoint)
    _audit(actor, AUDIT_WEBHOOK_DELETED, endpoint, ip, url=endpoint.url)
    endpoint.delete()


@transaction.atomic
def endpoint_enable(*, actor: User, endpoint: WebhookEndpoint, ip: str | None = None) -> WebhookEndpoint:
    """Turn an endpoint (disabled after failures, or by hand) back on: its failure count starts
    again and its pending deliveries are due at once."""
    endpoint = _managed(actor, endpoint, lock=True)
    endpoint.active, endpoint.consecutive_failures, endpoint.disabled_at = True, 0, None
    endpoint.save(update_fields=["active", "consecutive_failures", "disabled_at"])
    now = timezone.now()
    endpoint.deliveries.filter(status=WebhookDeliveryStatus.PENDING).update(next_attempt_at=now)
    _audit(actor, AUDIT_WEBHOOK_ENABLED, endpoint, ip)
    transaction.on_commit(_enqueue_due_after_commit)
    return endpoint


def _enqueue_due_after_commit() -> None:
    from .tasks import enqueue_due

    enqueue_due()


@transaction.atomic
def endpoint_send_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint only (even a disabled one, to check it before
    turning it back on). The event is not for the inbox: it never enters the pipeline."""
    endpoint = _managed(actor, endpoint)
    now = timezone.now()
    event = Event.objects.create(
        kind=TEST_EVENT,
        actor=actor,
        subject_type=ContentType.objects.get_for_model(WebhookEndpoint),
        subject_id=endpoint.pk,
        organization=endpoint.organization,
        data={"endpoint": endpoint.pk, "message": "This is a test event sent from IPM Portal."},
        dispatched_at=now,
        completed_at=now,
    )
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
    _enqueue_on_commit([(delivery.pk, 0)])
    return delivery


# --------------------------------------------------------------------------- deliveries


def deliveries_record(event: Event) -> int:
    """The pipeline's hook, once per event inside its dispatch transaction: one delivery per
    active endpoint of the event's right-holder organization that takes this kind, enqueued
    after commit. Returns how many were recorded (a second run records none)."""
    if event.organization_id is None or event.kind == TEST_EVENT:
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organization_id=event.organization_id,
            organization__kind=OrganizationKind.RIGHT_HOLDER,
            organization__status=Status.APPROVED,
            active=True,
        ).only("pk", "events")
        if endpoint.wants(event.kind)
    ]
    if not endpoints:
        return 0
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(event_id=event.pk, endpoint_id=endpoint.pk) for endpoint in endpoints],
        ignore_conflicts=True,
    )
    due = list(
        WebhookDelivery.objects.filter(
            event_id=event.pk, endpoint_id__in=[e.pk for e in endpoints], status=WebhookDeliveryStatus.PENDING
        ).values_list("pk", "attempts")
    )
    _enqueue_on_commit(due)
    return len(due)


def _enqueue_on_commit(due: list[tuple[int, int]]) -> None:
    def enqueue() -> None:
        from .tasks import enqueue_deliveries

        enqueue_deliveries(due)

    transaction.on_commit(enqueue)


def _sendable() -> Q:
    # A disabled endpoint gets nothing but the test events its admins send it; a suspended
    # organization gets nothing at all until it is reinstated.
    return Q(endpoint__organization__status=Status.APPROVED) & (Q(endpoint__active=True) | Q(event__kind=TEST_EVENT))


def due_claim(*, limit: int = 500) -> list[tuple[int, int]]:
    """The oldest due delivery of each endpoint, claimed (its next attempt pushed forward by the
    lease, so the next sweeper run leaves it alone) and returned as (id, attempts). One per
    endpoint: attempts to an endpoint go one at a time, and the task that reaches a receiver
    goes on with its other due deliveries (`delivery_attempt`)."""
    now = timezone.now()
    with transaction.atomic():
        rows = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_sendable(), status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "attempts", "endpoint_id")[:limit]
        )
        first_of_endpoint: dict[int, tuple[int, int]] = {}
        for pk, attempts, endpoint_id in rows:
            first_of_endpoint.setdefault(endpoint_id, (pk, attempts))
        due = list(first_of_endpoint.values())
        if due:
            WebhookDelivery.objects.filter(pk__in=[pk for pk, _attempts in due]).update(next_attempt_at=now + _lease())
    return due


@dataclass
class AttemptResult:
    """What one run of `delivery_attempt` did: `delivery` after the attempt (None if no attempt
    was made), `busy` if the endpoint had another attempt in flight, and `next_due`: the next
    delivery of the same endpoint that is due, for the caller to enqueue (one at a time)."""

    delivery: WebhookDelivery | None = None
    busy: bool = False
    next_due: tuple[int, int] | None = None


def _claim_endpoint(endpoint_id: int) -> datetime | None:
    """Hold the endpoint for one attempt; None if another attempt holds it."""
    now = timezone.now()
    until = now + _endpoint_lease()
    claimed = (
        WebhookEndpoint.objects.filter(pk=endpoint_id)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lte=now))
        .update(busy_until=until)
    )
    return until if claimed else None


def _renew_endpoint(endpoint_id: int, until: datetime) -> datetime | None:
    """Hold the endpoint for one more attempt; None if the hold was lost (it ran out)."""
    renewed = timezone.now() + _endpoint_lease()
    if WebhookEndpoint.objects.filter(pk=endpoint_id, busy_until=until).update(busy_until=renewed):
        return renewed
    return None


def _release_endpoint(endpoint_id: int, until: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, busy_until=until).update(busy_until=None)


def _next_due(endpoint_id: int) -> tuple[int, int] | None:
    return (
        WebhookDelivery.objects.filter(
            _sendable(),
            endpoint_id=endpoint_id,
            status=WebhookDeliveryStatus.PENDING,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "attempts")
        .first()
    )


def delivery_attempt(delivery_id: int, attempts: int) -> AttemptResult:
    """Attempt number `attempts + 1` of a delivery: the endpoint claimed (one attempt in flight
    per endpoint, so a slow receiver holds one worker, not all of them), the attempt claimed
    (only one task wins it), one POST within the deadline, then recorded. Any failure (an error
    answer, a timeout, a receiver that trickles, an exception) takes the same path: backoff,
    the attempt cap, and the endpoint disabled after repeated failures.

    While the endpoint answers, the task goes on with its next due deliveries for up to
    WEBHOOKS_BATCH_SECONDS (a burst of events costs no broker round trip per delivery), then
    names the next one for the caller to enqueue. After a failure it stops: the endpoint's other
    deliveries wait for the beat's retries instead of queueing behind a receiver that is down."""
    endpoint_id = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING, attempts=attempts)
        .values_list("endpoint_id", flat=True)
        .first()
    )
    if endpoint_id is None:
        return AttemptResult()
    held = _claim_endpoint(endpoint_id)
    if held is None:
        # Another attempt to this endpoint is in flight: this delivery waits, due now; the task
        # in flight takes it up if its endpoint answers, the beat's retries otherwise.
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING, attempts=attempts).update(
            next_attempt_at=timezone.now()
        )
        return AttemptResult(busy=True)
    stop_at = time.monotonic() + _setting("WEBHOOKS_BATCH_SECONDS", 20)
    due = None
    try:
        delivery = last = _attempt(delivery_id, attempts)
        while _answered(last) and (due := _next_due(endpoint_id)) is not None and time.monotonic() < stop_at:
            held = _renew_endpoint(endpoint_id, held)
            if held is None:
                break
            last, due = _attempt(*due), None
    finally:
        if held is not None:
            _release_endpoint(endpoint_id, held)
    return AttemptResult(delivery=delivery, next_due=due if _answered(last) else None)


def _answered(delivery: WebhookDelivery | None) -> bool:
    return delivery is not None and delivery.status == WebhookDeliveryStatus.DELIVERED


def _attempt(delivery_id: int, attempts: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(_sendable(), pk=delivery_id, status=WebhookDeliveryStatus.PENDING)
        .filter(attempts=attempts)
        .update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + _lease())
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    try:
        outcome = sending.post(url=endpoint.url, secret=endpoint.secret, event=delivery.event)
    except Exception as error:
        # Whatever went wrong (the task's soft time limit included) is this attempt's failure,
        # recorded like any other.
        logger.warning("Webhook delivery %s failed unexpectedly.", delivery_id, exc_info=True)
        outcome = sending.Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status, delivery.delivered_at = WebhookDeliveryStatus.DELIVERED, timezone.now()
        delivery.save(update_fields=["status", "delivered_at", "last_status_code", "last_error"])
        WebhookEndpoint.objects.filter(pk=endpoint.pk, consecutive_failures__gt=0).update(consecutive_failures=0)
        return delivery
    if delivery.attempts >= _setting("WEBHOOKS_MAX_ATTEMPTS", 12):
        delivery.status = WebhookDeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_error"])
    _count_failure(endpoint, outcome.error)
    return delivery


def _count_failure(endpoint: WebhookEndpoint, error: str) -> None:
    """One more consecutive failure; at WEBHOOKS_DISABLE_AFTER the endpoint is disabled and its
    organization's admins told (once: the UPDATE that disables it is conditional)."""
    from core.events import emit

    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = (
            WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("consecutive_failures", flat=True).first()
        )
        if failures is None or failures < _setting("WEBHOOKS_DISABLE_AFTER", 10):
            return
        now = timezone.now()
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False, disabled_at=now):
            return
        emit(
            DISABLED_EVENT,
            subject=endpoint,
            organization=endpoint.organization,
            data={"endpoint": endpoint.pk, "url": endpoint.url, "failures": failures, "last_error": error[:300]},
        )
