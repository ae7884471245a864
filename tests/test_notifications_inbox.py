"""The inbox: a person's own notifications, newest first; read one or all; nobody reads or marks
another's (404); the unread count in the page header; bounded queries."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import Event
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, title="Fake Lumina watches via Antwerp", kind="alert.published", link="/alerts/1/", **fields):
    event = Event.objects.create(kind=kind, subject_type=ContentType.objects.get_for_model(user), subject_id=user.pk)
    return Notification.objects.create(event=event, recipient=user, title=title, link=link, **fields)


def test_own_inbox_newest_first_in_the_contract_shape(api, officer_fr):
    older = notify(officer_fr, title="Older", created=timezone.now() - timezone.timedelta(hours=1))
    newer = notify(officer_fr, title="Newer", kind="guide.published", link="/guides/3/")

    response = api(officer_fr).get("/api/v1/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and set(body) == {"count", "next", "previous", "results"}
    first = body["results"][0]
    assert set(first) == {"id", "event", "title", "link", "created", "read"}
    assert (first["id"], first["event"], first["title"], first["link"], first["read"]) == (
        newer.pk,
        "guide.published",
        "Newer",
        "/guides/3/",
        False,
    )
    assert body["results"][1]["id"] == older.pk


def test_nobody_sees_anothers_notifications(api, officer_fr, officer_de, acme_admin, platform_admin):
    notify(officer_fr)

    for other in (officer_de, acme_admin, platform_admin):
        assert api(other).get("/api/v1/notifications/").json()["count"] == 0


def test_anonymous_gets_401(anonymous):
    assert anonymous.get("/api/v1/notifications/").status_code == 401


def test_read_answers_the_object_and_sticks(api, officer_fr):
    item = notify(officer_fr)
    client = api(officer_fr)

    response = client.post(f"/api/v1/notifications/{item.pk}/read/")

    assert response.status_code == 200
    assert response.json()["id"] == item.pk and response.json()["read"] is True
    first_read = Notification.objects.get(pk=item.pk).read_at
    client.post(f"/api/v1/notifications/{item.pk}/read/")
    assert Notification.objects.get(pk=item.pk).read_at == first_read
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0


@pytest.mark.parametrize("other", ["officer_de", "coordinator_fr", "acme_admin", "platform_admin"])
def test_reading_or_marking_anothers_notification_is_404(api, officer_fr, other, request):
    item = notify(officer_fr)
    client = api(request.getfixturevalue(other))

    assert client.get(f"/api/v1/notifications/{item.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{item.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=item.pk).read_at is None


def test_mark_all_read_touches_only_ones_own(api, officer_fr, officer_de):
    mine = [notify(officer_fr) for _ in range(3)]
    theirs = notify(officer_de)

    response = api(officer_fr).post("/api/v1/notifications/read-all/")

    assert response.status_code == 200 and response.json() == {"marked": 3}
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api(officer_fr).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert api(officer_de).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_bad_unread_filter_is_ignored_not_500(api, officer_fr):
    notify(officer_fr)
    assert api(officer_fr).get("/api/v1/notifications/?unread=maybe").status_code == 200
    assert api(officer_fr).post("/api/v1/notifications/abc/read/").status_code == 404
    assert api(officer_fr).get("/api/v1/notifications/99999999999999999999/").status_code == 404


def test_inbox_list_costs_a_bounded_number_of_queries(api, officer_fr, django_assert_max_num_queries):
    client = api(officer_fr)
    for index in range(30):
        notify(officer_fr, title=f"Alert {index}")
    client.get("/api/v1/notifications/")  # warm caches (content types, token)

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/notifications/?page_size=30")
    assert len(response.json()["results"]) == 30


# --------------------------------------------------------------------------- pages


def test_header_shows_the_unread_count(client, officer_fr):
    notify(officer_fr)
    notify(officer_fr)
    client.force_login(officer_fr)

    page = client.get("/inbox/").content.decode()

    assert 'href="/inbox/"' in page and ">2<span" in page


def test_inbox_page_lists_own_and_marks_read(client, officer_fr, officer_de, django_assert_max_num_queries):
    mine = notify(officer_fr, title="Mine")
    notify(officer_de, title="Theirs")
    for index in range(20):
        notify(officer_fr, title=f"Alert {index}")
    client.force_login(officer_fr)

    with django_assert_max_num_queries(14):
        page = client.get("/inbox/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mine" in text and "Theirs" not in text

    response = client.post(f"/inbox/{mine.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == mine.link
    assert Notification.objects.get(pk=mine.pk).read_at is not None

    client.post("/inbox/read-all/")
    assert not Notification.objects.filter(recipient=officer_fr, read_at__isnull=True).exists()


def test_inbox_page_refuses_anothers_notification(client, officer_fr, officer_de):
    theirs = notify(officer_de)
    client.force_login(officer_fr)

    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_inbox_page_needs_sign_in(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_opening_a_notification_never_leaves_the_site(client, officer_fr):
    item = notify(officer_fr, link="//evil.example/phish")
    client.force_login(officer_fr)

    response = client.post(f"/inbox/{item.pk}/read/", {"open": "1"})

    assert response.status_code == 302 and response["Location"] == "/inbox/"
