"""Reminders with real parts: the periodic task sent twice at once to a real Celery worker (two
processes, the real Redis broker) sends each reminder once: one application.extension_due and one
trademark.expiring per writer of the holder, however many runs."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from applications import services, tasks, workdays
from applications.models import ExtensionReminder, TrademarkReminder
from brands.models import TrademarkRegistration
from core.models import Event
from notifications.models import Notification

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = [pytest.mark.celery_worker]


def wait_for(predicate, seconds=180.0, step=0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _out(worker):
    worker.terminate()
    return worker.stdout.read()[-3000:]


def valid_until_reminded_today(today: datetime.date) -> datetime.date:
    """A valid_until whose early reminder is due today (the worker's clock is the real one):
    today lies from ten working days before the last day to ask, up to the day before it."""
    for days in range(40, 120):
        candidate = today + datetime.timedelta(days=days)
        due_by = workdays.extension_due_by(candidate, "FR")
        if workdays.early_reminder_day(due_by, "FR") <= today < due_by:
            return candidate
    raise AssertionError("no valid_until found")


def test_the_task_run_twice_by_a_real_worker_reminds_once(
    celery_worker, smtp_server, acme_admin, acme_editor, acme_viewer, brand_fr, customs_fr, coordinator_fr
):
    today = timezone.localdate()
    application = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})
    services.application_submit(actor=acme_editor, application=application)
    services.application_grant(
        actor=coordinator_fr, application=application, valid_until=valid_until_reminded_today(today)
    )
    TrademarkRegistration.objects.create(
        brand=brand_fr, office="EUIPO", number="0185", expiry_date=today + datetime.timedelta(days=30)
    )
    worker = celery_worker(concurrency=2, EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")

    tasks.application_reminders.delay()
    tasks.application_reminders.delay()

    kinds = ("application.extension_due", "trademark.expiring")
    assert wait_for(lambda: Event.objects.filter(kind__in=kinds, completed_at__isnull=False).count() == 2), (
        list(Event.objects.values_list("kind", "completed_at")),
        ExtensionReminder.objects.count(),
        _out(worker),
    )
    time.sleep(3)  # the slower of the two runs has finished: it found the reminders sent
    assert Event.objects.filter(kind__in=kinds).count() == 2
    assert ExtensionReminder.objects.count() == 1 and TrademarkReminder.objects.count() == 1
    for kind in kinds:
        rows = list(Notification.objects.filter(event__kind=kind).values_list("recipient__email", flat=True))
        assert sorted(rows) == sorted([acme_admin.email, acme_editor.email])
    mailed = {(tuple(to), message["X-IPM-Event"]) for to, message in smtp_server.messages}
    assert mailed == {((person.email,), kind) for person in (acme_admin, acme_editor) for kind in kinds}
