"""Authentication guides through the API: the workflow, versions, translations, scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditAction, AuditEntry
from authentication_guides.models import Guide
from uploads import testing as pictures

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="p.png"):
    return SimpleUploadedFile(name, pictures.image_bytes("PNG"), content_type="image/png")


def add_indicator(client, guide_id, **fields):
    body = {
        "kind": "check",
        "title": "Serial",
        "description": "Engraved.",
        "location": "back",
        "importance": "decisive",
        "genuine_image": png(),
        "counterfeit_image": png(),
        **fields,
    }
    return client.post(f"/api/v1/guides/{guide_id}/indicators/", body, format="multipart")


@pytest.fixture
def editor(api, acme_editor):
    return api(acme_editor)


@pytest.fixture
def guide(editor, brand_fr, product_fr):
    response = editor.post(
        "/api/v1/guides/",
        {"brand": brand_fr.pk, "product": product_fr.pk, "title": "Spotting a fake Chrono", "language": "en"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def publish(client, guide_id):
    return client.post(f"/api/v1/guides/{guide_id}/publish/")


def test_draft_publish_and_officer_reading(editor, guide, api, officer_fr, officer_de, other_rightholder):
    assert guide["status"] == "draft" and guide["version"] == 1 and guide["indicators"] == []
    # Nobody but the owner sees a draft.
    for person in (officer_fr, officer_de, other_rightholder):
        assert api(person).get(f"/api/v1/guides/{guide['id']}/").status_code == 404
    assert publish(editor, guide["id"]).status_code == 400  # no indicator yet
    assert add_indicator(editor, guide["id"]).status_code == 201
    published = publish(editor, guide["id"])
    assert published.status_code == 200 and published.json()["status"] == "published"
    officer = api(officer_fr).get(f"/api/v1/guides/{guide['id']}/")
    assert officer.status_code == 200
    body = officer.json()
    assert body["version"] == 1 and [i["title"] for i in body["indicators"]] == ["Serial"]
    assert api(officer_fr).get(body["indicators"][0]["genuine_image"]).status_code == 200
    assert api(officer_de).get(f"/api/v1/guides/{guide['id']}/").status_code == 404  # brand is FR-only
    assert AuditEntry.objects.filter(action=AuditAction.GUIDE_PUBLISHED, target_id=str(guide["id"])).exists()


def test_editing_a_published_guide_opens_a_draft_officers_do_not_see(editor, guide, api, officer_fr):
    add_indicator(editor, guide["id"])
    publish(editor, guide["id"])
    indicator = editor.get(f"/api/v1/guides/{guide['id']}/").json()["indicators"][0]["id"]
    change = editor.patch(
        f"/api/v1/guides/{guide['id']}/indicators/{indicator}/", {"title": "Serial number"}, format="multipart"
    )
    assert change.status_code == 200, change.json()
    added = add_indicator(editor, guide["id"], title="Hologram", importance="strong", kind="security_feature")
    assert added.status_code == 201
    owner_view = editor.get(f"/api/v1/guides/{guide['id']}/").json()
    assert owner_view["version"] == 2 and owner_view["status"] == "published"
    assert {i["title"] for i in owner_view["indicators"]} == {"Serial number", "Hologram"}
    officer_view = api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").json()
    assert officer_view["version"] == 1 and [i["title"] for i in officer_view["indicators"]] == ["Serial"]
    publish(editor, guide["id"])
    officer_view = api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").json()
    assert officer_view["version"] == 2 and len(officer_view["indicators"]) == 2
    history = editor.get(f"/api/v1/guides/{guide['id']}/versions/").json()
    assert [h["version"] for h in history] == [2, 1]
    changes = history[0]["changes"]
    assert [a["title"] for a in changes["added"]] == ["Hologram"]
    assert changes["changed"][0]["fields"] == ["title"] and changes["removed"] == []


def test_translations_are_linked(editor, guide, api, officer_fr):
    french = editor.post(
        "/api/v1/guides/",
        {"brand": guide["brand"], "title": "Repérer un faux", "language": "fr", "translation_of": guide["id"]},
        format="json",
    )
    assert french.status_code == 201, french.json()
    twin = editor.post(
        "/api/v1/guides/",
        {"brand": guide["brand"], "title": "Autre", "language": "fr", "translation_of": guide["id"]},
        format="json",
    )
    assert twin.status_code == 400 and "language" in twin.json()
    body = editor.get(f"/api/v1/guides/{guide['id']}/").json()
    assert body["translations"] == [{"id": french.json()["id"], "language": "fr"}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "language": "english"}, "language"),
        ({"title": "x", "language": "zz"}, "language"),
        ({"title": "", "language": "en"}, "title"),
        ({"title": "x" * 201, "language": "en"}, "title"),
        ({"title": "x", "language": "en", "summary": "s" * 100_001}, "summary"),
        ({"title": "x", "language": "en", "visibility": {"all": False, "countries": ["DE"]}}, "visibility"),
        ({"title": "x", "language": "en", "visibility": {"all": False, "countries": []}}, "visibility"),
    ],
)
def test_bad_guides_are_400(editor, brand_fr, body, field):
    response = editor.post("/api/v1/guides/", {"brand": brand_fr.pk, **body}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Guide.objects.exists()


def test_an_indicator_needs_both_pictures(editor, guide):
    response = editor.post(
        f"/api/v1/guides/{guide['id']}/indicators/", {"title": "Seam", "genuine_image": png()}, format="multipart"
    )
    assert response.status_code == 400 and "counterfeit_image" in response.json()


def test_a_guide_may_narrow_its_brand(editor, brand_all, api, officer_fr, officer_de):
    response = editor.post(
        "/api/v1/guides/",
        {
            "brand": brand_all.pk,
            "title": "FR only",
            "language": "fr",
            "visibility": {"all": False, "countries": ["FR"]},
        },
        format="json",
    )
    assert response.status_code == 201
    guide_id = response.json()["id"]
    add_indicator(editor, guide_id)
    publish(editor, guide_id)
    assert api(officer_fr).get(f"/api/v1/guides/{guide_id}/").status_code == 200
    assert api(officer_de).get(f"/api/v1/guides/{guide_id}/").status_code == 404


WRITE = {
    "acme_admin": 200,
    "acme_editor": 200,
    "acme_viewer": 403,
    "officer_fr": 404,
    "platform_admin": 403,
    "other_rightholder": 404,
    "officer_de": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("persona", "code"), WRITE.items())
def test_who_edits_a_draft(api, request, guide, persona, code):
    client = api(None if persona == "anonymous" else request.getfixturevalue(persona))
    response = client.patch(f"/api/v1/guides/{guide['id']}/", {"title": "Changed"}, format="json")
    assert response.status_code == code
    if code != 200:
        assert Guide.objects.get(pk=guide["id"]).latest_version().title == "Spotting a fake Chrono"


def test_moderation_unpublishes_with_a_reason(editor, guide, api, platform_admin, officer_fr, acme_admin):
    add_indicator(editor, guide["id"])
    publish(editor, guide["id"])
    assert api(acme_admin).post(f"/api/v1/guides/{guide['id']}/unpublish/", {"reason": "x"}).status_code == 403
    admin = api(platform_admin)
    assert admin.post(f"/api/v1/guides/{guide['id']}/unpublish/", {"reason": ""}, format="json").status_code == 400
    response = admin.post(f"/api/v1/guides/{guide['id']}/unpublish/", {"reason": "Misleading"}, format="json")
    assert response.status_code == 200
    assert api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").status_code == 404
    assert editor.get(f"/api/v1/guides/{guide['id']}/").json()["moderation_reason"] == "Misleading"
    entry = AuditEntry.objects.get(action=AuditAction.GUIDE_UNPUBLISHED)
    assert entry.reason == "Misleading" and entry.actor == platform_admin


def test_archive_hides_from_officers(editor, guide, api, officer_fr):
    add_indicator(editor, guide["id"])
    publish(editor, guide["id"])
    assert editor.post(f"/api/v1/guides/{guide['id']}/archive/").json()["status"] == "archived"
    assert api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").status_code == 404


def test_the_guide_list_is_bounded(editor, brand_fr, api, officer_fr, django_assert_max_num_queries):
    for i in range(12):
        guide_id = editor.post(
            "/api/v1/guides/", {"brand": brand_fr.pk, "title": f"G{i}", "language": "en"}, format="json"
        ).json()["id"]
        add_indicator(editor, guide_id)
        publish(editor, guide_id)
    for client in (editor, api(officer_fr)):
        with django_assert_max_num_queries(10):
            response = client.get("/api/v1/guides/")
        assert response.json()["count"] == 12


def test_an_unchanged_title_opens_no_draft(editor, guide):
    add_indicator(editor, guide["id"])
    publish(editor, guide["id"])
    editor.patch(f"/api/v1/guides/{guide['id']}/", {"title": guide["title"]}, format="json")
    assert Guide.objects.get(pk=guide["id"]).versions.count() == 1
    editor.patch(f"/api/v1/guides/{guide['id']}/", {"title": "New title"}, format="json")
    assert Guide.objects.get(pk=guide["id"]).versions.count() == 2


def test_an_archived_or_unpublished_guide_can_be_published_again(editor, guide, api, platform_admin, officer_fr):
    add_indicator(editor, guide["id"])
    publish(editor, guide["id"])
    admin = api(platform_admin)
    admin.post(f"/api/v1/guides/{guide['id']}/unpublish/", {"reason": "Check"}, format="json")
    assert api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").status_code == 404
    # Moderation holds: the owner cannot put it back; a platform admin can.
    assert publish(editor, guide["id"]).status_code == 403
    assert api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").status_code == 404
    again = publish(admin, guide["id"])
    assert again.status_code == 200 and again.json()["status"] == "published"
    assert api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").json()["version"] == 1
    editor.post(f"/api/v1/guides/{guide['id']}/archive/")
    assert publish(editor, guide["id"]).json()["status"] == "published"


def test_indicator_pictures_get_phone_sized_copies_after_commit(editor, guide, django_capture_on_commit_callbacks):
    from PIL import Image

    big = SimpleUploadedFile("big.jpg", pictures.image_bytes("JPEG", image=pictures.picture(size=(2400, 1800))))
    with django_capture_on_commit_callbacks(execute=True):
        added = add_indicator(editor, guide["id"], genuine_image=big)
    assert added.status_code == 201
    from authentication_guides.models import Indicator

    indicator = Indicator.objects.get()
    assert indicator.genuine_thumb and indicator.counterfeit_thumb
    served = editor.get(added.json()["genuine_image"])
    assert served["Content-Type"] == "image/webp"
    import io

    assert max(Image.open(io.BytesIO(b"".join(served.streaming_content))).size) == 1280
    original = editor.get(added.json()["genuine_image"] + "&size=original")
    assert original["Content-Type"] == "image/jpeg"


def test_a_new_translation_starts_with_the_indicators(editor, guide):
    add_indicator(editor, guide["id"], title="Serial")
    french = editor.post(
        "/api/v1/guides/",
        {"brand": guide["brand"], "title": "Repérer un faux", "language": "fr", "translation_of": guide["id"]},
        format="json",
    ).json()
    assert [i["title"] for i in french["indicators"]] == ["Serial"]
    assert editor.get(french["indicators"][0]["genuine_image"]).status_code == 200


def test_an_officer_lists_the_guide_in_their_language(editor, guide, api, officer_fr):
    french = editor.post(
        "/api/v1/guides/",
        {"brand": guide["brand"], "title": "Repérer un faux", "language": "fr", "translation_of": guide["id"]},
        format="json",
    ).json()
    for guide_id in (guide["id"], french["id"]):
        add_indicator(editor, guide_id)
        publish(editor, guide_id)
    officer_fr.language = "fr"
    officer_fr.save()
    listed = api(officer_fr).get("/api/v1/guides/").json()["results"]
    assert [g["language"] for g in listed] == ["fr"]
    every = api(officer_fr).get("/api/v1/guides/", {"all_languages": "true"}).json()["results"]
    assert sorted(g["language"] for g in every) == ["en", "fr"]
    officer_fr.language = "es"  # no Spanish version: both stay listed
    officer_fr.save()
    assert len(api(officer_fr).get("/api/v1/guides/").json()["results"]) == 2
    assert len(editor.get("/api/v1/guides/").json()["results"]) == 2  # owners see every translation


def test_extra_pictures_of_an_indicator(editor, guide, api, officer_fr, officer_de):
    indicator = add_indicator(editor, guide["id"]).json()["id"]
    base = f"/api/v1/guides/{guide['id']}/indicators/{indicator}/pictures/"
    added = editor.post(base, {"image": png(), "caption": "Known fake, 2025 batch"}, format="multipart")
    assert added.status_code == 201, added.json()
    assert (
        editor.post(
            base, {"image": SimpleUploadedFile("x.svg", pictures.SVG_WITH_SCRIPT)}, format="multipart"
        ).status_code
        == 400
    )
    assert api(officer_fr).post(base, {"image": png()}, format="multipart").status_code == 404  # draft: not visible
    publish(editor, guide["id"])
    seen = api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").json()["indicators"][0]["extra_pictures"]
    assert [p["caption"] for p in seen] == ["Known fake, 2025 batch"]
    assert api(officer_fr).get(seen[0]["url"]).status_code == 200
    assert api(officer_de).get(seen[0]["url"]).status_code == 404
    assert api(officer_fr).post(base, {"image": png()}, format="multipart").status_code == 403
    # Removing it opens the next draft; officers keep the published picture meanwhile.
    assert editor.delete(f"{base}{seen[0]['id']}/").status_code == 204
    assert editor.get(f"/api/v1/guides/{guide['id']}/").json()["indicators"][0]["extra_pictures"] == []
    assert len(api(officer_fr).get(f"/api/v1/guides/{guide['id']}/").json()["indicators"][0]["extra_pictures"]) == 1
    assert editor.delete(f"{base}{seen[0]['id']}/").status_code == 400
