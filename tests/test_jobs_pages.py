"""The job pages: /jobs/ and /jobs/<id>/ with status, a progress bar, the error table and a
self-refresh while the job is queued or running; same scoping as the API."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from jobs.models import Job, JobStatus
from jobs.progress import cache_key

from . import test_jobs_support as support
from .matrix import ACME_MEMBERS, ANONYMOUS, PERSONAS, SIGN_IN, Matrix

pytestmark = pytest.mark.django_db

# Fixtures shared by the jobs tests.
private_media = support.private_media

BACKEND = "django.contrib.auth.backends.ModelBackend"
# A job of Acme's is seen by Acme's members and platform admins, as in the API.
ACME_JOB = Matrix(readers=ACME_MEMBERS | {"platform_admin"}, writers=(), anonymous=SIGN_IN)


def make_job(user, **fields) -> Job:
    return Job.objects.create(
        kind="jobs.inspect_file", created_by=user, organization=user.organization, filename="catalogue.csv", **fields
    )


@pytest.fixture
def failed_job(acme_editor, private_media):
    return make_job(
        acme_editor,
        status=JobStatus.FAILED,
        processed_rows=3,
        total_rows=3,
        errors=[
            {"row": 2, "column": "gtin", "message": "4006381333932 has a wrong check digit."},
            {"row": None, "column": "", "message": "<script>alert(1)</script>"},
        ],
        error_count=2,
    )


def test_a_failed_job_shows_its_errors(client, acme_editor, failed_job):
    client.force_login(acme_editor, backend=BACKEND)
    response = client.get(f"/jobs/{failed_job.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "File check" in html and "catalogue.csv" in html
    assert "Failed" in html
    assert '<progress id="job-progress" max="100" value="100">' in html
    assert "4006381333932 has a wrong check digit." in html
    assert "<td>gtin</td>" in html and "<td>2</td>" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "Refresh" not in response  # finished: nothing to wait for
    assert "no-cache" in response["Cache-Control"]


def test_a_running_job_refreshes_itself_and_shows_live_progress(client, acme_viewer, acme_editor, private_media):
    job = make_job(acme_editor, status=JobStatus.RUNNING)
    cache.set(cache_key(job.pk), {"processed": 250, "total": 1000})
    client.force_login(acme_viewer, backend=BACKEND)

    response = client.get(f"/jobs/{job.pk}/")

    assert response.status_code == 200
    assert response["Refresh"] == "2"
    html = response.content.decode()
    assert '<progress id="job-progress" max="100" value="25">' in html
    assert "250 of 1000 rows" in html
    assert "refreshes itself every 2 seconds" in html


def test_a_queued_job_without_a_total_shows_an_indeterminate_bar(client, acme_editor, private_media):
    job = make_job(acme_editor)
    client.force_login(acme_editor, backend=BACKEND)
    response = client.get(f"/jobs/{job.pk}/")
    assert response["Refresh"] == "2"
    assert '<progress id="job-progress">' in response.content.decode()


def test_a_succeeded_job_shows_its_result(client, acme_editor, private_media):
    job = make_job(acme_editor, status=JobStatus.SUCCEEDED, processed_rows=12, result={"rows": 12})
    client.force_login(acme_editor, backend=BACKEND)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<dt>rows</dt><dd>12</dd>" in html
    assert 'value="100"' in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_job_page(client, request, failed_job, persona):
    if persona != ANONYMOUS:
        client.force_login(request.getfixturevalue(persona), backend=BACKEND)
    response = client.get(f"/jobs/{failed_job.pk}/")
    assert response.status_code == ACME_JOB.status(persona, write=False)
    listing = client.get("/jobs/")
    if persona == ANONYMOUS:
        for sent in (response, listing):
            assert sent.status_code == SIGN_IN
            assert sent["Location"].startswith("/accounts/login/")
        return
    listed = listing.context["page"].object_list
    assert (failed_job in listed) == (persona in ACME_JOB.readers)


def test_the_list_page_links_to_each_job(
    client, acme_editor, failed_job, private_media, django_assert_max_num_queries
):
    for _ in range(10):
        make_job(acme_editor, status=JobStatus.SUCCEEDED)
    client.force_login(acme_editor, backend=BACKEND)
    with django_assert_max_num_queries(10):
        response = client.get("/jobs/")
    assert response.status_code == 200
    assert f'href="/jobs/{failed_job.pk}/"' in response.content.decode()
    assert "11 jobs" in response.content.decode()


def test_the_page_is_translated(client, acme_editor, failed_job):
    acme_editor.language = "fr"
    acme_editor.save()
    client.force_login(acme_editor, backend=BACKEND)
    response = client.get(f"/jobs/{failed_job.pk}/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
