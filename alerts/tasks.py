"""Periodic work on alerts and cases (Celery beat): thin and idempotent, the services do it."""

from __future__ import annotations

import datetime

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


# The beat's sweep leaves a hit this long to the task its save sent.
ANNOUNCE_GRACE = datetime.timedelta(seconds=30)


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=120, time_limit=180)
def announce_deconfliction_hits(hit_ids: list[int] | None = None) -> int:
    """Tell both sides' coordinators of new deconfliction hits, once each: those of one save (sent
    after its commit), or (beat, no ids) every hit left unannounced for ANNOUNCE_GRACE."""
    if hit_ids is None:
        return services.deconfliction_announce(older_than=ANNOUNCE_GRACE)
    return services.deconfliction_announce(hit_ids)
