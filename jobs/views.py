"""Pages for jobs: the caller's list, and one job with its progress and row errors.

Scoped by `Job.objects.restrict(user, "view")`: a job that is not visible answers 404.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from core.gate import scoped

from .models import JobStatus
from .progress import progress_of, read_progress
from .registry import kind_label
from .selectors import job_list

PAGE_SIZE = 25
# While a job is queued or running its page reloads itself this often (a `Refresh` header:
# no script needed, and base.html has no block for a <meta> in the head).
REFRESH_SECONDS = 2


@scoped
def job_list_page(request):
    jobs = job_list(user=request.user).defer("errors", "params")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    jobs = list(page)  # evaluates the page once; the template iterates the same objects
    snapshots = progress_of(jobs)
    for job in jobs:
        job.kind_label = kind_label(job.kind)
        job.progress = snapshots[job.pk]
    return render(request, "jobs/job_list.html", {"page": page})


@scoped
def job_detail(request, job_id):
    job = get_object_or_404(job_list(user=request.user), pk=job_id)
    job.kind_label = kind_label(job.kind)
    progress = read_progress(job)
    context = {
        "job": job,
        "progress": progress,
        "percent": 100 if job.status == JobStatus.SUCCEEDED else progress.percent,
        "refresh_seconds": REFRESH_SECONDS if not job.is_finished else None,
    }
    response = render(request, "jobs/job_detail.html", context)
    if not job.is_finished:
        response["Refresh"] = str(REFRESH_SECONDS)
    add_never_cache_headers(response)  # the page shows live state: never from a cache
    return response
