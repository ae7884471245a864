"""Webhooks under faults, with real processes: a receiver that trickles its answer one byte a
second (a tarpit) delays nobody else's notifications, holds one worker at most and is recorded
as a failure; a receiver that is down, then up, gets the event at least once, signed."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import OrganizationKind
from core.events import emit
from core.models import Event
from tests import notifying_helpers
from tests.factories import OrganizationFactory
from tests.test_notifications_worker import HELPERS, exactly_one_each, officers
from tests.webhook_fixtures import Receiver, serve
from webhooks import services, tasks
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint

from .conftest import free_port, wait_for

pytest_plugins = ["tests.webhook_fixtures"]
pytestmark = [pytest.mark.faults, pytest.mark.celery_worker]

LOOPBACK = {"WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true", "WEBHOOKS_ALLOW_HTTP": "true", "WEBHOOKS_ALLOWED_PORTS": "*"}


def broadcast_for(right_holder, customs, text: str) -> Event:
    """A notification to the customs officers that is also the right holder's event (so its
    webhooks get it)."""
    with transaction.atomic():
        return emit(notifying_helpers.BROADCAST, subject=customs, organization=right_holder, data={"text": text})


def test_a_tarpit_receiver_delays_no_other_notification(celery_worker, tarpit, acme_admin, fault_report):
    """Production settings (10 s deadline): a worker for notifications and one with two
    processes for webhooks, as docker-compose runs them."""
    celery_worker(include=HELPERS, queues=("default",), **LOOPBACK)
    celery_worker(include=HELPERS, queues=("webhooks",), concurrency=2, **LOOPBACK)
    endpoint = services.endpoint_create(actor=acme_admin, url=tarpit.url)
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 300)

    slowest = 0.0
    events = []
    for number in range(3):
        started = time.monotonic()
        event = broadcast_for(acme_admin.organization, customs, f"alert {number}")
        events.append(event)
        assert wait_for(lambda e=event: Event.objects.get(pk=e.pk).completed_at is not None, seconds=20)
        slowest = max(slowest, time.monotonic() - started)
        assert exactly_one_each(event, people)

    first = WebhookDelivery.objects.get(event=events[0])
    # The first attempt recorded as a failure (the endpoint's failure count is written last).
    assert wait_for(lambda: WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures >= 1, 25)
    first.refresh_from_db()
    endpoint.refresh_from_db()
    fault_report(
        scenario="webhook receiver answering one byte a second (tarpit); 3 alerts of 300 officers each",
        expected=3 * len(people),
        delivered=sum(Event.objects.get(pk=e.pk).notifications.count() for e in events),
        duplicates=0,
        lost=0,
        recovery_seconds=round(slowest, 1),
        note=f"in-app of each alert done within {slowest:.1f} s; tarpit attempt ended after "
        f"{(first.last_attempt_at and (timezone.now() - first.last_attempt_at).total_seconds()) or 0:.0f} s ago "
        f"as '{first.last_error}', at most {tarpit.busy_max} attempt in flight",
    )
    assert slowest < 10, f"an alert's in-app notifications took {slowest:.1f} s"
    assert first.status == WebhookDeliveryStatus.PENDING and first.last_error.startswith("Timed out")
    assert endpoint.consecutive_failures >= 1
    assert tarpit.busy_max == 1, "more than one attempt to the same endpoint at once"


def test_a_receiver_down_then_up_gets_the_event_at_least_once_signed(
    celery_worker, settings, acme_admin, fault_report
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS, settings.WEBHOOKS_ALLOW_HTTP = True, True
    settings.WEBHOOKS_ALLOWED_PORTS = ["*"]
    celery_worker(include=HELPERS, WEBHOOKS_RETRY_BASE_SECONDS="1", WEBHOOKS_RETRY_MAX_SECONDS="2", **LOOPBACK)
    port = free_port()
    endpoint = services.endpoint_create(actor=acme_admin, url=f"http://127.0.0.1:{port}/hooks/ipm")
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    officers(customs, 3)

    event = broadcast_for(acme_admin.organization, customs, "down")
    # The first attempt over (refused), not just claimed.
    assert wait_for(lambda: WebhookDelivery.objects.filter(event=event).exclude(last_error="").exists(), 20)
    assert WebhookDelivery.objects.get(event=event).status == WebhookDeliveryStatus.PENDING

    state = Receiver(secret=endpoint.secret)
    server = serve(state, port=port)  # the receiver comes back on the same address
    up_at = time.monotonic()
    try:

        def delivered() -> bool:
            return WebhookDelivery.objects.filter(event=event, status=WebhookDeliveryStatus.DELIVERED).exists()

        assert wait_for(delivered, seconds=30, tick=tasks.retry_due.delay)
        recovery = time.monotonic() - up_at
    finally:
        server.shutdown()
        server.server_close()
    delivery = WebhookDelivery.objects.get(event=event)
    fault_report(
        scenario="webhook receiver down (connection refused), then up on the same address",
        expected=1,
        delivered=len(state.requests),
        duplicates=max(len(state.requests) - 1, 0),
        lost=0,
        recovery_seconds=round(recovery, 1),
        note=f"{delivery.attempts} attempts; every request signed and fresh: "
        f"{all(r.signature_valid and r.fresh for r in state.requests)}",
    )
    assert len(state.requests) >= 1 and all(r.signature_valid and r.fresh for r in state.requests)
    assert {r.headers["IPM-Delivery"] for r in state.requests} == {str(event.pk)}
    assert delivery.attempts >= 2
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 0
