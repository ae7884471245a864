"""Webhooks with real parts: a Celery worker process on the real Redis posts a case event to a
real HTTP server started in the test; the receiver fails twice, then recovers; the beat task
(sent through the broker) retries from the database until it is delivered, every attempt
signed, with one idempotency key."""

from __future__ import annotations

import pytest

from alerts import services as alert_services
from core.models import Event
from webhooks import services, tasks
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus

from .alerts_fixtures import case_data
from .waiting import wait_for

pytest_plugins = ["tests.brand_fixtures", "tests.webhook_fixtures"]
pytestmark = [pytest.mark.celery_worker]

WORKER_ENV = {
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
    "WEBHOOKS_ALLOWED_PORTS": "*",
    "WEBHOOKS_ALLOW_HTTP": "true",
    "WEBHOOKS_RETRY_BASE_SECONDS": "1",
    "WEBHOOKS_RETRY_MAX_SECONDS": "2",
}


def test_a_case_event_reaches_a_failing_receiver_through_a_real_worker_once_it_recovers(
    celery_worker, receiver, acme_admin, officer_fr, brand_all
):
    celery_worker(**WORKER_ENV)
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    receiver.fail_next = 2

    case = alert_services.case_open(actor=officer_fr, data=case_data(brand_all))

    event = Event.objects.get(kind="case.opened", subject_id=case.pk)
    assert wait_for(lambda: len(receiver.requests) >= 1), "the worker never posted"

    def delivered() -> bool:
        return WebhookDelivery.objects.filter(event=event, status=WebhookDeliveryStatus.DELIVERED).exists()

    # The beat task, through the broker: retries what is due, from the database.
    assert wait_for(delivered, seconds=60, step=0.5, tick=tasks.retry_due.delay)
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.attempts == 3 and delivery.last_status_code == 200
    assert [r.answered for r in receiver.requests] == [500, 500, 200]
    assert all(r.signature_valid and r.fresh for r in receiver.requests)
    assert {r.headers["IPM-Delivery"] for r in receiver.requests} == {str(event.pk)}
    assert receiver.requests[-1].json["data"]["case"] == case.pk
