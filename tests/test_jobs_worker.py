"""End to end with a real Celery worker: a job started here goes through Redis to a worker
process, which reads the stored file, records progress and the result in the database."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.job_handlers import INSPECT_FILE
from jobs.models import Job, JobStatus
from jobs.services import job_start
from jobs.tasks import run_job

pytestmark = [pytest.mark.celery_worker]


def wait_for_finish(job_id, seconds=30.0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {seconds} s")


def test_a_worker_runs_a_job_from_the_stored_file(celery_worker, settings, tmp_path, acme_editor, api):
    settings.MEDIA_ROOT = tmp_path
    celery_worker(MEDIA_ROOT=str(tmp_path))
    upload = SimpleUploadedFile(
        "catalogue.csv", b"\xef\xbb\xbfName;SKU\n" + b"".join(b"P%d;S%d\n" % (n, n) for n in range(500))
    )

    job = job_start(actor=acme_editor, organization=acme_editor.organization, kind=INSPECT_FILE, file=upload)
    job = wait_for_finish(job.pk)

    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.result == {"columns": ["name", "sku"], "rows": 500}
    assert (job.processed_rows, job.total_rows) == (500, 500)
    body = api(acme_editor).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "succeeded" and body["progress"]["percent"] == 100

    # A second delivery of the same task finds the job finished and does nothing. The worker
    # takes one task at a time, in order: once a later job is done, the duplicate was handled.
    finished = job.finished
    run_job.delay(str(job.pk))
    later = job_start(
        actor=acme_editor,
        organization=acme_editor.organization,
        kind=INSPECT_FILE,
        file=SimpleUploadedFile("b.csv", b"a\n1\n"),
    )
    assert wait_for_finish(later.pk).status == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.finished == finished and job.result["rows"] == 500


def test_a_worker_records_an_unreadable_file_as_a_failed_job(celery_worker, settings, tmp_path, acme_editor):
    settings.MEDIA_ROOT = tmp_path
    celery_worker(MEDIA_ROOT=str(tmp_path))
    upload = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    job = job_start(actor=acme_editor, organization=acme_editor.organization, kind=INSPECT_FILE, file=upload)
    job = wait_for_finish(job.pk)

    assert job.status == JobStatus.FAILED
    assert ".xlsx" in job.errors[0]["message"]
