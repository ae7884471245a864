"""Who may open which guide page: every persona against every page of a draft guide and of a
published one (both of Acme's brand_fr, visible only to France).

- Acme's admin and editor: every page, edit pages and workflow buttons included;
- Acme's viewer and a platform admin: read both; edit pages 403;
- a French officer: the published guide only (edit pages 403), the draft 404;
- a German officer and another right holder: 404 everywhere;
- anonymous: sent to sign in.

Only a right holder's admin or editor may start a guide at all (another right holder too, for
its own brands): the new-guide page is 403 to everyone else, whichever brand it names.
"""

from __future__ import annotations

import pytest

from authentication_guides.models import Guide, GuideStatus, GuideVersion, Indicator

from .matrix import (
    ACME_WRITERS,
    BRAND_FR_READERS,
    DRAFT_GUIDE_READERS,
    PERSONAS,
    SIGN_IN,
    SIGNED_IN,
    Matrix,
)
from .test_guides_web_support import indicator_key

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db

CREATORS = ACME_WRITERS | {"other_rightholder"}
GUIDES = {
    "draft": Matrix(readers=DRAFT_GUIDE_READERS, writers=ACME_WRITERS, anonymous=SIGN_IN),
    "published": Matrix(readers=BRAND_FR_READERS, writers=ACME_WRITERS, anonymous=SIGN_IN),
}
NEW_GUIDE = Matrix(readers=SIGNED_IN, writers=CREATORS, anonymous=SIGN_IN)
NEW_GUIDE_FOR_BRAND_FR = Matrix(readers=BRAND_FR_READERS, writers=ACME_WRITERS, anonymous=SIGN_IN, admitted=CREATORS)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guides(draft_guide, published_guide):
    return {"draft": draft_guide, "published": published_guide}


def read_pages(guide) -> list[str]:
    return [f"/guides/{guide.pk}/", f"/guides/{guide.pk}/print/", f"/guides/{guide.pk}/versions/"]


def edit_pages(guide) -> list[str]:
    key = guide.versions.order_by("-number").first().indicators.first().key
    return [
        f"/guides/{guide.pk}/edit/",
        f"/guides/{guide.pk}/delete/",
        f"/guides/{guide.pk}/translate/",
        f"/guides/{guide.pk}/indicators/new/",
        f"/guides/{guide.pk}/indicators/{key}/edit/",
        f"/guides/{guide.pk}/indicators/{key}/delete/",
    ]


def assert_sign_in(response, path):
    assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_pages(client_for, guides, persona):
    client = client_for(persona)
    for which, guide in guides.items():
        for path in read_pages(guide):
            response = client.get(path)
            assert response.status_code == GUIDES[which].status(persona, write=False), (persona, path)
            if response.status_code == 302:
                assert_sign_in(response, path)


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_pages(client_for, guides, persona):
    client = client_for(persona)
    for which, guide in guides.items():
        for path in edit_pages(guide):
            response = client.get(path)
            assert response.status_code == GUIDES[which].status(persona, write=True), (persona, path)
            if response.status_code == 302:
                assert_sign_in(response, path)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list(client_for, guides, persona):
    response = client_for(persona).get("/guides/")
    if persona == "anonymous":
        assert_sign_in(response, "/guides/")
        return
    assert response.status_code == 200
    shown = {guide.pk for guide in response.context["page"]}
    visible = {guides[which].pk for which in ("draft", "published") if persona in GUIDES[which].readers}
    assert shown == visible


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - ACME_WRITERS))
def test_posts_by_people_who_may_not_write_change_nothing(client_for, guides, persona):
    client = client_for(persona)
    for which, guide in guides.items():
        key = indicator_key(guide, "Draft seam" if which == "draft" else "Logo font")
        posts = [
            (f"/guides/{guide.pk}/edit/", {"title": "Hijacked", "language": "en", "visibility": "all"}),
            (f"/guides/{guide.pk}/translate/", {"title": "Copie", "language": "fr", "visibility": "all"}),
            (f"/guides/{guide.pk}/indicators/new/", {"title": "Fake", "kind": "check", "importance": "strong"}),
            (f"/guides/{guide.pk}/indicators/{key}/edit/", {"title": "Hijacked", "kind": "check"}),
            (f"/guides/{guide.pk}/indicators/{key}/delete/", {}),
            (f"/guides/{guide.pk}/submit/", {}),
            (f"/guides/{guide.pk}/publish/", {}),
            (f"/guides/{guide.pk}/archive/", {}),
            (f"/guides/{guide.pk}/delete/", {}),
        ]
        for path, data in posts:
            response = client.post(path, data)
            assert response.status_code == GUIDES[which].status(persona, write=True), (persona, path)
    assert Guide.objects.count() == 2
    assert set(Guide.objects.values_list("status", flat=True)) == {GuideStatus.DRAFT, GuideStatus.PUBLISHED}
    assert GuideVersion.objects.count() == 2
    assert not GuideVersion.objects.filter(title__in=["Hijacked", "Copie"]).exists()
    assert Indicator.objects.count() == 3
    assert not Indicator.objects.filter(title__in=["Hijacked", "Fake"]).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_guide_page(client_for, persona):
    assert client_for(persona).get("/guides/new/").status_code == NEW_GUIDE.status(persona, write=True)


# Acme's brand does not exist for Globex (404). Who may not start a guide at all is refused before
# the brand is looked up (403), a German officer too: the answer tells nothing about the brand.
@pytest.mark.parametrize("persona", PERSONAS)
def test_new_guide_page_for_a_brand(client_for, brand_fr, persona):
    response = client_for(persona).get(f"/guides/new/?brand={brand_fr.pk}")
    assert response.status_code == NEW_GUIDE_FOR_BRAND_FR.status(persona, write=True)


@pytest.mark.parametrize("persona", ["other_rightholder", "officer_fr", "acme_viewer", "platform_admin"])
def test_a_new_guide_post_for_acme_by_others_stores_nothing(client_for, brand_fr, persona):
    response = client_for(persona).post(
        f"/guides/new/?brand={brand_fr.pk}", {"title": "Intruder", "language": "en", "visibility": "all"}
    )
    assert response.status_code == NEW_GUIDE_FOR_BRAND_FR.status(persona, write=True)
    assert not Guide.objects.exists()


def test_another_right_holder_cannot_pick_acmes_brand_in_the_form(client_for, brand_fr, globex_brand):
    response = client_for("other_rightholder").post(
        "/guides/new/", {"brand": brand_fr.pk, "title": "Intruder", "language": "en", "visibility": "all"}
    )
    assert response.status_code == 400
    assert "brand" in response.context["form"].errors
    assert not Guide.objects.exists()


def test_unknown_ids_are_404(client_for, guides):
    client = client_for("acme_editor")
    guide = guides["published"]
    for path in (
        "/guides/999999/",
        "/guides/999999/print/",
        "/guides/999999/edit/",
        "/guides/new/?brand=999999",
        "/guides/new/?brand=abc",
        f"/guides/{guide.pk}/indicators/00000000-0000-0000-0000-000000000000/edit/",
        f"/guides/{guide.pk}/indicators/00000000-0000-0000-0000-000000000000/delete/",
    ):
        assert client.get(path).status_code == 404, path


def test_workflow_urls_refuse_get(client_for, guides):
    client = client_for("acme_editor")
    for action in ("submit", "publish", "archive", "unpublish"):
        assert client.get(f"/guides/{guides['draft'].pk}/{action}/").status_code == 405


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_readers_see_no_edit_controls(client_for, guides, persona):
    html = client_for(persona).get(f"/guides/{guides['published'].pk}/").content.decode()
    for fragment in ("/edit/", "/delete/", "/indicators/new/", "/translate/", "/submit/", "/publish/", "/archive/"):
        assert fragment not in html, (persona, fragment)


@pytest.mark.parametrize("persona", ["acme_admin", "acme_editor"])
def test_writers_see_edit_controls(client_for, guides, persona):
    guide = guides["draft"]
    html = client_for(persona).get(f"/guides/{guide.pk}/").content.decode()
    for action in ("edit", "delete", "indicators/new", "translate", "submit", "publish", "archive"):
        assert f"/guides/{guide.pk}/{action}/" in html, action
    assert "/unpublish/" not in html
