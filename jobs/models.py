"""Long-running background work with progress: one Job row per run (an import, an export...).

The row records what was asked (kind, input file, params), who asked, and the outcome (status,
row counts, row errors, result). Progress while a job runs lives in the cache (see
`jobs.progress`): the handler's own transaction would hide progress written to this row.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import Scope, ScopedQuerySet

# The most row errors kept on a job; `error_count` says how many there were in all.
MAX_STORED_ERRORS = 1000


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


def job_input_path(job: Job, filename: str) -> str:
    """Private storage path: under jobs/, named by the job's unguessable id, never by what the
    uploader called the file (kept apart in `Job.filename`). Only the extension survives."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    return f"jobs/{job.created:%Y/%m}/{job.pk}{suffix}"


class JobQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> JobQuerySet:
        """Jobs a person may see: their own, their organization's, and every job for platform
        admins. Nothing for anyone without access (anonymous, pending, suspended)."""
        if scope.is_platform:
            return self.all()
        # The person's current organization's jobs (their own included): someone who moved or
        # was removed no longer sees what they started elsewhere.
        if scope.organization_id is None:
            return self.none()
        return self.filter(organization_id=scope.organization_id)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organization"), on_delete=models.CASCADE, related_name="jobs"
    )
    file = models.FileField(_("input file"), upload_to=job_input_path, max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    total_rows = models.PositiveIntegerField(_("total rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    # [{"row": int | None, "column": str, "message": str}], at most MAX_STORED_ERRORS of them.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("error count"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["organization", "-created"], name="job_org_created"),
            models.Index(fields=["created_by", "-created"], name="job_creator_created"),
            # The sweep: running jobs by start time, queued jobs by creation time.
            models.Index(fields=["status", "started"], name="job_status_started"),
            models.Index(fields=["status", "created"], name="job_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"job_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES
