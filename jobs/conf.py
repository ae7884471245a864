"""Limits of the jobs app. Each can be overridden by a setting of the same name."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def _seconds(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# Celery's limits for one job: SoftTimeLimitExceeded is raised in the handler at the soft limit
# (its transaction rolls back and the job fails); the worker process is killed at the hard one.
JOBS_SOFT_TIME_LIMIT = _seconds("JOBS_SOFT_TIME_LIMIT", 30 * 60)
JOBS_TIME_LIMIT = _seconds("JOBS_TIME_LIMIT", JOBS_SOFT_TIME_LIMIT + 60)


def stale_after() -> timedelta:
    """A job running longer than this lost its worker (killed, out of memory, hard time limit):
    the sweep fails it."""
    return timedelta(seconds=_seconds("JOBS_STALE_AFTER", JOBS_TIME_LIMIT + 5 * 60))


def requeue_after() -> timedelta:
    """A job still queued after this may never have reached the broker (down at commit): the
    sweep sends it again (a duplicate is harmless: only one run claims the job)."""
    return timedelta(seconds=_seconds("JOBS_REQUEUE_AFTER", 10 * 60))


def expire_queued_after() -> timedelta:
    """A job queued this long will not run any more: the sweep fails it."""
    return timedelta(seconds=_seconds("JOBS_EXPIRE_QUEUED_AFTER", 24 * 3600))


def keep_files_for() -> timedelta:
    """Input files of finished jobs are deleted after this."""
    return timedelta(seconds=_seconds("JOBS_KEEP_FILES_FOR", 7 * 24 * 3600))


def max_file_size() -> int:
    return _seconds("JOBS_MAX_FILE_SIZE", 50 * 1024 * 1024)
