"""Guide events: a published guide reaches the officers who follow its brand and may see it;
officers' feedback reaches the owner's admins and editors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from authentication_guides.models import Guide
from brands.models import BrandFollow
from core.models import Event
from notifications.models import Notification
from tests.factories import member
from uploads import testing as pictures

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png():
    return SimpleUploadedFile("p.png", pictures.image_bytes("PNG"), content_type="image/png")


def publish_guide(client, brand, capture, **extra):
    guide = client.post(
        "/api/v1/guides/", {"brand": brand.pk, "title": "Chrono", "language": "en", **extra}, format="json"
    ).json()
    client.post(
        f"/api/v1/guides/{guide['id']}/indicators/",
        {"title": "Serial", "importance": "decisive", "genuine_image": png(), "counterfeit_image": png()},
        format="multipart",
    )
    with capture(execute=True):
        response = client.post(f"/api/v1/guides/{guide['id']}/publish/")
    assert response.status_code == 200, response.content
    return Guide.objects.get(pk=guide["id"])


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", "link"))


def test_followers_who_see_the_guide_are_told_once(
    api, acme_editor, brand_all, officer_fr, officer_de, coordinator_fr, django_capture_on_commit_callbacks
):
    for person in (officer_fr, officer_de):
        BrandFollow.objects.create(user=person, brand=brand_all)

    guide = publish_guide(api(acme_editor), brand_all, django_capture_on_commit_callbacks)

    assert inbox(officer_fr) == [("New guide for Lumina: Chrono", f"/guides/{guide.pk}/")]
    assert len(inbox(officer_de)) == 1
    assert inbox(coordinator_fr) == []  # does not follow the brand
    assert Event.objects.get(kind="guide.published").organization == brand_all.owner


def test_a_guide_narrowed_to_france_is_not_announced_in_germany(
    api, acme_editor, brand_all, officer_fr, officer_de, django_capture_on_commit_callbacks
):
    for person in (officer_fr, officer_de):
        BrandFollow.objects.create(user=person, brand=brand_all)

    guide = publish_guide(
        api(acme_editor),
        brand_all,
        django_capture_on_commit_callbacks,
        visibility={"all": False, "countries": ["FR"]},
    )

    assert len(inbox(officer_fr)) == 1
    assert inbox(officer_de) == []
    # The same answer as the guide's own scope, person by person.
    for person in (officer_fr, officer_de):
        sees = Guide.objects.restrict(person, "view").filter(pk=guide.pk).exists()
        assert sees == bool(inbox(person))


def test_a_follow_left_over_from_wider_visibility_tells_nobody_outside_it(
    api, acme_editor, brand_fr, officer_de, officer_fr, django_capture_on_commit_callbacks
):
    BrandFollow.objects.create(user=officer_de, brand=brand_fr)  # brand narrowed to FR since
    BrandFollow.objects.create(user=officer_fr, brand=brand_fr)

    publish_guide(api(acme_editor), brand_fr, django_capture_on_commit_callbacks)

    assert inbox(officer_de) == []
    assert len(inbox(officer_fr)) == 1


def test_right_holders_following_nothing_are_not_told(
    api, acme_editor, acme_admin, brand_all, other_rightholder, django_capture_on_commit_callbacks
):
    publish_guide(api(acme_editor), brand_all, django_capture_on_commit_callbacks)

    assert not Notification.objects.exists()


def test_feedback_reaches_the_owners_admins_and_editors(
    api,
    acme_editor,
    acme_admin,
    acme_viewer,
    other_rightholder,
    officer_fr,
    coordinator_fr,
    brand_all,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    guide = publish_guide(api(acme_editor), brand_all, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(officer_fr).post(
            f"/api/v1/guides/{guide.pk}/feedback/", {"kind": "outdated", "message": "New crown"}, format="json"
        )

    assert response.status_code == 201, response.content
    told = set(Notification.objects.filter(event__kind="guide.feedback").values_list("recipient_id", flat=True))
    assert told == {acme_editor.pk, acme_admin.pk}
    assert {tuple(m.to) for m in mailoutbox if m.extra_headers["X-IPM-Event"] == "guide.feedback"} == {
        (acme_editor.email,),
        (acme_admin.email,),
    }
    assert inbox(acme_admin) == [("Officers' feedback on the guide Chrono", "/guides/feedback/")]
    assert inbox(acme_viewer) == inbox(other_rightholder) == inbox(coordinator_fr) == []


def test_an_officer_of_a_suspended_administration_is_not_told(
    api, acme_editor, brand_all, customs_fr, django_capture_on_commit_callbacks
):
    officer = member(customs_fr, Role.OFFICER)
    BrandFollow.objects.create(user=officer, brand=brand_all)
    customs_fr.status = "suspended"
    customs_fr.save()

    publish_guide(api(acme_editor), brand_all, django_capture_on_commit_callbacks)

    assert inbox(officer) == []
