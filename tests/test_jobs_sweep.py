"""The periodic sweep: jobs whose worker was lost are failed, jobs the broker never got are
sent again, jobs queued for too long are failed, and old input files are deleted."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from jobs import conf, tasks
from jobs.models import Job, JobStatus
from jobs.progress import cache_key
from jobs.services import jobs_sweep

from . import test_jobs_support as support
from .test_jobs_support import csv_upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the jobs tests.
job_kind = support.job_kind
private_media = support.private_media
run_job = support.run_job


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def make_job(user, kind="tests.plain", **fields) -> Job:
    return Job.objects.create(kind=kind, created_by=user, organization=user.organization, **fields)


def test_the_sweep_is_scheduled():
    assert django_settings.CELERY_BEAT_SCHEDULE["sweep-jobs"]["task"] == "jobs.tasks.sweep_jobs"


def test_a_job_running_past_its_limits_is_failed(acme_editor, private_media):
    lost = make_job(acme_editor, status=JobStatus.RUNNING, started=ago(seconds=conf.JOBS_TIME_LIMIT + 6 * 60))
    busy = make_job(acme_editor, status=JobStatus.RUNNING, started=ago(minutes=1))
    cache.set(cache_key(lost.pk), {"processed": 10, "total": None})

    counts = tasks.sweep_jobs.apply().get()

    assert counts["failed_running"] == 1
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.status == JobStatus.FAILED and lost.finished is not None
    assert "interrupted" in lost.errors[0]["message"] and lost.error_count == 1
    assert cache.get(cache_key(lost.pk)) is None
    assert busy.status == JobStatus.RUNNING


def test_the_stale_limit_is_a_setting(acme_editor, settings, private_media):
    settings.JOBS_STALE_AFTER = 60
    job = make_job(acme_editor, status=JobStatus.RUNNING, started=ago(minutes=2))
    jobs_sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_job_the_broker_never_got_is_sent_again(acme_editor, job_kind, private_media):
    calls = []
    kind = job_kind(lambda job, progress: calls.append(job.pk) or {"ok": True})
    waiting = make_job(acme_editor, kind=kind, created=ago(minutes=15))
    fresh = make_job(acme_editor, kind=kind, created=ago(minutes=1))

    counts = jobs_sweep()  # tasks run in-process in the tests

    assert counts["requeued"] == 1
    assert calls == [waiting.pk]
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.status == JobStatus.SUCCEEDED
    assert fresh.status == JobStatus.QUEUED


def test_a_job_queued_for_a_day_is_failed(acme_editor, private_media):
    job = make_job(acme_editor, created=ago(hours=25))
    counts = jobs_sweep()
    job.refresh_from_db()
    assert counts["failed_queued"] == 1 and counts["requeued"] == 0
    assert job.status == JobStatus.FAILED
    assert "could not be started" in job.errors[0]["message"]


def test_the_failure_is_told_in_the_language_of_the_person_who_started_the_job(acme_editor, private_media):
    from django.utils import translation

    acme_editor.language = "fr"
    acme_editor.save()
    job = make_job(acme_editor, status=JobStatus.RUNNING, started=ago(days=1))
    jobs_sweep()
    job.refresh_from_db()
    with translation.override("fr"):
        from jobs.services import INTERRUPTED

        assert job.errors[0]["message"] == str(INTERRUPTED)


def test_old_input_files_are_deleted(acme_editor, job_kind, run_job):
    kind = job_kind(lambda job, progress: {})
    old = run_job(acme_editor, kind, file=csv_upload("a\n1\n"))
    recent = run_job(acme_editor, kind, file=csv_upload("a\n2\n"))
    Job.objects.filter(pk=old.pk).update(finished=ago(days=8))
    storage, old_name = old.file.storage, old.file.name

    counts = jobs_sweep()

    assert counts["files_deleted"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not storage.exists(old_name)
    assert recent.file and storage.exists(recent.file.name)


def test_finished_jobs_are_left_alone(acme_editor, private_media):
    done = make_job(acme_editor, status=JobStatus.SUCCEEDED, started=ago(days=2), finished=ago(days=2))
    jobs_sweep()
    done.refresh_from_db()
    assert done.status == JobStatus.SUCCEEDED and done.errors == []


def test_a_late_finish_does_not_overwrite_the_sweeps_verdict(acme_editor, job_kind, private_media):
    from jobs.services import job_run

    def handler(job, progress):
        # The worker was thought lost while the handler still ran.
        Job.objects.filter(pk=job.pk).update(started=ago(days=1))
        jobs_sweep()
        return {"late": True}

    job = make_job(acme_editor, kind=job_kind(handler))
    assert job_run(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result == {}
