"""E-mail delivered once short of a crash in the middle of one SMTP exchange: a chunk is held by
one task under a lease (a second copy of the task does nothing), each e-mail is recorded as sent
as soon as the SMTP server accepts it, a task past its time budget hands the rest over, and the
sweeper takes up only chunks whose lease ran out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OrganizationKind, Role
from core.events import emit
from notifications import pipeline, tasks
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
    monkeypatch.setattr(pipeline, "_exchange_margin", lambda: 10**6)  # renewed before every e-mail
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
    """With a 3 s lease and an e-mail a second, the lease is renewed before each e-mail: it never
    lapses (it used to be renewed every 5 s whatever its length, so a short lease ran out in
    between)."""
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

    from notifications import tasks

    monkeypatch.setattr(tasks, "enqueue_dispatch", lambda event_id: True)  # no eager delivery at commit
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


def test_a_lease_always_outlasts_the_email_being_sent(customs, smtp, settings, monkeypatch):
    """Before each e-mail at least one e-mail's worst case (a few EMAIL_TIMEOUT steps and the wait
    to record it) is left of the lease, so the sweeper never takes a chunk over mid-e-mail."""
    settings.NOTIFICATIONS_LEASE_SECONDS, settings.EMAIL_TIMEOUT = 120, 10
    chunk = email_chunk(customs)
    real = pipeline.render_email
    left: list[float] = []

    def render(event, kind, texts, recipient):
        until = EventChunk.objects.get(pk=chunk.pk).lease_until
        left.append((until - timezone.now()).total_seconds())
        return real(event, kind, texts, recipient)

    monkeypatch.setattr(pipeline, "render_email", render)
    # Time passes: 70 s of the lease are gone before the e-mails start.
    EventChunk.objects.filter(pk=chunk.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    claimed = pipeline.Lease.claim(chunk.pk)
    EventChunk.objects.filter(pk=chunk.pk).update(lease_until=claimed.until - timedelta(seconds=70))
    claimed.until -= timedelta(seconds=70)
    result = pipeline._deliver_email(chunk, pipeline.registry.get(chunk.event.kind), _texts(chunk), claimed)
    assert result.delivered == 5
    assert min(left) >= pipeline._exchange_margin() == 65


def _texts(chunk):
    return pipeline._Texts(chunk.event, pipeline.registry.get(chunk.event.kind))


@pytest.fixture
def picky_smtp(settings):
    """A real SMTP server (aiosmtpd) refusing officer1 for good (550) and officer2 for now (450)."""
    from aiosmtpd.controller import Controller

    from tests.faults.conftest import free_port

    class Picky:
        def __init__(self):
            self.accepted: list[str] = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("officer1@"):
                return "550 5.1.1 No such mailbox"
            if address.startswith("officer2@"):
                return "450 4.2.1 Mailbox busy, try later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.accepted.extend(envelope.rcpt_tos)
            return "250 OK"

    handler, port = Picky(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def test_an_address_refused_for_good_is_not_tried_again(customs, picky_smtp):
    chunk = email_chunk(customs)

    first = pipeline.chunk_deliver(chunk.pk)
    assert (first.delivered, first.failed, first.refused) == (3, 1, 1)
    statuses = dict(EmailDelivery.objects.filter(event=chunk.event).values_list("recipient__email", "status"))
    assert statuses["officer1@douane.example"] == DeliveryStatus.REFUSED
    assert statuses["officer2@douane.example"] == DeliveryStatus.FAILED

    second = pipeline.chunk_deliver(chunk.pk)  # the retry: only the one refused for now
    assert (second.delivered, second.failed, second.refused) == (0, 1, 0)
    refused = EmailDelivery.objects.get(event=chunk.event, recipient__email="officer1@douane.example")
    assert refused.attempts == 1 and "550" in refused.last_error


def test_recipients_not_yet_tried_go_on_at_once_even_after_a_failure(customs, picky_smtp, monkeypatch):
    """A run with a failed address that also ran out of time hands the untried recipients to a
    fresh task at once; they used to wait for the failure's backoff, and could be given up."""
    chunk = email_chunk(customs)
    handed: list[list[int]] = []
    monkeypatch.setattr(tasks, "_enqueue_chunks", lambda ids: handed.append(list(ids)) or len(ids))
    import time as real_time
    from types import SimpleNamespace

    clock = SimpleNamespace(monotonic=real_time.monotonic, sleep=real_time.sleep)
    monkeypatch.setattr(pipeline, "time", clock)
    real = pipeline.render_email

    def render(event, kind, texts, recipient):
        if recipient.email.startswith("officer3@"):  # the budget runs out after officer2's failure
            clock.monotonic = lambda: real_time.monotonic() + 10**6
        return real(event, kind, texts, recipient)

    monkeypatch.setattr(pipeline, "render_email", render)
    tasks.deliver_chunk.apply(args=(chunk.pk,))
    assert handed == [[chunk.pk]]
    chunk.refresh_from_db()
    assert chunk.done_at is None and chunk.enqueued_at <= timezone.now()
