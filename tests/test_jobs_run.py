"""Starting and running jobs in-process: the registry, job_start, the run_job task and how each
outcome is recorded (success, row errors rolled back, unexpected errors, duplicates)."""

from __future__ import annotations

import logging

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from kombu.exceptions import OperationalError

from accounts.models import Organization, OrganizationKind
from jobs import registry, services, tasks
from jobs.errors import ErrorList, RowErrors
from jobs.job_handlers import INSPECT_FILE
from jobs.models import MAX_STORED_ERRORS, Job, JobStatus
from jobs.services import job_start

from . import test_jobs_support as support
from .test_jobs_support import csv_upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the jobs tests.
job_kind = support.job_kind
private_media = support.private_media
run_job = support.run_job


def test_a_job_runs_after_commit_and_records_its_result(acme_editor, job_kind, run_job):
    seen = {}

    def handler(job, progress):
        seen["status"] = Job.objects.get(pk=job.pk).status
        with job.file.open("rb") as stream:
            seen["content"] = stream.read()
        progress(3, 3)
        return {"created": 3}

    job = run_job(acme_editor, job_kind(handler), file=csv_upload("sku\nA\nB\nC\n"), params={"brand": 7})

    assert seen == {"status": JobStatus.RUNNING, "content": b"sku\nA\nB\nC\n"}
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"created": 3}
    assert (job.processed_rows, job.total_rows) == (3, 3)
    assert job.errors == [] and job.error_count == 0
    assert job.created_by == acme_editor and job.organization == acme_editor.organization
    assert job.params == {"brand": 7}
    assert job.started is not None and job.finished >= job.started


def test_nothing_runs_before_the_transaction_commits(
    acme_editor, job_kind, private_media, django_capture_on_commit_callbacks
):
    calls = []
    kind = job_kind(lambda job, progress: calls.append(job.pk) or {})

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(actor=acme_editor, organization=acme_editor.organization, kind=kind)

    assert calls == [] and len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    callbacks[0]()
    assert calls == [job.pk]
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


def test_the_stored_file_is_private_and_keeps_the_original_name_apart(acme_editor, job_kind, run_job):
    job = run_job(
        acme_editor, job_kind(lambda job, progress: {}), file=csv_upload("a\n1\n", name="../../Évil name.CSV")
    )

    assert job.filename == "Évil name.CSV"
    assert job.file.name == f"jobs/{job.created:%Y/%m}/{job.pk}.csv"
    assert job.file.storage.exists(job.file.name)


def test_row_errors_fail_the_job_and_roll_back_its_writes(acme_editor, job_kind, run_job):
    def handler(job, progress):
        errors = ErrorList()
        with transaction.atomic():
            Organization.objects.create(name="Written then undone", kind=OrganizationKind.RIGHT_HOLDER, country="FR")
            progress(2, 2)
            errors.add(2, "gtin", "Bad check digit.")
            errors.add(3, "sku", "A SKU is required.")
            errors.raise_if_any()
        return {"created": 1}

    job = run_job(acme_editor, job_kind(handler))

    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"row": 2, "column": "gtin", "message": "Bad check digit."},
        {"row": 3, "column": "sku", "message": "A SKU is required."},
    ]
    assert job.error_count == 2
    assert job.result == {}
    assert (job.processed_rows, job.total_rows) == (2, 2)
    assert not Organization.objects.filter(name="Written then undone").exists()


def test_stored_errors_are_capped_but_all_are_counted(acme_editor, job_kind, run_job):
    def handler(job, progress):
        errors = ErrorList()
        for row in range(2, 5002):
            errors.add(row, "name", "Required.")
        errors.raise_if_any()

    job = run_job(acme_editor, job_kind(handler))

    assert job.status == JobStatus.FAILED
    assert len(job.errors) == MAX_STORED_ERRORS
    assert job.error_count == 5000
    assert job.errors[0] == {"row": 2, "column": "name", "message": "Required."}


def test_row_errors_accept_plain_dicts():
    error = RowErrors([{"row": 4, "column": "sku", "message": "Taken."}], total=12)
    assert error.errors == [{"row": 4, "column": "sku", "message": "Taken."}]
    assert error.total == 12


def test_an_unexpected_exception_fails_the_job_with_a_generic_message(acme_editor, job_kind, run_job, caplog):
    def handler(job, progress):
        raise KeyError("secret internal detail")

    with caplog.at_level(logging.ERROR, logger="jobs.services"):
        job = run_job(acme_editor, job_kind(handler))

    assert job.status == JobStatus.FAILED
    assert job.error_count == 1
    [error] = job.errors
    assert error["row"] is None and error["column"] == ""
    assert "unexpected error" in error["message"]
    assert "secret" not in error["message"]
    assert job.finished is not None
    assert "secret internal detail" in caplog.text  # logged for the platform, with the traceback


def test_a_validation_error_is_shown_to_the_person(acme_editor, job_kind, run_job):
    def handler(job, progress):
        raise ValidationError(
            {
                "brand": ["The brand no longer exists."],
                "__all__": [ValidationError("Row %(row)d is broken.", params={"row": 9})],
            }
        )

    job = run_job(acme_editor, job_kind(handler))

    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"row": None, "column": "brand", "message": "The brand no longer exists."},
        {"row": 9, "column": "", "message": "Row 9 is broken."},
    ]
    assert job.error_count == 2


def test_a_job_past_its_soft_time_limit_fails(acme_editor, job_kind, run_job):
    def handler(job, progress):
        raise SoftTimeLimitExceeded()

    job = run_job(acme_editor, job_kind(handler))

    assert job.status == JobStatus.FAILED
    assert "too long" in job.errors[0]["message"]


def test_a_handler_that_returns_nothing_succeeds_with_an_empty_result(acme_editor, job_kind, run_job):
    job = run_job(acme_editor, job_kind(lambda job, progress: None))
    assert job.status == JobStatus.SUCCEEDED and job.result == {}


def test_the_handler_runs_in_the_language_of_the_person_who_started_it(acme_editor, job_kind, run_job):
    acme_editor.language = "fr"
    acme_editor.save()
    languages = []

    job = run_job(acme_editor, job_kind(lambda job, progress: languages.append(translation.get_language()) or {}))

    assert job.status == JobStatus.SUCCEEDED
    assert languages == ["fr"]


def test_a_duplicate_delivery_does_nothing(acme_editor, job_kind, run_job):
    calls = []

    def handler(job, progress):
        calls.append(job.pk)
        return {"n": len(calls)}

    job = run_job(acme_editor, job_kind(handler))
    finished = job.finished

    assert tasks.run_job.apply(args=[str(job.pk)]).get() is None
    assert services.job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert calls == [job.pk]
    assert job.result == {"n": 1} and job.finished == finished


def test_a_running_job_is_not_claimed_twice(acme_editor, job_kind, private_media):
    calls = []
    kind = job_kind(lambda job, progress: calls.append(1) or {})
    job = Job.objects.create(kind=kind, created_by=acme_editor, organization=acme_editor.organization)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    assert services.job_run(job_id=job.pk) is None
    assert calls == []


def test_an_unknown_job_id_is_a_no_op():
    assert services.job_run(job_id="00000000-0000-0000-0000-000000000000") is None


def test_job_start_refuses_an_unknown_kind(acme_editor):
    with pytest.raises(registry.UnknownJobKind):
        job_start(actor=acme_editor, organization=acme_editor.organization, kind="no.such.kind")
    assert not Job.objects.exists()


def test_job_start_refuses_another_organization(acme_editor, globex, job_kind):
    with pytest.raises(PermissionDenied):
        job_start(actor=acme_editor, organization=globex, kind=job_kind(lambda job, progress: {}))
    assert not Job.objects.exists()


def test_a_platform_admin_may_start_a_job_for_any_organization(platform_admin, acme, job_kind, run_job):
    job = run_job(platform_admin, job_kind(lambda job, progress: {}), organization=acme)
    assert job.status == JobStatus.SUCCEEDED and job.organization == acme


def test_job_start_refuses_a_file_that_is_too_large(acme_editor, job_kind, settings, private_media):
    settings.JOBS_MAX_FILE_SIZE = 10
    with pytest.raises(ValidationError) as refused:
        job_start(
            actor=acme_editor,
            organization=acme_editor.organization,
            kind=job_kind(lambda job, progress: {}),
            file=csv_upload("a,b\n1,2\n3,4\n"),
        )
    assert "file" in refused.value.message_dict
    assert not Job.objects.exists()


def test_a_kind_has_one_handler():
    def first(job, progress):
        return {}

    def second(job, progress):
        return {}

    registry.register("tests.one-handler")(first)
    try:
        registry.register("tests.one-handler")(first)  # the same again: fine (a module imported twice)
        with pytest.raises(ImproperlyConfigured):
            registry.register("tests.one-handler")(second)
    finally:
        registry.unregister("tests.one-handler")
    assert not registry.is_registered("tests.one-handler")


def test_handlers_of_installed_apps_are_discovered():
    assert registry.is_registered(INSPECT_FILE)
    assert registry.kind_label(INSPECT_FILE) == "File check"
    assert registry.kind_label("not.registered") == "not.registered"


def test_the_file_check_job_counts_rows_and_columns(acme_editor, run_job):
    job = run_job(acme_editor, INSPECT_FILE, file=csv_upload("Name;SKU\nA;1\n\nB;2\n"))
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"columns": ["name", "sku"], "rows": 2}
    assert (job.processed_rows, job.total_rows) == (2, 2)


def test_the_file_check_job_reports_an_unreadable_file(acme_editor, run_job):
    job = run_job(acme_editor, INSPECT_FILE, file=csv_upload("", name="empty.csv"))
    assert job.status == JobStatus.FAILED
    assert job.errors == [{"row": None, "column": "", "message": "The file is empty."}]


def test_when_the_broker_is_down_the_job_stays_queued_for_the_sweep(
    acme_editor, job_kind, private_media, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.run_job, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="core.broker"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = job_start(
            actor=acme_editor, organization=acme_editor.organization, kind=job_kind(lambda job, progress: {})
        )

    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert "Could not send jobs.tasks.run_job" in caplog.text
