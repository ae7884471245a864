"""Writes on jobs: start one, run it (from the Celery task), sweep the ones that went astray.

The Job row's status, times, counts, errors and result are written here, outside the handler's
transaction: a handler that raises rolls back its own writes, never the record of its failure.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import broker
from core.permissions import require

from . import conf, progress, registry
from .errors import RowError, RowErrors, row_error
from .models import FINISHED_STATUSES, MAX_STORED_ERRORS, Job, JobStatus
from .permissions import JOB_START, JOB_START_FOR_ANY_ORGANIZATION

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Organization, User

logger = logging.getLogger(__name__)

# How many jobs one sweep handles of each sort: the next sweep takes the rest.
SWEEP_BATCH = 200

# What the person reads when a job failed for a reason that is not in their file. Lazy: they are
# rendered in the language of the person who started the job.
UNEXPECTED = gettext_lazy(
    "The job stopped because of an unexpected error. Try again later; if it happens again, tell the platform."
)
TOO_LONG = gettext_lazy("The job took too long and was stopped.")
INTERRUPTED = gettext_lazy(
    "The job was interrupted before it finished. Try again; if it happens again, tell the platform."
)
NEVER_STARTED = gettext_lazy("The job could not be started. Try again; if it happens again, tell the platform.")


# --------------------------------------------------------------------------- starting


@transaction.atomic
def job_start(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    file: File[Any] | IO[bytes] | None = None,
    params: dict[str, Any] | None = None,
    filename: str | None = None,
) -> Job:
    """Save the job (and its input file, in private storage) and run it in the background once
    the transaction commits. The caller checks that `actor` may do this kind of work; this checks
    that the job belongs to the actor's own organization (any, for a platform admin)."""
    registry.get_handler(kind)  # an unknown kind is a programming error: UnknownJobKind
    require(actor, JOB_START)
    own = actor.organization
    if own is None or own.pk != organization.pk:
        require(actor, JOB_START_FOR_ANY_ORGANIZATION)

    job = Job(kind=kind, created_by=actor, organization=organization, params=params or {})
    if file is not None:
        name = PurePath(filename or getattr(file, "name", "") or "upload").name[:255]
        size = getattr(file, "size", None)
        if size is not None and size > conf.max_file_size():
            raise ValidationError(
                {"file": _("The file is too large (at most %(size)d MB).") % {"size": conf.max_file_size() // 2**20}}
            )
        if not isinstance(file, File):
            file = File(file, name=name)
        job.filename = name
        job.file.save(name, file, save=False)
    job.save()
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: UUID) -> None:
    from .tasks import run_job

    # With the broker down the job is saved all the same: the sweep sends it once it is back.
    broker.send(run_job, str(job_id), then="The job sweep sends it again.")


# --------------------------------------------------------------------------- running


def job_run(*, job_id: UUID | str) -> str | None:
    """Run a queued job once: claim it (queued → running) with a conditional UPDATE, so a
    duplicate delivery of the task does nothing, call its handler, record the outcome. Returns
    the final status, or None when the job was not queued."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started=timezone.now()
    )
    if not claimed:
        logger.info("Job %s is not queued (any more): nothing to do", job_id)
        return None
    job = Job.objects.select_related("created_by", "organization").get(pk=job_id)
    tracker = progress.Progress(job.pk)
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            handler = registry.get_handler(job.kind)
            result = handler(job, tracker)
        except RowErrors as error:
            return _finish(job, tracker, JobStatus.FAILED, errors=error.errors, error_count=error.total)
        except ValidationError as error:
            errors = validation_errors(error)
            return _finish(job, tracker, JobStatus.FAILED, errors=errors, error_count=len(errors))
        except SoftTimeLimitExceeded:
            logger.error("Job %s (%s) ran past its time limit", job.pk, job.kind)
            return _finish(job, tracker, JobStatus.FAILED, errors=[row_error(None, "", TOO_LONG)], error_count=1)
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            return _finish(job, tracker, JobStatus.FAILED, errors=[row_error(None, "", UNEXPECTED)], error_count=1)
        if result is None:
            result = {}
        if not isinstance(result, dict):
            logger.error("The handler of %s returned %r, not a dict", job.kind, type(result))
            result = {}
        return _finish(job, tracker, JobStatus.SUCCEEDED, result=result)


def _finish(
    job: Job,
    tracker: progress.Progress,
    status: str,
    *,
    errors: list[RowError] | None = None,
    error_count: int = 0,
    result: dict[str, Any] | None = None,
) -> str:
    """Record the outcome, on the condition that the job still runs (the sweep may have failed it
    if the worker was thought lost)."""
    snapshot = tracker.snapshot
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status,
        finished=timezone.now(),
        processed_rows=snapshot.processed,
        total_rows=snapshot.total,
        errors=(errors or [])[:MAX_STORED_ERRORS],
        error_count=error_count,
        result=result or {},
    )
    progress.clear(job.pk)
    if not updated:
        logger.warning("Job %s finished (%s) after it was no longer marked as running", job.pk, status)
        return Job.objects.values_list("status", flat=True).get(pk=job.pk)
    return status


def validation_errors(error: ValidationError) -> list[RowError]:
    """A Django ValidationError as row errors: a field name becomes the column; a `row` in an
    error's params becomes its row (None: the file as a whole)."""
    found: list[RowError] = []
    groups = error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
    for field, items in groups:
        column = "" if field == NON_FIELD_ERRORS else field
        for item in items:
            row = (item.params or {}).get("row") if isinstance(item.params, dict) else None
            found.extend(row_error(row if isinstance(row, int) else None, column, text) for text in item)
    return found


# --------------------------------------------------------------------------- the sweep


def jobs_sweep() -> dict[str, int]:
    """Periodic repairs: fail jobs whose worker was lost, send again jobs that never reached the
    broker, fail jobs queued for too long, delete old input files. Safe to run at any time and
    on several processes at once (each change is a conditional UPDATE)."""
    now = timezone.now()
    counts = {"failed_running": 0, "requeued": 0, "failed_queued": 0, "files_deleted": 0}

    stale = Job.objects.filter(status=JobStatus.RUNNING, started__lt=now - conf.stale_after())
    for job in stale.select_related("created_by")[:SWEEP_BATCH]:
        if _fail(job, JobStatus.RUNNING, INTERRUPTED, started__lt=now - conf.stale_after()):
            logger.error("Job %s (%s) was still running after %s: marked failed", job.pk, job.kind, job.started)
            counts["failed_running"] += 1

    expired = Job.objects.filter(status=JobStatus.QUEUED, created__lt=now - conf.expire_queued_after())
    for job in expired.select_related("created_by")[:SWEEP_BATCH]:
        if _fail(job, JobStatus.QUEUED, NEVER_STARTED):
            logger.error("Job %s (%s) was never started: marked failed", job.pk, job.kind)
            counts["failed_queued"] += 1

    waiting = Job.objects.filter(
        status=JobStatus.QUEUED,
        created__lt=now - conf.requeue_after(),
        created__gte=now - conf.expire_queued_after(),
    ).order_by("created")
    for job_id in waiting.values_list("pk", flat=True)[:SWEEP_BATCH]:
        _enqueue(job_id)
        counts["requeued"] += 1

    old = (
        Job.objects.filter(status__in=FINISHED_STATUSES, finished__lt=now - conf.keep_files_for())
        .exclude(file="")
        .order_by("finished")
    )
    for job in old.only("pk", "file")[:SWEEP_BATCH]:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
        counts["files_deleted"] += 1
    return counts


def _fail(job: Job, current: str, message: StrOrPromise, **conditions: Any) -> bool:
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        error = row_error(None, "", message)
    updated = Job.objects.filter(pk=job.pk, status=current, **conditions).update(
        status=JobStatus.FAILED, finished=timezone.now(), errors=[error], error_count=1
    )
    if updated:
        progress.clear(job.pk)
    return bool(updated)
