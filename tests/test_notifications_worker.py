"""The pipeline with real parts: a Celery worker process on the real Redis, a real SMTP server,
a worker killed in the middle of a fan-out, and the broker unreachable when an event is
emitted. Exactly once in the inbox, every recipient covered, finished from the database."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from accounts.models import Membership, OrganizationKind, Role, Status, User
from core.events import emit
from core.models import Event
from notifications import tasks
from notifications.models import EmailMode, EventChunk, Notification, Preference
from tests import notifying_helpers
from tests.factories import OrganizationFactory, member
from tests.waiting import wait_for

pytestmark = [pytest.mark.celery_worker]

HELPERS = ("tests.notifying_helpers",)


def officers(organization, count, *, email=EmailMode.OFF):
    """`count` approved officers in one insert each for people, memberships and preferences."""
    people = User.objects.bulk_create(
        User(email=f"officer{index}@{organization.pk}.example", full_name=f"Officer {index}", status=Status.APPROVED)
        for index in range(count)
    )
    Membership.objects.bulk_create(Membership(user=p, organization=organization, role=Role.OFFICER) for p in people)
    Preference.objects.bulk_create(Preference(user=p, email=email) for p in people)
    return people


def broadcast(organization, **data):
    with transaction.atomic():
        return emit(notifying_helpers.BROADCAST, subject=organization, data=data)


def exactly_one_each(event, people) -> bool:
    rows = list(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    return len(rows) == len(set(rows)) and set(rows) == {p.pk for p in people}


def test_email_reaches_the_smtp_server_in_the_recipients_language(celery_worker, smtp_server):
    celery_worker(include=HELPERS, EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    customs = OrganizationFactory(name="Douane", kind=OrganizationKind.CUSTOMS, country="FR")
    french = member(customs, Role.OFFICER, email="amelie@douane.example", full_name="Amélie", language="fr")

    event = broadcast(customs, text="Lumina")

    assert wait_for(lambda: smtp_server.messages), "no e-mail reached the SMTP server"
    recipients, message = smtp_server.messages[0]
    assert recipients == [french.email]
    assert message["X-IPM-Event"] == notifying_helpers.BROADCAST
    assert message["X-IPM-Event-Id"] == str(event.pk)
    assert message["Subject"] == "[IPM Portal] Organisation: Lumina"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Amélie," in text and "Organisation: Lumina" in text
    assert "Bonjour Amélie," in html and f"/broadcast/{customs.pk}/" in html
    assert wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None)
    assert Notification.objects.get(event=event, recipient=french).title == "Organisation: Lumina"


def test_the_same_delivery_task_sent_twice_through_the_broker_writes_one_row(celery_worker):
    celery_worker(include=HELPERS)
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 50)
    event = broadcast(customs)
    assert wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None)
    chunk = EventChunk.objects.get(event=event, channel="inapp")

    # As if the worker had died after writing the rows and before marking the chunk done.
    EventChunk.objects.filter(pk=chunk.pk).update(done_at=None)
    tasks.deliver_chunk.apply_async((chunk.pk,))
    tasks.deliver_chunk.apply_async((chunk.pk,))

    assert wait_for(lambda: EventChunk.objects.filter(pk=chunk.pk, attempts__gte=2, done_at__isnull=False).exists())
    time.sleep(1)  # the second copy, if it writes anything, has written it by now
    assert exactly_one_each(event, people)


@pytest.fixture
def broker():
    """broker.down(): point this process's Celery producer at a closed port; broker.up(): back
    to the real Redis (also done at the end of the test)."""
    from types import SimpleNamespace

    from ipm_portal.celery import app

    saved = app.conf.broker_url

    def point_at(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    control = SimpleNamespace(down=lambda: point_at("redis://127.0.0.1:1/0"), up=lambda: point_at(saved))
    yield control
    control.up()


def test_broker_unreachable_at_emit_then_the_sweeper_delivers_once(celery_worker, broker):
    celery_worker(include=HELPERS)
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 30)
    broker.down()

    started = time.monotonic()
    event = broadcast(customs, text="down")  # the commit's enqueue fails and is swallowed

    assert time.monotonic() - started < 10
    time.sleep(1)
    event.refresh_from_db()
    assert event.dispatched_at is None and not Notification.objects.exists()

    broker.up()
    assert tasks.sweep.apply(kwargs={"stale_after_seconds": 0}).get()["events"] == 1
    assert wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None)
    assert exactly_one_each(event, people)

    # Swept again: nothing left to do, nothing written twice.
    assert tasks.sweep.apply(kwargs={"stale_after_seconds": 0}).get() == {"events": 0, "chunks": 0}
    time.sleep(0.5)
    assert exactly_one_each(event, people)
