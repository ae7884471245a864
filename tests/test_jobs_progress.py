"""Progress: recorded cheaply in the cache while the handler's transaction hides its writes,
read by the API while the job runs, and from the Job row once it is finished."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from jobs import progress as progress_module
from jobs.models import Job, JobStatus
from jobs.progress import Progress, cache_key

from . import test_jobs_support as support

pytestmark = pytest.mark.django_db

# Fixtures shared by the jobs tests.
job_kind = support.job_kind
private_media = support.private_media
run_job = support.run_job


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def cached(job_id):
    return cache.get(cache_key(job_id))


def test_progress_writes_at_most_every_half_second():
    clock = Clock()
    progress = Progress("j1", clock=clock)

    progress(1)
    assert cached("j1") == {"processed": 1, "total": None}
    for processed in range(2, 1000):
        progress(processed)
    assert cached("j1") == {"processed": 1, "total": None}  # same instant: no more writes

    clock.now += 0.5
    progress(1000)
    assert cached("j1") == {"processed": 1000, "total": None}


def test_a_new_total_and_the_last_row_are_written_at_once():
    clock = Clock()
    progress = Progress("j2", clock=clock)
    progress(0, 500)
    progress(10, 500)
    assert cached("j2") == {"processed": 0, "total": 500}
    progress(10, 600)  # the total changed
    assert cached("j2") == {"processed": 10, "total": 600}
    progress(600)  # done
    assert cached("j2") == {"processed": 600, "total": 600}
    assert progress.snapshot.percent == 100


class CountingCache:
    def __init__(self):
        self.writes = []

    def set(self, *args, **kwargs):
        self.writes.append(args)


class BrokenCache:
    def __getattr__(self, name):
        def broken(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return broken


def test_writes_per_job_are_few_whatever_the_number_of_rows(monkeypatch):
    counting = CountingCache()
    monkeypatch.setattr(progress_module, "cache", counting)
    clock = Clock()
    progress = Progress("j3", clock=clock)
    for processed in range(1, 50_001):
        clock.now += 0.0001  # 50,000 rows in 5 seconds
        progress(processed, 50_000)
    assert 10 <= len(counting.writes) <= 12


def test_a_broken_cache_never_fails_the_job(acme_editor, api, job_kind, run_job, monkeypatch):
    monkeypatch.setattr(progress_module, "cache", BrokenCache())

    def handler(job, progress):
        for processed in range(1, 101):
            progress(processed, 100)
        return {"ok": True}

    job = run_job(acme_editor, job_kind(handler))
    assert job.status == JobStatus.SUCCEEDED
    assert (job.processed_rows, job.total_rows) == (100, 100)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert api(acme_editor).get(f"/api/v1/jobs/{job.pk}/").json()["progress"]["processed"] == 100


def test_the_api_shows_progress_while_the_job_runs(acme_editor, acme_viewer, api, job_kind, run_job):
    client = api(acme_viewer)  # someone else of the organization follows the import
    seen = {}

    def handler(job, progress):
        with transaction.atomic():
            progress(40, 100)
            seen["detail"] = client.get(f"/api/v1/jobs/{job.pk}/").json()
            seen["list"] = client.get("/api/v1/jobs/").json()["results"][0]
            seen["row"] = Job.objects.values_list("processed_rows", "total_rows").get(pk=job.pk)
            progress(100)
        return {"created": 100}

    job = run_job(acme_editor, job_kind(handler))

    assert seen["detail"]["status"] == "running"
    assert seen["detail"]["progress"] == {"processed": 40, "total": 100, "percent": 40}
    assert seen["list"]["progress"] == {"processed": 40, "total": 100, "percent": 40}
    assert seen["row"] == (0, None)  # the cache, not the row, carried it

    body = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded"
    assert body["progress"] == {"processed": 100, "total": 100, "percent": 100}
    assert cached(job.pk) is None  # the row holds the final figures now


def test_finished_jobs_ignore_a_stale_cache_entry(acme_editor, api, job_kind, run_job):
    job = run_job(acme_editor, job_kind(lambda job, progress: progress(5, 5) or {}))
    cache.set(cache_key(job.pk), {"processed": 1, "total": 9})

    body = api(acme_editor).get(f"/api/v1/jobs/{job.pk}/").json()

    assert body["progress"] == {"processed": 5, "total": 5, "percent": 100}


def test_a_running_job_without_cached_progress_shows_the_row(acme_editor, api, private_media):
    job = Job.objects.create(
        kind="x", created_by=acme_editor, organization=acme_editor.organization, status=JobStatus.RUNNING
    )
    body = api(acme_editor).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["progress"] == {"processed": 0, "total": None, "percent": None}
