"""A webhook attempt is over within its deadline whatever the receiver does: a receiver that
answers one byte every second (a tarpit) costs one attempt of WEBHOOKS_TIMEOUT_SECONDS, counted
as a failure on the same path as any other (backoff, the attempt cap, the endpoint disabled and
its admins told); at most one attempt per endpoint is in flight; attempts have their own queue."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from core.models import Event
from ipm_portal.celery import app
from webhooks import sending, services, tasks
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint

pytest_plugins = ["tests.webhook_fixtures"]
pytestmark = pytest.mark.django_db


def an_event(kind: str = "webhook.test") -> Event:
    return Event(kind=kind, data={"n": 1}, created=timezone.now())


def test_a_tarpit_costs_one_deadline_not_its_whole_trickle(settings, tarpit):
    """The tarpit's answer takes ~60 s to trickle in; each read comes well within the per-read
    timeout, so only a wall-clock deadline ends the attempt."""
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2
    started = time.monotonic()
    outcome = sending.post(url=tarpit.url, secret="s", event=an_event())
    elapsed = time.monotonic() - started
    assert not outcome.ok and outcome.error.startswith("Timed out")
    assert elapsed < 3.5, f"the attempt took {elapsed:.1f} s"
    assert tarpit.connections == 1


def test_a_receiver_that_never_answers_is_timed_out(settings):
    import socket

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS, settings.WEBHOOKS_ALLOW_HTTP = True, True
    settings.WEBHOOKS_ALLOWED_PORTS = ["*"]
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    with socket.socket() as silent:  # accepts (the kernel does) and never reads nor answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        started = time.monotonic()
        outcome = sending.post(url=url, secret="s", event=an_event())
    assert not outcome.ok and outcome.error.startswith("Timed out")
    assert time.monotonic() - started < 2.5


@pytest.fixture
def slow_endpoint(acme_admin, tarpit, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    return services.endpoint_create(actor=acme_admin, url=tarpit.url)


def test_a_timed_out_attempt_is_a_failure_with_backoff(slow_endpoint, acme_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=slow_endpoint)
    delivery.refresh_from_db()
    slow_endpoint.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("Timed out")
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)  # 30 s backoff
    assert slow_endpoint.consecutive_failures == 1 and slow_endpoint.busy_until is None


def test_repeated_timeouts_disable_the_endpoint_and_tell_its_admins(
    settings, slow_endpoint, acme_admin, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER = 2
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.endpoint_send_test(actor=acme_admin, endpoint=slow_endpoint)
    slow_endpoint.refresh_from_db()
    assert not slow_endpoint.active and slow_endpoint.consecutive_failures == 2
    assert Event.objects.filter(kind="webhook.disabled", organization=slow_endpoint.organization).count() == 1


def test_the_last_timed_out_attempt_gives_up(settings, slow_endpoint, acme_admin, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=slow_endpoint)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED and delivery.attempts == 1


def test_an_exception_in_the_attempt_takes_the_failure_path(
    monkeypatch, receiver, acme_admin, django_capture_on_commit_callbacks
):
    """The task's soft time limit raised in the middle of the POST used to skip the failure path
    (no failure counted, the endpoint never disabled)."""
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)

    def interrupted(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(sending, "post", interrupted)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 1
    assert "SoftTimeLimitExceeded" in delivery.last_error
    assert endpoint.consecutive_failures == 1 and endpoint.busy_until is None


def test_one_attempt_in_flight_per_endpoint(receiver, acme_admin, settings):
    """While an attempt holds the endpoint, another delivery to it waits (due, untouched); when
    the attempt ends (its batch time spent) it names that delivery as the next one to enqueue."""
    settings.WEBHOOKS_BATCH_SECONDS = 0
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    first = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    second = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=timezone.now() + timedelta(seconds=30))
    # As the beat's claim leaves it: its next attempt pushed forward while its task is queued.
    WebhookDelivery.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=100))

    assert tasks.deliver(second.pk, 0) == "busy"
    second.refresh_from_db()
    assert second.attempts == 0 and second.next_attempt_at <= timezone.now() and receiver.requests == []

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=None)
    result = services.delivery_attempt(first.pk, 0)
    assert result.delivery.status == WebhookDeliveryStatus.DELIVERED
    assert result.next_due == (second.pk, 0)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).busy_until is None


def test_while_the_endpoint_answers_one_task_goes_on_with_its_due_deliveries(receiver, acme_admin):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    first, *others = [services.endpoint_send_test(actor=acme_admin, endpoint=endpoint) for _ in range(4)]

    result = services.delivery_attempt(first.pk, 0)

    assert result.delivery.status == WebhookDeliveryStatus.DELIVERED and result.next_due is None
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.DELIVERED}
    assert len(receiver.requests) == 4 and all(r.signature_valid for r in receiver.requests)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).busy_until is None
    for other in others:  # their own tasks, arriving later, find nothing to do
        assert tasks.deliver(other.pk, 0) is None
    assert len(receiver.requests) == 4


def test_after_a_failure_the_task_stops_and_names_no_next_delivery(receiver, acme_admin):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    receiver.fail_next = 1
    first = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    second = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)

    result = services.delivery_attempt(first.pk, 0)

    assert result.delivery.status == WebhookDeliveryStatus.PENDING and result.next_due is None
    second.refresh_from_db()
    assert second.attempts == 0 and len(receiver.requests) == 1  # left for the beat's retries


def test_a_hold_left_by_a_killed_worker_expires(receiver, acme_admin):
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=timezone.now() - timedelta(seconds=1))
    assert services.delivery_attempt(delivery.pk, 0).delivery.status == WebhookDeliveryStatus.DELIVERED


def test_webhook_attempts_have_their_own_queue(settings):
    settings.WEBHOOKS_QUEUE = "hooks-only"
    router = app.amqp.router
    assert router.route({}, "webhooks.tasks.deliver", (), {})["queue"].name == "hooks-only"
    for other in (
        "notifications.tasks.deliver_chunk",
        "notifications.tasks.dispatch_event",
        "webhooks.tasks.retry_due",
    ):
        assert router.route({}, other, (), {})["queue"].name == app.conf.task_default_queue


@pytest.fixture
def slow_dns(monkeypatch):
    """Names under slow.example take 3 s to resolve (to a public address); others as usual."""
    from webhooks import targets

    real = targets.resolve

    def resolve(host, port):
        if host.endswith("slow.example"):
            time.sleep(3)
            return ["93.184.215.14"]
        return real(host, port)

    monkeypatch.setattr(targets, "resolve", resolve)


def test_a_slow_name_lookup_counts_against_the_deadline(settings, slow_dns):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    outcome = sending.post(url="https://hooks.slow.example/ipm", secret="s", event=an_event())
    assert not outcome.ok and outcome.error.startswith("Timed out")
    assert time.monotonic() - started < 2


def test_slow_lookups_of_one_organization_do_not_starve_the_others(settings, slow_dns, receiver, acme_admin):
    """Lookups left behind by timed-out attempts hold no shared pool: another endpoint's attempt in
    the same process goes through."""
    import threading

    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    slow = {"url": "https://x.slow.example/", "secret": "s", "event": an_event()}
    stuck = [threading.Thread(target=sending.post, kwargs=slow) for _ in range(6)]
    for thread in stuck:
        thread.start()
    for thread in stuck:
        thread.join()
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = endpoint.secret
    assert sending.post(url=endpoint.url, secret=endpoint.secret, event=an_event()).ok


def test_saving_an_endpoint_whose_name_resolves_too_slowly_is_refused_in_time(settings, slow_dns, api, acme_admin):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    response = api(acme_admin).post("/api/v1/webhooks/", {"url": "https://hooks.slow.example/"}, format="json")
    assert response.status_code == 400 and response.json()["url"] == ["This address is not reachable."]
    assert time.monotonic() - started < 2


def test_the_beat_claims_one_due_delivery_per_endpoint(receiver, acme_admin):
    """The others would only find the endpoint busy; the one that reaches it goes on with them."""
    endpoint = services.endpoint_create(actor=acme_admin, url=receiver.url)
    other = services.endpoint_create(actor=acme_admin, url=receiver.url + "&other=1")
    first = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    elsewhere = services.endpoint_send_test(actor=acme_admin, endpoint=other)

    assert sorted(services.due_claim()) == sorted([(first.pk, 0), (elsewhere.pk, 0)])
