"""The officers' side of guides: inspections, feedback, and counted readings."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication_guides.models import Checklist, Feedback, GuideViewDay
from uploads import testing as pictures

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png():
    return SimpleUploadedFile("p.png", pictures.image_bytes("PNG"), content_type="image/png")


@pytest.fixture
def editor(api, acme_editor):
    return api(acme_editor)


@pytest.fixture
def published(editor, brand_fr):
    guide = editor.post(
        "/api/v1/guides/", {"brand": brand_fr.pk, "title": "Chrono", "language": "en"}, format="json"
    ).json()
    for title, importance in (("Serial", "decisive"), ("Crown", "strong")):
        editor.post(
            f"/api/v1/guides/{guide['id']}/indicators/",
            {"title": title, "importance": importance, "genuine_image": png(), "counterfeit_image": png()},
            format="multipart",
        )
    editor.post(f"/api/v1/guides/{guide['id']}/publish/")
    return editor.get(f"/api/v1/guides/{guide['id']}/").json()


def answers(guide, **verdicts):
    return {"results": [{"indicator": i["id"], "verdict": verdicts[i["title"]]} for i in guide["indicators"]]}


@pytest.mark.parametrize(
    ("verdicts", "conclusion"),
    [
        ({"Serial": "fake", "Crown": "genuine"}, "likely_counterfeit"),
        ({"Serial": "genuine", "Crown": "genuine"}, "likely_genuine"),
        ({"Serial": "genuine", "Crown": "fake"}, "inconclusive"),
        ({"Serial": "unsure", "Crown": "genuine"}, "inconclusive"),
    ],
)
def test_a_checklist_is_stored_and_summarized(api, officer_fr, published, verdicts, conclusion):
    response = api(officer_fr).post(
        f"/api/v1/guides/{published['id']}/checklists/", answers(published, **verdicts), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["conclusion"] == conclusion and body["version"] == 1
    assert sum(body["counts"].values()) == 2
    stored = Checklist.objects.get(pk=body["id"])
    assert stored.organization == officer_fr.organization and stored.created_by == officer_fr


def test_every_indicator_must_be_answered_once(api, officer_fr, published):
    client = api(officer_fr)
    url = f"/api/v1/guides/{published['id']}/checklists/"
    first = published["indicators"][0]["id"]
    assert client.post(url, {"results": [{"indicator": first, "verdict": "fake"}]}, format="json").status_code == 400
    twice = {"results": [{"indicator": first, "verdict": "fake"}] * 2}
    assert client.post(url, twice, format="json").status_code == 400
    bad = answers(published, Serial="maybe", Crown="fake")
    assert client.post(url, bad, format="json").status_code == 400
    assert not Checklist.objects.exists()


def test_checklists_stay_with_the_administration(
    api, officer_fr, coordinator_fr, officer_de, acme_editor, published, customs_fr
):
    api(officer_fr).post(
        f"/api/v1/guides/{published['id']}/checklists/", answers(published, Serial="fake", Crown="fake"), format="json"
    )
    assert api(coordinator_fr).get(f"/api/v1/guides/{published['id']}/checklists/").json()["count"] == 1
    assert api(acme_editor).get(f"/api/v1/guides/{published['id']}/checklists/").json()["count"] == 0
    assert api(officer_de).get(f"/api/v1/guides/{published['id']}/checklists/").status_code == 404
    refused = api(acme_editor).post(
        f"/api/v1/guides/{published['id']}/checklists/", answers(published, Serial="fake", Crown="fake"), format="json"
    )
    assert refused.status_code == 403


def test_feedback_reaches_the_owner_who_answers(
    api, officer_fr, officer_de, acme_editor, acme_viewer, other_rightholder, published
):
    client = api(officer_fr)
    sent = client.post(
        f"/api/v1/guides/{published['id']}/feedback/",
        {"kind": "new_variant", "message": "Crown now engraved", "photo": png()},
        format="multipart",
    )
    assert sent.status_code == 201, sent.json()
    feedback = sent.json()
    assert client.get(feedback["photo"]).status_code == 200
    queue = api(acme_editor).get("/api/v1/guides/feedback-queue/").json()
    assert [f["id"] for f in queue["results"]] == [feedback["id"]]
    assert api(acme_editor).get(feedback["photo"]).status_code == 200
    assert api(other_rightholder).get("/api/v1/guides/feedback-queue/").json()["count"] == 0
    url = f"/api/v1/guides/{published['id']}/feedback/{feedback['id']}/answer/"
    assert api(acme_viewer).post(url, {"answer": "x"}, format="json").status_code == 403
    assert api(officer_fr).post(url, {"answer": "x"}, format="json").status_code == 403
    answered = api(acme_editor).post(url, {"answer": "Thanks, guide updated."}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    mine = client.get(f"/api/v1/guides/{published['id']}/feedback/").json()["results"][0]
    assert mine["answer"] == "Thanks, guide updated."
    assert api(officer_de).get(f"/api/v1/guides/{published['id']}/feedback/").status_code == 404
    assert Feedback.objects.count() == 1


def test_feedback_needs_a_message_and_a_known_kind(api, officer_fr, published):
    url = f"/api/v1/guides/{published['id']}/feedback/"
    assert api(officer_fr).post(url, {"kind": "rant", "message": "x"}, format="json").status_code == 400
    assert api(officer_fr).post(url, {"kind": "outdated", "message": ""}, format="json").status_code == 400


def test_officer_readings_are_counted_per_country_and_day(
    api, officer_fr, coordinator_fr, acme_editor, published, django_assert_max_num_queries
):
    for person in (officer_fr, officer_fr, coordinator_fr, acme_editor):
        api(person).get(f"/api/v1/guides/{published['id']}/")
    row = GuideViewDay.objects.get()
    assert (row.country, row.views) == ("FR", 3)  # the owner's own readings do not count
    usage = api(acme_editor).get(f"/api/v1/guides/{published['id']}/usage/").json()
    assert usage["total"] == 3 and usage["by_country"] == [{"country": "FR", "views": 3}]
    dashboard = api(acme_editor).get("/api/v1/guides/usage/").json()
    assert dashboard["by_guide"] == [{"guide": published["id"], "views": 3}]
    assert api(officer_fr).get(f"/api/v1/guides/{published['id']}/usage/").status_code == 403
    assert api(officer_fr).get("/api/v1/guides/usage/").status_code == 403


def test_counting_a_reading_costs_a_bounded_number_of_queries(api, officer_fr, published, django_assert_num_queries):
    client = api(officer_fr)
    client.get(f"/api/v1/guides/{published['id']}/")  # the day's row exists now
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as counted:
        client.get(f"/api/v1/guides/{published['id']}/")
    updates = [q for q in counted.captured_queries if "guideviewday" in q["sql"].lower()]
    assert len(updates) == 1
