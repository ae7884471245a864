"""E-mail delivered once short of a crash in the middle of one SMTP exchange: a chunk is held by
one task under a lease (a second copy of the task does nothing), each e-mail is recorded as sent
as soon as the SMTP server accepts it, a task past its time budget hands the rest over, and the
sweeper takes up only chunks whose lease ran out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OrganizationKind, Role
from notifications import pipeline, tasks
from notifications.events import emit
from notifications.models import Channel, DeliveryStatus, EmailDelivery, EventChunk
from tests import notifying_helpers
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs():
    organization = OrganizationFactory(name="Douane", kind=OrganizationKind.CUSTOMS, country="FR")
    for index in range(5):
        member(organization, Role.OFFICER, email=f"officer{index}@douane.example")
    return organization


def email_chunk(customs) -> EventChunk:
    event = emit(notifying_helpers.BROADCAST, subject=customs, data={"text": "lease"})
    pipeline.event_dispatch(str(event.pk))
    return EventChunk.objects.get(event=event, channel=Channel.EMAIL)


def test_a_chunk_held_by_another_task_is_left_alone(customs, smtp):
    chunk = email_chunk(customs)
    EventChunk.objects.filter(pk=chunk.pk).update(lease_until=timezone.now() + timedelta(seconds=60))

    result = pipeline.chunk_deliver(chunk.pk)

    assert (result.delivered, result.failed) == (0, 0) and smtp.messages == []
    chunk.refresh_from_db()
    assert chunk.done_at is None and chunk.attempts == 0


def test_a_lease_that_ran_out_is_taken_over_and_released_at_the_end(customs, smtp):
    chunk = email_chunk(customs)
    EventChunk.objects.filter(pk=chunk.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    assert pipeline.chunk_deliver(chunk.pk).delivered == 5

    chunk.refresh_from_db()
    assert chunk.done_at is not None and chunk.lease_until is None and chunk.attempts == 1
    assert len(smtp.messages) == 5


def test_each_email_is_recorded_as_sent_as_soon_as_the_server_accepts_it(customs, smtp, monkeypatch):
    """What the database says at each message: everything before it already recorded as sent
    (it used to be saved every 50 messages, so a crash re-sent up to 49)."""
    chunk = email_chunk(customs)
    seen: list[int] = []
    real = pipeline.render_email

    def render(event, kind, texts, recipient):
        seen.append(EmailDelivery.objects.filter(event=event, status=DeliveryStatus.SENT).count())
        return real(event, kind, texts, recipient)

    monkeypatch.setattr(pipeline, "render_email", render)
    pipeline.chunk_deliver(chunk.pk)
    assert seen == [0, 1, 2, 3, 4]


def test_a_task_past_its_budget_hands_the_rest_over(customs, smtp, settings):
    settings.NOTIFICATIONS_CHUNK_BUDGET_SECONDS = 0
    chunk = email_chunk(customs)

    result = pipeline.chunk_deliver(chunk.pk)
    assert (result.delivered, result.unfinished) == (0, 5)
    chunk.refresh_from_db()
    assert chunk.done_at is None and chunk.lease_until is None

    settings.NOTIFICATIONS_CHUNK_BUDGET_SECONDS = 60
    tasks.deliver_chunk.apply(args=(chunk.pk,))
    chunk.refresh_from_db()
    assert chunk.done_at is not None and len(smtp.messages) == 5


def test_the_task_hands_over_to_a_fresh_task_when_the_budget_is_spent(customs, smtp, settings, monkeypatch):
    chunk = email_chunk(customs)
    handed: list[list[int]] = []
    monkeypatch.setattr(tasks, "_enqueue_chunks", lambda ids: handed.append(list(ids)) or len(ids))
    settings.NOTIFICATIONS_CHUNK_BUDGET_SECONDS = 0
    tasks.deliver_chunk.apply(args=(chunk.pk,))
    assert handed == [[chunk.pk]] and smtp.messages == []


def test_a_task_whose_lease_was_taken_over_stops(customs, smtp, monkeypatch):
    chunk = email_chunk(customs)
    real = pipeline.render_email
    sent = []

    def render(event, kind, texts, recipient):
        sent.append(recipient.pk)
        if len(sent) == 2:  # meanwhile, the lease ran out and another task claimed the chunk
            EventChunk.objects.filter(pk=chunk.pk).update(lease_until=timezone.now() + timedelta(seconds=60))
        return real(event, kind, texts, recipient)

    monkeypatch.setattr(pipeline, "render_email", render)
    monkeypatch.setattr(pipeline.Lease, "RENEW_FRACTION", 0)
    result = pipeline.chunk_deliver(chunk.pk)
    assert result.delivered == 2 and result.unfinished == 3 and len(smtp.messages) == 2


def test_the_sweeper_takes_up_only_expired_leases(customs):
    chunk = email_chunk(customs)
    long_ago = timezone.now() - timedelta(minutes=10)
    EventChunk.objects.filter(pk=chunk.pk).update(enqueued_at=long_ago, lease_until=timezone.now() + timedelta(60))
    assert chunk.pk not in pipeline.sweep_claim().chunks

    EventChunk.objects.filter(pk=chunk.pk).update(enqueued_at=long_ago, lease_until=long_ago)
    assert chunk.pk in pipeline.sweep_claim().chunks


def test_a_lease_is_renewed_well_before_it_runs_out(customs, smtp, settings, monkeypatch):
    """With a 3 s lease and an e-mail a second, the lease is renewed every second: it never lapses
    (it used to be renewed every 5 s whatever its length, so a short lease ran out in between)."""
    import time

    settings.NOTIFICATIONS_LEASE_SECONDS = 3
    chunk = email_chunk(customs)
    real = pipeline.render_email
    lapsed = []

    def slow_render(event, kind, texts, recipient):
        until = EventChunk.objects.get(pk=chunk.pk).lease_until
        lapsed.append(until <= timezone.now())
        time.sleep(1)
        return real(event, kind, texts, recipient)

    monkeypatch.setattr(pipeline, "render_email", slow_render)
    assert pipeline.chunk_deliver(chunk.pk).delivered == 5
    assert lapsed == [False] * 5


@pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
def test_a_database_gone_for_a_moment_after_the_server_accepted_is_waited_for(customs, smtp, monkeypatch):
    """PostgreSQL restarting between the SMTP server's "250 OK" and the UPDATE that records it: the
    UPDATE is tried again, so the chunk finishes without sending that e-mail twice (giving up
    would leave it pending, to be sent again when the chunk is taken up)."""
    from django import db

    from notifications import events

    monkeypatch.setattr(events, "enqueue_dispatch", lambda event_id: True)  # no eager delivery at commit
    chunk = email_chunk(customs)
    real, failures = pipeline._record, []

    def flaky(ids, *, status, error=""):
        if status == DeliveryStatus.SENT and not failures:
            failures.append(ids)
            raise db.OperationalError("server closed the connection unexpectedly")
        return real(ids, status=status, error=error)

    monkeypatch.setattr(pipeline, "_record", flaky)
    monkeypatch.setattr(pipeline.time, "sleep", lambda seconds: None)
    assert pipeline.chunk_deliver(chunk.pk).delivered == 5
    assert len(failures) == 1 and len(smtp.messages) == 5
    assert EmailDelivery.objects.filter(event=chunk.event, status=DeliveryStatus.SENT).count() == 5
