"""E-mail under faults, with real processes: Celery workers on Redis, a real SMTP server that is
slow to accept each message, a worker killed in the middle of a chunk, the same chunk run three
times at once, the sweeper taking up chunks all along. Each e-mail is sent once (at most one
duplicate per chunk per crash), each in-app notification exactly once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from accounts.models import OrganizationKind
from core.models import Event
from notifications import tasks
from notifications.models import Channel, EmailMode, EventChunk
from tests.factories import OrganizationFactory
from tests.test_notifications_worker import HELPERS, broadcast, exactly_one_each, officers

from .conftest import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.celery_worker]


def sweep() -> None:
    """The beat's sweeper, as if every chunk had been enqueued long ago."""
    tasks.sweep.apply(kwargs={"stale_after_seconds": 0})


def email_env(smtp, **extra) -> dict:
    return {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", **extra}


def report(fault_report, scenario: str, people, smtp, seconds: float) -> list[str]:
    """The scenario's row of the fault matrix; returns the addresses received, in order."""
    addresses = {p.email for p in people}
    received = [recipient for recipient, _event in smtp.received]
    fault_report(
        scenario=scenario,
        expected=len(addresses),
        delivered=len(set(received) & addresses),
        duplicates=smtp.duplicates(),
        lost=len(addresses - set(received)),
        recovery_seconds=round(seconds, 1),
    )
    return received


def test_the_same_chunk_run_three_times_at_once_sends_each_email_once(celery_worker, slow_smtp, fault_report):
    smtp = slow_smtp(0.2)
    celery_worker(include=HELPERS, concurrency=3, **email_env(smtp, NOTIFICATIONS_EMAIL_CHUNK_SIZE="20"))
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 20, email=EmailMode.IMMEDIATE)

    event = broadcast(customs, text="three copies")
    assert wait_for(lambda: EventChunk.objects.filter(event=event, channel=Channel.EMAIL).exists())
    chunk = EventChunk.objects.get(event=event, channel=Channel.EMAIL)
    started = time.monotonic()
    tasks.deliver_chunk.apply_async((chunk.pk,))
    tasks.deliver_chunk.apply_async((chunk.pk,))

    done = wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None, seconds=60, tick=sweep)
    elapsed = time.monotonic() - started
    time.sleep(1)  # a straggling copy, if it sends anything, has sent it by now
    received = report(
        fault_report,
        "the same e-mail chunk run 3 times at once (3 worker processes), sweeper every second",
        people,
        smtp,
        elapsed,
    )
    addresses = {p.email for p in people}
    assert done
    assert sorted(received) == sorted(addresses), "each recipient once, nobody twice"
    assert exactly_one_each(event, people)


def test_a_slow_smtp_server_gets_each_email_once_and_a_long_chunk_is_handed_over(
    celery_worker, slow_smtp, fault_report
):
    """8 s a message in production; here 0.5 s a message against a 2 s budget per task, and the
    sweeper re-queueing the chunk every second as if it were stale: no duplicates."""
    smtp = slow_smtp(0.5)
    env = email_env(smtp, NOTIFICATIONS_EMAIL_CHUNK_SIZE="12", NOTIFICATIONS_CHUNK_BUDGET_SECONDS="2")
    celery_worker(include=HELPERS, concurrency=2, **env)
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 12, email=EmailMode.IMMEDIATE)

    started = time.monotonic()
    event = broadcast(customs, text="slow")
    done = wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None, seconds=60, tick=sweep)
    elapsed = time.monotonic() - started
    received = report(
        fault_report,
        "slow SMTP server (0.5 s a message, 2 s budget per task), sweeper every second",
        people,
        smtp,
        elapsed,
    )
    addresses = {p.email for p in people}
    chunk = EventChunk.objects.get(event=event, channel=Channel.EMAIL)
    assert done
    assert sorted(received) == sorted(addresses)
    assert chunk.attempts >= 3, "the chunk should have been handed over from task to task"


def test_a_worker_killed_in_the_middle_of_a_chunk_costs_at_most_one_duplicate(celery_worker, slow_smtp, fault_report):
    smtp = slow_smtp(0.3)
    env = email_env(smtp, NOTIFICATIONS_EMAIL_CHUNK_SIZE="30", NOTIFICATIONS_LEASE_SECONDS="3")
    first = celery_worker(include=HELPERS, **env)
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 30, email=EmailMode.IMMEDIATE)

    event = broadcast(customs, text="killed")
    assert wait_for(lambda: len(smtp.received) >= 5, seconds=30), "the chunk never started"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    before = len(smtp.received)
    assert before < 30, "the worker was not killed in the middle of the chunk"

    celery_worker(include=HELPERS, **env)
    done = wait_for(lambda: Event.objects.get(pk=event.pk).completed_at is not None, seconds=60, tick=sweep)
    recovery = time.monotonic() - killed_at
    received = report(
        fault_report,
        "worker killed (SIGKILL) in the middle of an e-mail chunk, lease 3 s, sweeper every second",
        people,
        smtp,
        recovery,
    )
    addresses = {p.email for p in people}
    assert done
    assert set(received) == addresses
    assert smtp.duplicates() <= 1, f"{smtp.duplicates()} duplicates for one crash"
    assert exactly_one_each(event, people)
