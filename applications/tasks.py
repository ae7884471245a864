"""Periodic work on applications for action (Celery beat): thin and idempotent, the services do
it. Expiry is stored (status `expired`) by this task; the coverage checks read `valid_until` too,
so nothing is covered past its last day even before the task runs."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True, soft_time_limit=300, time_limit=360)
def application_reminders() -> dict[str, int]:
    """Expire granted applications past valid_until; send application.extension_due (10 working
    days before the last day to ask, and on it) and trademark.expiring (90 days before), each once."""
    return {
        "expired": services.applications_expire(),
        "extension_due": services.applications_remind(),
        "trademark_expiring": services.trademarks_remind(),
    }
