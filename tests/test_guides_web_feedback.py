"""The feedback loop in the browser: an officer reports a problem or a new fake (with a photo);
the brand's editors answer from their queue; viewers read it; nobody else sees it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication_guides import services
from authentication_guides.models import Feedback, FeedbackStatus
from uploads.images import clean_image

from .test_guides_web_support import png

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send(officer, guide, n: int = 1, photo: bool = False) -> list[Feedback]:
    return [
        services.feedback_send(
            actor=officer,
            guide=guide,
            kind="new_variant",
            message=f"Fake number {i}",
            photo=clean_image(png()) if photo else None,
        )
        for i in range(n)
    ]


def test_an_officer_reports_a_new_fake_with_a_photo(client_for, officer_fr, published_guide):
    client = client_for("officer_fr")
    page = client.get(f"/guides/{published_guide.pk}/").content.decode()
    assert f'href="/guides/{published_guide.pk}/feedback/new/"' in page
    form = client.get(f"/guides/{published_guide.pk}/feedback/new/")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(
        f"/guides/{published_guide.pk}/feedback/new/",
        {"kind": "new_variant", "message": "Serial engraved, not printed, on the new fakes.", "photo": png()},
    )
    assert response.status_code == 302 and response["Location"] == f"/guides/{published_guide.pk}/"
    feedback = Feedback.objects.get()
    assert feedback.created_by == officer_fr and feedback.organization == officer_fr.organization
    assert feedback.kind == "new_variant" and feedback.photo and feedback.status == FeedbackStatus.OPEN
    # The officer's administration reads it back (read only).
    queue = client.get("/guides/feedback/").content.decode()
    assert "Serial engraved" in queue and "/answer/" not in queue


def test_bad_input_is_shown_on_the_form(client_for, published_guide):
    client = client_for("officer_fr")
    url = f"/guides/{published_guide.pk}/feedback/new/"
    response = client.post(url, {"kind": "nonsense", "message": ""})
    assert response.status_code == 400
    not_a_picture = SimpleUploadedFile("fake.png", b"not a picture at all", content_type="image/png")
    response = client.post(url, {"kind": "new_variant", "message": "Look", "photo": not_a_picture})
    assert response.status_code == 400 and "field--error" in response.content.decode()
    response = client.post(url, {"kind": "outdated", "message": "x" * 20_001})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_an_editor_answers_from_the_queue(client_for, acme_editor, officer_fr, published_guide):
    (feedback,) = send(officer_fr, published_guide, photo=True)
    client = client_for("acme_editor")
    guide_page = client.get(f"/guides/{published_guide.pk}/").content.decode()
    assert "Feedback (1 open)" in guide_page and f'href="/guides/{published_guide.pk}/usage/"' in guide_page
    queue = client.get("/guides/feedback/").content.decode()
    assert "Fake number 0" in queue and "Spotting a fake Chrono" in queue
    assert f'src="/api/v1/guides/{published_guide.pk}/feedback/{feedback.pk}/photo/"' in queue
    assert client.get(f"/api/v1/guides/{published_guide.pk}/feedback/{feedback.pk}/photo/").status_code == 200
    assert f'action="/guides/feedback/{feedback.pk}/answer/"' in queue
    response = client.post(f"/guides/feedback/{feedback.pk}/answer/", {"answer": "Thanks, guide updated."})
    assert response.status_code == 302 and response["Location"] == "/guides/feedback/"
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.ANSWERED and feedback.answer == "Thanks, guide updated."
    assert feedback.answered_by == acme_editor
    # The officer reads the answer.
    officer_queue = client_for("officer_fr").get("/guides/feedback/").content.decode()
    assert "Thanks, guide updated." in officer_queue


def test_an_empty_answer_is_refused_on_the_page(client_for, officer_fr, published_guide):
    (feedback,) = send(officer_fr, published_guide)
    response = client_for("acme_editor").post(f"/guides/feedback/{feedback.pk}/answer/", {"answer": ""})
    assert response.status_code == 400
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.OPEN


def test_a_viewer_reads_the_queue_but_cannot_answer(client_for, officer_fr, published_guide):
    (feedback,) = send(officer_fr, published_guide)
    client = client_for("acme_viewer")
    queue = client.get("/guides/feedback/").content.decode()
    assert "Fake number 0" in queue and "/answer/" not in queue
    response = client.post(f"/guides/feedback/{feedback.pk}/answer/", {"answer": "Sneaky"})
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.OPEN and feedback.answer == ""


def test_another_right_holder_sees_nothing(client_for, officer_fr, published_guide):
    (feedback,) = send(officer_fr, published_guide)
    client = client_for("other_rightholder")
    queue = client.get("/guides/feedback/")
    assert queue.status_code == 200 and "Fake number 0" not in queue.content.decode()
    assert client.post(f"/guides/feedback/{feedback.pk}/answer/", {"answer": "Mine"}).status_code == 404
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.OPEN


def test_an_officer_of_another_country_cannot_report(client_for, published_guide):
    client = client_for("officer_de")
    assert client.get(f"/guides/{published_guide.pk}/feedback/new/").status_code == 404
    response = client.post(f"/guides/{published_guide.pk}/feedback/new/", {"kind": "outdated", "message": "x"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_only_officers_report(client_for, published_guide):
    assert client_for("acme_editor").get(f"/guides/{published_guide.pk}/feedback/new/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, published_guide):
    for url in (f"/guides/{published_guide.pk}/feedback/new/", "/guides/feedback/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"].lower()


def test_the_queue_lists_open_first_and_filters(client_for, acme_editor, officer_fr, published_guide):
    _first, second = send(officer_fr, published_guide, n=2)
    services.feedback_answer(actor=acme_editor, feedback=second, answer="Done")
    client = client_for("acme_editor")
    html = client.get("/guides/feedback/").content.decode()
    assert html.index("Fake number 0") < html.index("Fake number 1")  # open first, although older
    answered = client.get("/guides/feedback/?status=answered").content.decode()
    assert "Fake number 1" in answered and "Fake number 0" not in answered


@pytest.mark.parametrize("persona", ["acme_editor", "officer_fr"])
def test_the_queue_takes_a_bounded_number_of_queries(
    client_for, officer_fr, published_guide, django_assert_max_num_queries, persona
):
    client = client_for(persona)
    send(officer_fr, published_guide, n=1)
    with django_assert_max_num_queries(12) as one:
        assert client.get("/guides/feedback/").status_code == 200
    send(officer_fr, published_guide, n=14, photo=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/guides/feedback/").status_code == 200
