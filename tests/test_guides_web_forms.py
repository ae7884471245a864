"""The guide forms: a new guide, a translation, a guide's settings, indicators with their two
pictures, deleting. Bad input re-renders the form with the error next to the field (400) and
stores nothing; nothing answers 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication_guides import services
from authentication_guides.models import Guide, GuideStatus, GuideVersion, Indicator
from uploads.testing import SVG_WITH_SCRIPT

from .test_guides_web_support import add_indicator, indicator_key, png

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(client_for):
    return client_for("acme_editor")


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def form_errors(response) -> dict:
    assert response.status_code == 400, response.status_code
    return response.context["form"].errors


# --------------------------------------------------------------------------- guides


def test_create_a_guide_choosing_the_brand(editor, brand_fr, brand_all, product_fr):
    response = editor.post(
        "/guides/new/",
        {
            "brand": brand_fr.pk,
            "title": "Spotting a fake Chrono",
            "summary": "Start with the back.",
            "language": "en",
            "product": product_fr.pk,
            "category": "watches_jewellery",
            "visibility": "all",
        },
    )
    guide = Guide.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guides/{guide.pk}/"
    assert (guide.brand, guide.product, guide.language, guide.status) == (brand_fr, product_fr, "en", "draft")
    version = guide.versions.get()
    assert (version.number, version.title, version.summary) == (1, "Spotting a fake Chrono", "Start with the back.")


def test_create_a_guide_for_a_given_brand(editor, brand_fr):
    form = editor.get(f"/guides/new/?brand={brand_fr.pk}").context["form"]
    assert "brand" not in form.fields
    response = editor.post(
        f"/guides/new/?brand={brand_fr.pk}",
        {"title": "FR only", "language": "fr", "visibility": "selected", "countries": ["FR"]},
    )
    assert response.status_code == 302
    guide = Guide.objects.get()
    assert guide.brand == brand_fr and not guide.visible_to_all
    assert list(guide.visibility_countries.values_list("country", flat=True)) == ["FR"]


def test_an_empty_post_shows_the_required_fields(editor, brand_fr):
    errors = form_errors(editor.post("/guides/new/", {}))
    assert {"brand", "title", "language", "visibility"} <= errors.keys()
    assert not Guide.objects.exists()


@pytest.mark.parametrize("language", ["english", "zz", "EN ", "e"])
def test_a_bad_language_is_an_error(editor, brand_fr, language):
    response = editor.post(
        f"/guides/new/?brand={brand_fr.pk}", {"title": "x", "language": language, "visibility": "all"}
    )
    assert "language" in form_errors(response)
    assert "Language of the guide" in response.content.decode()
    assert not Guide.objects.exists()


def test_a_visibility_wider_than_the_brand_is_an_error(editor, brand_fr):
    response = editor.post(
        f"/guides/new/?brand={brand_fr.pk}",
        {"title": "x", "language": "en", "visibility": "selected", "countries": ["FR", "DE"]},
    )
    errors = form_errors(response)
    assert "countries" in errors and "Germany" not in str(errors)
    assert "cannot be seen wider than its brand" in response.content.decode()
    assert not Guide.objects.exists()


def test_selected_visibility_needs_a_country(editor, brand_fr):
    response = editor.post(
        f"/guides/new/?brand={brand_fr.pk}", {"title": "x", "language": "en", "visibility": "selected"}
    )
    assert "countries" in form_errors(response)
    assert not Guide.objects.exists()


def test_a_product_of_another_brand_is_an_error(editor, acme_editor, brand_fr, brand_all):
    from brands import services as brand_services

    other = brand_services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Day"})
    response = editor.post(
        "/guides/new/",
        {"brand": brand_fr.pk, "title": "x", "language": "en", "visibility": "all", "product": other.pk},
    )
    assert "product" in form_errors(response)
    assert not Guide.objects.exists()


def test_long_texts_are_errors_not_500s(editor, brand_fr):
    response = editor.post(
        f"/guides/new/?brand={brand_fr.pk}",
        {"title": "t" * 201, "summary": "s" * 100_000, "language": "en", "visibility": "all"},
    )
    assert {"title", "summary"} <= form_errors(response).keys()
    assert not Guide.objects.exists()


def test_editing_settings_of_a_published_guide_opens_no_new_version(editor, published_guide, brand_fr):
    response = editor.post(
        f"/guides/{published_guide.pk}/edit/",
        {
            "title": "Spotting a fake Chrono",
            "summary": "Look at the back first.",
            "language": "en",
            "category": "watches_jewellery",
            "visibility": "selected",
            "countries": ["FR"],
        },
    )
    assert response.status_code == 302
    guide = Guide.objects.get(pk=published_guide.pk)
    assert guide.category == "watches_jewellery" and not guide.visible_to_all
    assert guide.versions.count() == 1


def test_editing_the_title_of_a_published_guide_opens_a_draft(editor, published_guide):
    response = editor.post(
        f"/guides/{published_guide.pk}/edit/",
        {"title": "New title", "summary": "Look at the back first.", "language": "en", "visibility": "all"},
    )
    assert response.status_code == 302
    versions = list(GuideVersion.objects.filter(guide=published_guide).order_by("number"))
    assert [(v.number, v.status, v.title) for v in versions] == [
        (1, "published", "Spotting a fake Chrono"),
        (2, "draft", "New title"),
    ]
    assert Guide.objects.get(pk=published_guide.pk).status == GuideStatus.PUBLISHED


def test_the_edit_form_shows_the_current_values(editor, published_guide):
    form = editor.get(f"/guides/{published_guide.pk}/edit/").context["form"]
    assert form.initial["title"] == "Spotting a fake Chrono" and form.initial["visibility"] == "all"


def test_a_bad_edit_is_an_error_and_changes_nothing(editor, published_guide):
    response = editor.post(
        f"/guides/{published_guide.pk}/edit/",
        {"title": "", "language": "en", "visibility": "selected", "countries": ["DE"]},
    )
    assert "title" in form_errors(response)
    guide = Guide.objects.get(pk=published_guide.pk)
    assert guide.visible_to_all and guide.versions.count() == 1


def test_delete_a_guide_after_confirmation(editor, draft_guide):
    page = editor.get(f"/guides/{draft_guide.pk}/delete/")
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()
    assert Guide.objects.filter(pk=draft_guide.pk).exists()
    response = editor.post(f"/guides/{draft_guide.pk}/delete/")
    assert response.status_code == 302
    assert not Guide.objects.filter(pk=draft_guide.pk).exists()


def test_add_a_translation(editor, published_guide):
    response = editor.post(
        f"/guides/{published_guide.pk}/translate/",
        {"title": "Repérer une fausse Chrono", "language": "fr", "visibility": "all"},
    )
    assert response.status_code == 302
    french = Guide.objects.get(language="fr")
    assert french.translation_group == published_guide.translation_group
    assert french.versions.get().title == "Repérer une fausse Chrono"
    twin = editor.post(
        f"/guides/{published_guide.pk}/translate/", {"title": "Encore", "language": "fr", "visibility": "all"}
    )
    assert "language" in form_errors(twin)
    same = editor.post(
        f"/guides/{published_guide.pk}/translate/", {"title": "Same", "language": "en", "visibility": "all"}
    )
    assert "language" in form_errors(same)
    assert Guide.objects.count() == 2


# --------------------------------------------------------------------------- indicators


def indicator_post(**fields):
    return {
        "title": "Stitches on the left seam",
        "description": "Genuine: 8 per cm. Fakes: 5.",
        "location": "left seam",
        "kind": "check",
        "importance": "decisive",
        "genuine_image": png("genuine.png"),
        "counterfeit_image": png("fake.png"),
        **fields,
    }


def test_add_an_indicator_with_both_pictures(editor, draft_guide, media):
    before = len(stored_files(media))
    response = editor.post(f"/guides/{draft_guide.pk}/indicators/new/", indicator_post())
    indicator = Indicator.objects.get(title="Stitches on the left seam")
    assert response.status_code == 302
    assert response["Location"] == f"/guides/{draft_guide.pk}/#indicator-{indicator.key}"
    assert (indicator.importance, indicator.location, indicator.kind) == ("decisive", "left seam", "check")
    assert indicator.genuine_image.name and indicator.counterfeit_image.name
    assert indicator.genuine_image.name != indicator.counterfeit_image.name
    assert len(stored_files(media)) == before + 2


@pytest.mark.parametrize("missing", ["genuine_image", "counterfeit_image"])
def test_a_missing_picture_is_an_error_and_nothing_is_stored(editor, draft_guide, media, missing):
    before = (Indicator.objects.count(), len(stored_files(media)))
    body = indicator_post()
    del body[missing]
    response = editor.post(f"/guides/{draft_guide.pk}/indicators/new/", body)
    assert missing in form_errors(response)
    html = response.content.decode()
    assert (
        "Add a picture of a counterfeit." if missing == "counterfeit_image" else "Add a picture of the genuine item."
    ) in html
    assert (Indicator.objects.count(), len(stored_files(media))) == before


def test_a_file_that_is_not_a_picture_is_an_error(editor, draft_guide, media):
    before = (Indicator.objects.count(), len(stored_files(media)))
    svg = SimpleUploadedFile("fake.svg", SVG_WITH_SCRIPT, content_type="image/svg+xml")
    response = editor.post(f"/guides/{draft_guide.pk}/indicators/new/", indicator_post(counterfeit_image=svg))
    assert "counterfeit_image" in form_errors(response)
    assert (Indicator.objects.count(), len(stored_files(media))) == before


def test_a_bad_importance_is_an_error(editor, draft_guide):
    response = editor.post(f"/guides/{draft_guide.pk}/indicators/new/", indicator_post(importance="vital"))
    assert "importance" in form_errors(response)


def test_editing_an_indicator_of_a_published_guide_opens_a_draft(client_for, editor, published_guide):
    key = indicator_key(published_guide, "Engraved serial")
    page = editor.get(f"/guides/{published_guide.pk}/indicators/{key}/edit/")
    assert page.status_code == 200 and page.context["form"].initial["title"] == "Engraved serial"
    response = editor.post(
        f"/guides/{published_guide.pk}/indicators/{key}/edit/",
        {"title": "Engraved serial number", "kind": "check", "importance": "decisive", "location": "case back"},
    )
    assert response.status_code == 302
    draft = GuideVersion.objects.get(guide=published_guide, number=2)
    changed = draft.indicators.get(key=key)
    original = published_guide.published_version.indicators.get(key=key)
    assert changed.title == "Engraved serial number" and original.title == "Engraved serial"
    assert changed.genuine_image.name == original.genuine_image.name  # the pictures are kept
    assert "Officers keep reading version 1" in editor.get(response["Location"]).content.decode()
    officer = client_for("officer_fr").get(f"/guides/{published_guide.pk}/").content.decode()
    assert "Engraved serial number" not in officer


def test_replacing_one_picture_keeps_the_other(editor, draft_guide):
    key = indicator_key(draft_guide, "Draft seam")
    before = Indicator.objects.get(key=key)
    response = editor.post(
        f"/guides/{draft_guide.pk}/indicators/{key}/edit/",
        {"title": "Draft seam", "kind": "check", "importance": "strong", "counterfeit_image": png("new.png")},
    )
    assert response.status_code == 302
    after = Indicator.objects.get(key=key)
    assert after.genuine_image.name == before.genuine_image.name
    assert after.counterfeit_image.name != before.counterfeit_image.name


def test_saving_an_unchanged_indicator_opens_no_new_version(editor, published_guide):
    key = indicator_key(published_guide, "Logo font")
    response = editor.post(
        f"/guides/{published_guide.pk}/indicators/{key}/edit/",
        {"title": "Logo font", "kind": "check", "importance": "supporting", "location": "dial", "order": 1},
    )
    assert response.status_code == 302
    assert GuideVersion.objects.filter(guide=published_guide).count() == 1


def test_a_bad_indicator_edit_is_an_error(editor, draft_guide):
    key = indicator_key(draft_guide, "Draft seam")
    response = editor.post(
        f"/guides/{draft_guide.pk}/indicators/{key}/edit/", {"title": "", "kind": "check", "importance": "strong"}
    )
    assert "title" in form_errors(response)
    assert Indicator.objects.get(key=key).title == "Draft seam"


def test_delete_an_indicator_after_confirmation(editor, acme_editor, draft_guide):
    add_indicator(acme_editor, draft_guide, "Second")
    key = indicator_key(draft_guide, "Draft seam")
    assert editor.get(f"/guides/{draft_guide.pk}/indicators/{key}/delete/").status_code == 200
    assert Indicator.objects.filter(key=key).exists()
    assert editor.post(f"/guides/{draft_guide.pk}/indicators/{key}/delete/").status_code == 302
    assert list(Indicator.objects.filter(version__guide=draft_guide).values_list("title", flat=True)) == ["Second"]


def test_deleting_an_indicator_of_a_published_guide_keeps_it_for_officers(editor, published_guide):
    key = indicator_key(published_guide, "Logo font")
    editor.post(f"/guides/{published_guide.pk}/indicators/{key}/delete/")
    assert published_guide.published_version.indicators.filter(key=key).exists()
    draft = GuideVersion.objects.get(guide=published_guide, number=2)
    assert not draft.indicators.filter(key=key).exists()


def test_the_form_pages_render(editor, published_guide, brand_fr):
    key = indicator_key(published_guide, "Logo font")
    for path in (
        "/guides/new/",
        f"/guides/new/?brand={brand_fr.pk}",
        f"/guides/{published_guide.pk}/edit/",
        f"/guides/{published_guide.pk}/translate/",
        f"/guides/{published_guide.pk}/indicators/new/",
        f"/guides/{published_guide.pk}/indicators/{key}/edit/",
    ):
        response = editor.get(path)
        assert response.status_code == 200, path
        assert 'enctype="multipart/form-data"' in response.content.decode() or "indicators" not in path


def test_a_service_refusal_is_shown_on_the_form(editor, brand_fr, monkeypatch):
    """A refusal raised by the service (not caught by the form) is shown, not a 500."""
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"summary": ["Refused by the service."]})

    monkeypatch.setattr(services, "guide_create", refuse)
    response = editor.post(f"/guides/new/?brand={brand_fr.pk}", {"title": "x", "language": "en", "visibility": "all"})
    assert form_errors(response)["summary"] == ["Refused by the service."]


def test_extra_pictures_through_the_pages(client, acme_editor, officer_fr, brand_fr, tmp_path, settings):
    """Added with the indicator's form, shown on the reading page, removed from the form page."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from authentication_guides import services as guide_services
    from authentication_guides.models import IndicatorPicture
    from uploads import testing as pictures
    from uploads.images import clean_image

    settings.MEDIA_ROOT = tmp_path

    def png():
        return SimpleUploadedFile("p.png", pictures.image_bytes("PNG"), content_type="image/png")

    guide = guide_services.guide_create(actor=acme_editor, brand=brand_fr, data={"title": "G", "language": "en"})
    indicator = guide_services.indicator_add(
        actor=acme_editor,
        guide=guide,
        data={"title": "Seam"},
        genuine_image=clean_image(png()),
        counterfeit_image=clean_image(png()),
    )
    client.force_login(acme_editor, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/guides/{guide.pk}/indicators/{indicator.key}/edit/"
    response = client.post(
        url,
        {
            "title": "Seam",
            "kind": "check",
            "importance": "supporting",
            "extra_picture": png(),
            "extra_caption": "Fake, 2025 batch",
        },
    )
    assert response.status_code == 302
    picture = IndicatorPicture.objects.get()
    assert picture.caption == "Fake, 2025 batch"
    guide_services.guide_publish(actor=acme_editor, guide=guide)
    client.force_login(officer_fr, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/guides/{guide.pk}/").content.decode()
    assert "Fake, 2025 batch" in page
    src = re.search(r'src="([^"]+/pictures/[^"]+/file/\?version=1)"', page).group(1)
    assert client.get(src).status_code == 200
    client.force_login(acme_editor, backend="django.contrib.auth.backends.ModelBackend")
    removed = client.post(f"/guides/{guide.pk}/indicators/{indicator.key}/pictures/{picture.key}/delete/")
    assert removed.status_code == 302
    # The draft lost it; the published version keeps it for officers.
    assert IndicatorPicture.objects.filter(indicator__version__status="published").count() == 1
    assert IndicatorPicture.objects.filter(indicator__version__status="draft").count() == 0
