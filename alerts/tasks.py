"""Periodic work on alerts and cases (Celery beat): thin and idempotent, the services do it."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def expire_alerts() -> int:
    """Published alerts past their last valid day become expired."""
    return services.alerts_expire()


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def case_deadlines() -> dict:
    """Deadline reminders (case.deadline_near) and overdue flags (case.overdue), each once."""
    return {"reminded": services.cases_remind_deadline(), "overdue": services.cases_flag_overdue()}
