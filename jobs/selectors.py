"""Reads on jobs for a user: always through `Job.objects.restrict(user, "view")`."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def job_list(*, user: User | AnonymousUser) -> QuerySet[Job]:
    """The jobs `user` may see, newest first."""
    return Job.objects.restrict(user, "view").order_by("-created", "-pk")


def job_get(*, user: User | AnonymousUser, job_id: uuid.UUID | str) -> Job:
    """One job `user` may see; Job.DoesNotExist otherwise (a 404 for the caller)."""
    return job_list(user=user).get(pk=job_id)
