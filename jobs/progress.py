"""Progress of a running job, kept in the cache (Redis in production).

A handler writes its rows inside its own transaction, so progress written to the Job row would
stay invisible to every other connection until the end. The cache is seen at once by the web
processes; the Job row gets the final counts when the job finishes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from .models import JobStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .models import Job

logger = logging.getLogger(__name__)

# A cached entry outlives any job (the sweep fails jobs that run longer than this anyway).
CACHE_TIMEOUT = 24 * 3600


def cache_key(job_id) -> str:
    return f"jobs:progress:{job_id}"


@dataclass(frozen=True)
class ProgressSnapshot:
    processed: int
    total: int | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, int(self.processed * 100 / self.total)))


class Progress:
    """`progress(processed, total=None)`: cheap to call on every row. Writes to the cache at most
    every `interval` seconds (and whenever the total changes or the work is done)."""

    def __init__(self, job_id, *, interval: float = 0.5, clock=time.monotonic):
        self.key = cache_key(job_id)
        self.interval = interval
        self.clock = clock
        self.processed = 0
        self.total: int | None = None
        self._written_at: float | None = None
        self._written: tuple[int, int | None] | None = None
        self._warned = False

    def __call__(self, processed: int, total: int | None = None) -> None:
        self.processed = max(0, int(processed))
        changed_total = total is not None and total != self.total
        if total is not None:
            self.total = max(0, int(total))
        now = self.clock()
        due = self._written_at is None or now - self._written_at >= self.interval
        done = self.total is not None and self.processed >= self.total
        if due or changed_total or done:
            self._write(now)

    def flush(self) -> None:
        self._write(self.clock())

    def _write(self, now: float) -> None:
        value = (self.processed, self.total)
        self._written_at = now
        if value == self._written:
            return
        try:
            cache.set(self.key, {"processed": value[0], "total": value[1]}, CACHE_TIMEOUT)
        except Exception:  # the cache is for show: losing it must never fail an import
            if not self._warned:
                logger.warning("Could not record progress in the cache (%s)", self.key, exc_info=True)
                self._warned = True
            return
        self._written = value

    @property
    def snapshot(self) -> ProgressSnapshot:
        return ProgressSnapshot(self.processed, self.total)


def clear(job_id) -> None:
    try:
        cache.delete(cache_key(job_id))
    except Exception:  # an entry left behind expires on its own
        logger.warning("Could not clear the progress of job %s", job_id, exc_info=True)


def _from_row(job: Job) -> ProgressSnapshot:
    return ProgressSnapshot(job.processed_rows, job.total_rows)


def _from_cache(value) -> ProgressSnapshot | None:
    if not isinstance(value, dict):
        return None
    return ProgressSnapshot(int(value.get("processed") or 0), value.get("total"))


def read_progress(job: Job) -> ProgressSnapshot:
    """From the cache while the job runs, from the row otherwise."""
    return progress_of([job])[job.pk]


def progress_of(jobs: Iterable[Job]) -> dict:
    """{job.pk: ProgressSnapshot} for several jobs, with one cache round trip."""
    jobs = list(jobs)
    running = [job for job in jobs if job.status == JobStatus.RUNNING]
    cached = {}
    if running:
        try:
            cached = cache.get_many([cache_key(job.pk) for job in running])
        except Exception:
            logger.warning("Could not read job progress from the cache", exc_info=True)
    snapshots = {}
    for job in jobs:
        snapshot = None
        if job.status == JobStatus.RUNNING:
            snapshot = _from_cache(cached.get(cache_key(job.pk)))
        snapshots[job.pk] = snapshot or _from_row(job)
    return snapshots
