"""Fixtures shared by the jobs tests (imported by the test_jobs_* modules; no tests here)."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs import registry
from jobs.models import Job
from jobs.services import job_start


@pytest.fixture
def private_media(settings, tmp_path):
    """Stored files go to a temporary MEDIA_ROOT, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def job_kind():
    """job_kind(handler) -> a fresh kind registered for `handler`, forgotten after the test."""
    kinds = []

    def make(handler, label=None) -> str:
        kind = f"tests.{uuid.uuid4().hex[:12]}"
        registry.register(kind, label=label)(handler)
        kinds.append(kind)
        return kind

    yield make
    for kind in kinds:
        registry.unregister(kind)


@pytest.fixture
def run_job(django_capture_on_commit_callbacks, private_media):
    """run_job(actor, kind, file=None, **kwargs) -> the Job, started with job_start and run by the
    (eager) task once the transaction "commits"; reloaded from the database."""

    def run(actor, kind, *, organization=None, file=None, params=None) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(
                actor=actor,
                organization=organization or actor.organization,
                kind=kind,
                file=file,
                params=params,
            )
        return Job.objects.get(pk=job.pk)

    return run


def csv_upload(text: str, name: str = "products.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
