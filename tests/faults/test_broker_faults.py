"""The notification pipeline when its Redis (the broker) or its worker fails, with real
processes: Redis stopped at the moment a domain action commits, then started again (empty, as
after a crash); a worker killed in the middle of a 5,000-recipient fan-out. The action commits,
nothing is lost, the inbox gets each notification exactly once and e-mail goes once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from accounts.models import OrganizationKind
from core.models import Event
from notifications import tasks
from notifications.models import EmailMode, EventChunk, Notification
from tests.factories import OrganizationFactory
from tests.test_notifications_worker import HELPERS, broadcast, exactly_one_each, officers

from .conftest import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.celery_worker]


def sweep() -> None:
    tasks.sweep.apply(kwargs={"stale_after_seconds": 0})


def completed(event) -> bool:
    return Event.objects.get(pk=event.pk).completed_at is not None


def test_redis_stopped_at_commit_then_restarted(celery_worker, private_redis, broker_at, slow_smtp, fault_report):
    smtp = slow_smtp(0)
    broker_at(private_redis.url)
    celery_worker(include=HELPERS, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 40, email=EmailMode.IMMEDIATE)

    private_redis.stop()
    started = time.monotonic()
    event = broadcast(customs, text="while Redis is down")  # commits; the enqueue fails, swallowed
    commit_seconds = time.monotonic() - started
    event.refresh_from_db()
    assert event.dispatched_at is None and not Notification.objects.filter(event=event).exists()

    private_redis.start()  # empty: whatever was queued before is gone, as after a crash
    restarted = time.monotonic()
    done = wait_for(lambda: completed(event), seconds=90, tick=sweep)
    recovery = time.monotonic() - restarted
    addresses = {p.email for p in people}
    received = [r for r, _event in smtp.received]
    fault_report(
        scenario="Redis (broker) stopped when the action commits, started again empty; 40 recipients",
        expected=2 * len(people),
        delivered=Notification.objects.filter(event=event).count() + len(set(received) & addresses),
        duplicates=smtp.duplicates(),
        lost=len(addresses - set(received)) + len(people) - Notification.objects.filter(event=event).count(),
        recovery_seconds=round(recovery, 1),
        note=f"in-app and e-mail; the action committed in {commit_seconds:.2f} s with the broker down",
    )
    assert commit_seconds < 5
    assert done
    assert exactly_one_each(event, people)
    assert sorted(received) == sorted(addresses)


def test_worker_killed_mid_fan_out_then_sweeper_and_a_new_worker_cover_everyone(celery_worker, fault_report):
    # The chunk the killed worker held stays leased for 3 s, then the sweeper takes it up.
    first = celery_worker(include=HELPERS, NOTIFICATIONS_CHUNK_SIZE="250", NOTIFICATIONS_LEASE_SECONDS="3")
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="FR")
    people = officers(customs, 5000)

    event = broadcast(customs, delay=0.15)  # 20 chunks, 0.15 s or more each
    assert wait_for(lambda: Notification.objects.filter(event=event).count() >= 500), "the fan-out did not start"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    written = Notification.objects.filter(event=event).count()
    assert 0 < written < 5000, "the worker was not killed in the middle of the fan-out"
    assert EventChunk.objects.filter(event=event, done_at__isnull=True).exists()

    celery_worker(include=HELPERS, NOTIFICATIONS_CHUNK_SIZE="250")
    swept = tasks.sweep.apply(kwargs={"stale_after_seconds": 0}).get()

    assert swept["chunks"] >= 1
    done = wait_for(lambda: completed(event), seconds=120, tick=sweep)
    rows = Notification.objects.filter(event=event).count()
    fault_report(
        scenario="worker killed (SIGKILL) in the middle of a 5,000-recipient in-app fan-out (20 chunks)",
        expected=len(people),
        delivered=Notification.objects.filter(event=event).values("recipient").distinct().count(),
        duplicates=rows - Notification.objects.filter(event=event).values("recipient").distinct().count(),
        lost=len(people) - Notification.objects.filter(event=event).values("recipient").distinct().count(),
        recovery_seconds=round(time.monotonic() - killed_at, 1),
        note=f"{written} rows written before the kill; lease 3 s, sweeper every second",
    )
    assert done
    assert exactly_one_each(event, people)
    assert not EventChunk.objects.filter(event=event, done_at__isnull=True).exists()
