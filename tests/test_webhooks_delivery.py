"""Signed webhook deliveries to a real HTTP server started in the test: the body and headers of
DESIGN.md, a signature the receiver can check, retries with backoff until the receiver
recovers, auto-disable after repeated failures (the organization's admins told) and re-enable,
and a case event travelling from the officer's action to the right holder's endpoint."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import services as alert_services
from core.models import Event
from notifications.models import Notification
from webhooks import sending, services, tasks
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.webhook_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(acme_admin, receiver):
    created = services.endpoint_create(actor=acme_admin, url=receiver.url)
    receiver.secret = created.secret
    return created


def make_due() -> None:
    """Time passes: every pending delivery's next attempt has come."""
    WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).update(next_attempt_at=timezone.now())


def test_a_case_opened_reaches_the_brand_owners_endpoint_signed(
    officer_fr, brand_fr, product_fr, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = alert_services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr))
    event = Event.objects.get(kind="case.opened", subject_id=case.pk)
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert received.signature_valid and received.fresh
    assert received.path == "/hooks/ipm?source=test"
    assert received.headers["IPM-Event"] == "case.opened"
    assert received.headers["IPM-Delivery"] == str(event.pk)
    assert received.headers["Content-Type"] == "application/json"
    body = received.json
    assert set(body) == {"id", "type", "created", "data"}
    assert body["id"] == str(event.pk) and body["type"] == "case.opened"
    assert body["data"]["case"] == case.pk and body["data"]["brand"] == brand_fr.pk
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.delivered_at


def test_another_organizations_event_does_not_reach_the_endpoint(
    officer_fr, other_rightholder, globex_brand, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alert_services.case_open(actor=officer_fr, data=case_data(globex_brand))
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_an_endpoint_subscribed_to_other_kinds_is_skipped(
    acme_admin, officer_fr, brand_fr, receiver, django_capture_on_commit_callbacks
):
    only_alerts = services.endpoint_create(actor=acme_admin, url=receiver.url, events=["alert.published"])
    receiver.secret = only_alerts.secret
    with django_capture_on_commit_callbacks(execute=True):
        alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))
    assert receiver.requests == []


def test_failing_then_recovering_is_retried_with_backoff_until_delivered(
    officer_fr, brand_fr, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.fail_next = 3
    with django_capture_on_commit_callbacks(execute=True):
        alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    delays = []
    for attempt in (1, 2, 3):
        delivery.refresh_from_db()
        assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == attempt
        assert delivery.last_status_code == 500 and "HTTP 500" in delivery.last_error
        delays.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        # Not due yet: the beat task leaves it alone.
        assert tasks.retry_due() == 0
        make_due()
        assert tasks.retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED and delivery.attempts == 4
    assert delivery.last_error == "" and delivery.last_status_code == 200
    # 30 s, doubling.
    assert [round(d) for d in delays] == [30, 60, 120]
    assert [r.answered for r in receiver.requests] == [500, 500, 500, 200]
    assert all(r.signature_valid and r.fresh for r in receiver.requests)
    assert len({r.headers["IPM-Delivery"] for r in receiver.requests}) == 1  # one idempotency key
    assert len({r.body for r in receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active
    # Delivered: nothing more is ever sent.
    make_due()
    assert tasks.retry_due() == 0 and len(receiver.requests) == 4


def test_the_same_attempt_run_twice_is_sent_once(endpoint, acme_admin, receiver, django_capture_on_commit_callbacks):
    receiver.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    assert len(receiver.requests) == 1
    # A duplicated task for the first attempt finds it already made.
    assert tasks.deliver(delivery.pk, 0) is None
    assert len(receiver.requests) == 1
    assert tasks.deliver(delivery.pk, 1) == WebhookDeliveryStatus.DELIVERED
    assert tasks.deliver(delivery.pk, 1) is None
    assert len(receiver.requests) == 2


def test_a_redirect_is_not_followed(endpoint, acme_admin, receiver, django_capture_on_commit_callbacks):
    receiver.fail_next, receiver.answer = 1, 302
    receiver.extra_headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.last_status_code == 302
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_recorded_failure(acme_admin, receiver, django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = services.endpoint_create(actor=acme_admin, url=f"http://127.0.0.1:{port}/")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error and delivery.last_status_code is None


def test_a_delivery_gives_up_after_the_last_attempt(
    settings, endpoint, acme_admin, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    for _ in range(4):
        make_due()
        tasks.retry_due()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED and delivery.attempts == 3
    assert len(receiver.requests) == 3


def test_repeated_failures_disable_the_endpoint_and_tell_its_admins_then_an_admin_re_enables_it(
    settings,
    api,
    acme_admin,
    acme_editor,
    officer_fr,
    brand_fr,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOKS_DISABLE_AFTER = 4
    receiver.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))
        alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            make_due()
            tasks.retry_due()
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at and endpoint.consecutive_failures == 4
    assert len(receiver.requests) == 4
    # Told once, in-app (and by e-mail), to the organization's admins only.
    disabled = Event.objects.get(kind="webhook.disabled")
    assert disabled.organization_id == endpoint.organization_id and disabled.data["failures"] == 4
    told = Notification.objects.filter(event=disabled)
    assert [n.recipient for n in told] == [acme_admin]
    assert endpoint.url in told[0].title and told[0].link == "/accounts/webhooks/"
    assert not Notification.objects.filter(event=disabled, recipient=acme_editor).exists()
    # Disabled: nothing more is sent, even when due.
    with django_capture_on_commit_callbacks(execute=True):
        make_due()
        assert tasks.retry_due() == 0
    assert len(receiver.requests) == 4
    # An admin fixes the receiver and re-enables: the pending deliveries go at once.
    receiver.fail_next = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_admin).post(f"/api/v1/webhooks/{endpoint.pk}/enable/")
    assert response.status_code == 200 and response.json()["enabled"] is True
    assert response.json()["consecutive_failures"] == 0
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.DELIVERED}
    assert len(receiver.requests) == 6 and all(r.signature_valid for r in receiver.requests)


def test_a_test_event_goes_to_that_endpoint_only(
    api, acme_admin, endpoint, receiver, django_capture_on_commit_callbacks
):
    other = services.endpoint_create(actor=acme_admin, url=receiver.url + "&other=1")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_admin).post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert response.status_code == 200, response.content
    body = response.json()
    # Answered before the commit sends it (in the test's transaction): its log shows it sent.
    assert body["event"] == "webhook.test" and body["status"] == "pending"
    log = api(acme_admin).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert log["count"] == 1 and log["results"][0]["id"] == body["id"]
    assert log["results"][0]["status"] == "delivered" and log["results"][0]["attempts"] == 1
    assert len(receiver.requests) == 1 and "other" not in receiver.requests[0].path
    received = receiver.requests[0]
    assert received.signature_valid and received.headers["IPM-Event"] == "webhook.test"
    assert received.json["data"]["endpoint"] == endpoint.pk and received.headers["IPM-Delivery"] == body["event_id"]
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    # Not an inbox event, and the sweeper has nothing to dispatch.
    assert not Notification.objects.exists()
    assert Event.objects.get(kind="webhook.test").completed_at is not None


def test_the_pipeline_dispatching_twice_records_one_delivery(endpoint, officer_fr, brand_fr):
    alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))  # on_commit never fires here
    event = Event.objects.get(kind="case.opened")
    assert services.deliveries_record(event) == 1
    assert services.deliveries_record(event) == 1  # still pending, enqueued again, one row
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_a_receiver_rejects_a_stale_or_forged_signature():
    body = b'{"id":"x"}'
    now = int(time.time())
    header = sending.signature("s3cret", body, now)
    assert sending.verify_signature("s3cret", body, header)
    assert not sending.verify_signature("other", body, header)
    assert not sending.verify_signature("s3cret", body + b" ", header)
    stale = sending.signature("s3cret", body, now - 301)
    assert not sending.verify_signature("s3cret", body, stale)
    assert sending.verify_signature("s3cret", body, sending.signature("s3cret", body, now - 299))


def test_backoff_doubles_and_is_capped():
    assert [services.retry_delay(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert services.retry_delay(20) == timedelta(hours=1)


def test_an_endpoint_deleted_takes_its_deliveries_with_it(endpoint, acme_admin, receiver):
    services.endpoint_send_test(actor=acme_admin, endpoint=endpoint)
    services.endpoint_delete(actor=acme_admin, endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_suspended_organization_gets_nothing_until_reinstated(
    acme, endpoint, officer_fr, brand_fr, receiver, django_capture_on_commit_callbacks
):
    from accounts.models import Status
    from core.events import emit

    receiver.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        case = alert_services.case_open(actor=officer_fr, data=case_data(brand_fr))
    assert len(receiver.requests) == 1  # failed once, pending
    type(acme).objects.filter(pk=acme.pk).update(status=Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        emit("case.message", subject=case, organization=acme, data={"case": case.pk, "to": "owner"})
        make_due()
        assert tasks.retry_due() == 0
    assert len(receiver.requests) == 1 and WebhookDelivery.objects.count() == 1
    type(acme).objects.filter(pk=acme.pk).update(status=Status.APPROVED)
    make_due()
    assert tasks.retry_due() == 1
    assert receiver.requests[-1].answered == 200 and len(receiver.requests) == 2
