"""Reads on jobs for a user: always through `Job.objects.visible_to(user)`."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Job


def job_list(*, user) -> QuerySet[Job]:
    """The jobs `user` may see, newest first."""
    return Job.objects.visible_to(user).order_by("-created", "-pk")


def job_get(*, user, job_id) -> Job:
    """One job `user` may see; Job.DoesNotExist otherwise (a 404 for the caller)."""
    return job_list(user=user).get(pk=job_id)
