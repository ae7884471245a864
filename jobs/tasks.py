"""Background work for jobs: thin tasks that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from . import conf


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=conf.JOBS_SOFT_TIME_LIMIT,
    time_limit=conf.JOBS_TIME_LIMIT,
)
def run_job(job_id: str) -> str | None:
    """Run one job. Idempotent: only the delivery that claims the queued job runs it; a retry or
    a duplicate finds it running or finished and does nothing. No automatic retries: a job that
    failed stays failed, and the person starts it again."""
    from .services import job_run

    return job_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_jobs() -> dict[str, int]:
    """Every few minutes (Celery beat): fail jobs whose worker was lost, send again the ones the
    broker never got, delete old input files."""
    from .services import jobs_sweep

    return jobs_sweep()
