"""GET /api/v1/jobs/ and /api/v1/jobs/{id}/: the shape, and who sees which job.

A job is visible to the person who started it, to the members of its organization and to
platform admins; to anyone else it does not exist (404)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus

from . import test_jobs_support as support
from .matrix import ACME_MEMBERS, ANONYMOUS, PERSONAS, UNAUTHENTICATED, Matrix

pytestmark = pytest.mark.django_db

# acme_job, started by Acme's editor: seen by its organization (the editor who started it
# included) and platform admins.
ACME_JOB = Matrix(readers=ACME_MEMBERS | {"platform_admin"}, writers=(), anonymous=UNAUTHENTICATED)

# Fixtures shared by the jobs tests.
job_kind = support.job_kind
private_media = support.private_media
run_job = support.run_job


@pytest.fixture
def acme_job(acme_editor, job_kind, run_job):
    def handler(job, progress):
        progress(2, 2)
        return {"created": 2}

    return run_job(acme_editor, job_kind(handler))


def make_job(user, **fields) -> Job:
    return Job.objects.create(kind="tests.plain", created_by=user, organization=user.organization, **fields)


def test_the_job_body(api, acme_editor, acme_job):
    body = api(acme_editor).get(f"/api/v1/jobs/{acme_job.pk}/").json()

    assert set(body) == {
        "id",
        "kind",
        "status",
        "progress",
        "errors",
        "error_count",
        "result",
        "created",
        "started",
        "finished",
    }
    assert body["id"] == str(acme_job.pk)
    assert body["status"] == "succeeded"
    assert body["progress"] == {"processed": 2, "total": 2, "percent": 100}
    assert body["errors"] == [] and body["error_count"] == 0
    assert body["result"] == {"created": 2}
    assert body["created"] and body["started"] and body["finished"]


def test_a_failed_job_shows_its_row_errors(api, acme_editor, private_media):
    job = make_job(
        acme_editor,
        status=JobStatus.FAILED,
        errors=[{"row": 3, "column": "gtin", "message": "Bad check digit."}],
        error_count=1,
    )
    body = api(acme_editor).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "failed"
    assert body["errors"] == [{"row": 3, "column": "gtin", "message": "Bad check digit."}]
    assert body["error_count"] == 1


@pytest.mark.parametrize("persona", [*PERSONAS, "coordinator_de"])
def test_who_sees_a_job(api, request, acme_job, persona):
    client = api(None if persona == ANONYMOUS else request.getfixturevalue(persona))
    assert client.get(f"/api/v1/jobs/{acme_job.pk}/").status_code == ACME_JOB.status(persona, write=False)
    listing = client.get("/api/v1/jobs/")
    if persona == ANONYMOUS:
        assert listing.status_code == UNAUTHENTICATED
        return
    listed = [item["id"] for item in listing.json()["results"]]
    assert (str(acme_job.pk) in listed) == (persona in ACME_JOB.readers)


def test_the_creator_no_longer_sees_a_job_after_moving_to_another_organization(api, acme_editor, globex, acme_job):
    # The job, its file and its errors are Acme's confidential data, whoever started it.
    membership = acme_editor.membership
    membership.organization = globex
    membership.save()
    client = api(acme_editor)
    assert client.get(f"/api/v1/jobs/{acme_job.pk}/").status_code == 404


def test_a_suspended_member_sees_nothing(api, acme_viewer, acme_job):
    client = api(acme_viewer)
    acme_viewer.status = "suspended"
    acme_viewer.save()
    assert client.get(f"/api/v1/jobs/{acme_job.pk}/").status_code == 401  # its token no longer signs in


def test_an_id_that_is_not_a_uuid_is_404(api, acme_editor):
    client = api(acme_editor)
    assert client.get("/api/v1/jobs/123/").status_code == 404
    assert client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_list_is_newest_first_paginated_and_without_row_errors(api, acme_editor, acme_admin, private_media):
    now = timezone.now()
    old = make_job(acme_admin, created=now - datetime.timedelta(days=2))
    new = make_job(acme_editor, created=now, errors=[{"row": 2, "column": "", "message": "x"}], error_count=1)
    middle = make_job(acme_editor, created=now - datetime.timedelta(days=1))

    body = api(acme_editor).get("/api/v1/jobs/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [item["id"] for item in body["results"]] == [str(new.pk), str(middle.pk), str(old.pk)]
    assert "errors" not in body["results"][0]
    assert body["results"][0]["error_count"] == 1

    page = api(acme_editor).get("/api/v1/jobs/?page_size=2&page=2").json()
    assert [item["id"] for item in page["results"]] == [str(old.pk)]


def test_the_api_is_read_only(api, acme_editor, acme_job):
    client = api(acme_editor)
    assert client.post("/api/v1/jobs/", {}).status_code == 405
    assert client.delete(f"/api/v1/jobs/{acme_job.pk}/").status_code == 405
    assert client.patch(f"/api/v1/jobs/{acme_job.pk}/", {"status": "succeeded"}).status_code == 405


@pytest.mark.parametrize("count", [1, 30])
def test_list_queries_do_not_grow_with_rows(api, acme_editor, count, private_media, django_assert_max_num_queries):
    for n in range(count):
        make_job(acme_editor, status=JobStatus.RUNNING if n % 2 else JobStatus.SUCCEEDED, result={"n": n})
    client = api(acme_editor)
    # Token, user and organization, the count, the page.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/jobs/")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_the_schema_describes_the_jobs_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/jobs/" in schema["paths"]
    assert "/api/v1/jobs/{id}/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert "Job" in components
    # Its own enum, not one more "status" colliding with the others (a check --deploy warning).
    assert components["JobStatusEnum"]["enum"] == ["queued", "running", "succeeded", "failed"]
