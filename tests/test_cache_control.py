"""Caching of confidential answers (DESIGN.md, Confidentiality rules): pages and API answers are
`Cache-Control: private, no-store`, media `private, max-age=3600`; static files keep their own
long caching, and a view that chose its own Cache-Control keeps it."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from alerts import services as case_services
from uploads.images import clean_image

from .alerts_fixtures import png

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db

NO_STORE = "private, no-store"
MEDIA = "private, max-age=3600"


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response, path: str = ""):
    assert response.status_code == 200, path
    assert {"private", "no-store"} <= directives(response), (path, response.get("Cache-Control"))
    assert "public" not in directives(response), path


def test_an_officers_guide_page_and_its_print_view_are_never_stored(client_for, published_guide):
    client = client_for("officer_fr")
    for path in (f"/guides/{published_guide.pk}/", f"/guides/{published_guide.pk}/print/", "/guides/"):
        response = client.get(path)
        assert_not_stored(response, path)
        assert response["Cache-Control"] == NO_STORE, path


def test_the_guide_api_json_is_never_stored(api, officer_fr, acme_editor, published_guide):
    for person in (officer_fr, acme_editor):
        for path in (f"/api/v1/guides/{published_guide.pk}/", "/api/v1/guides/"):
            response = api(person).get(path)
            assert response["Content-Type"].startswith("application/json")
            assert_not_stored(response, path)
            assert response["Cache-Control"] == NO_STORE, path


def test_case_pages_and_case_json_are_never_stored(client_for, api, officer_fr, acme_admin, case_fr):
    for persona in ("officer_fr", "acme_admin"):
        client = client_for(persona)
        for path in (f"/cases/{case_fr.pk}/", "/cases/"):
            response = client.get(path)
            assert_not_stored(response, path)
            assert response["Cache-Control"] == NO_STORE, path
    for person in (officer_fr, acme_admin):
        for path in (f"/api/v1/cases/{case_fr.pk}/", "/api/v1/cases/"):
            assert api(person).get(path)["Cache-Control"] == NO_STORE, path


def test_the_search_page_and_the_officers_home_are_never_stored(client_for, brand_all):
    client = client_for("officer_fr")
    for path in ("/", "/search/?q=Lumina", "/search/scan/", "/catalogue/", f"/catalogue/brands/{brand_all.pk}/"):
        response = client.get(path)
        assert_not_stored(response, path)
        assert response["Cache-Control"] == NO_STORE, path


def test_the_browsable_api_and_the_sign_in_page_are_never_stored(client, client_for, published_guide):
    sign_in = client.get("/accounts/login/")
    assert_not_stored(sign_in, "login")
    html = client_for("officer_fr").get(f"/api/v1/guides/{published_guide.pk}/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    assert_not_stored(html, "browsable API")


def test_a_redirect_and_an_error_page_are_never_stored(client, client_for, case_fr):
    redirect = client.get("/cases/")  # anonymous: to the sign-in page
    assert redirect.status_code == 302 and {"private", "no-store"} <= directives(redirect)
    missing = client_for("officer_de").get(f"/cases/{case_fr.pk}/")
    assert missing.status_code == 404 and {"private", "no-store"} <= directives(missing)
    denied = client_for("officer_de").get(f"/api/v1/cases/{case_fr.pk}/")
    assert denied.status_code == 404 and {"private", "no-store"} <= directives(denied)


def test_case_photos_are_private_for_an_hour(client_for, api, officer_fr, case_fr):
    photo = case_services.case_photo_add(actor=officer_fr, case=case_fr, image=clean_image(png()))
    page = client_for("officer_fr").get(f"/cases/{case_fr.pk}/photos/{photo.pk}/")
    assert page.status_code == 200 and page["Cache-Control"] == MEDIA
    served = api(officer_fr).get(f"/api/v1/cases/{case_fr.pk}/photos/{photo.pk}/file/")
    assert served.status_code == 200 and served["Cache-Control"] == MEDIA


def test_guide_pictures_are_private_for_an_hour(client_for, published_guide):
    client = client_for("officer_fr")
    html = client.get(f"/guides/{published_guide.pk}/").content.decode()
    sources = re.findall(r'<img src="(/api/v1/guides/[^"]+)"', html)
    assert sources
    for source in sources:
        response = client.get(source.replace("&amp;", "&"))
        assert response.status_code == 200, source
        assert response["Cache-Control"] == MEDIA, source


def test_product_pictures_their_thumbnails_and_logos_are_private_for_an_hour(
    client_for, api, acme_editor, officer_fr, brand_fr, product_fr
):
    from brands import services as brand_services
    from uploads.testing import image_bytes, upload

    picture = brand_services.product_image_add(
        actor=acme_editor, product=product_fr, image=clean_image(upload(image_bytes())), caption="Dial"
    )
    logo = clean_image(upload(image_bytes("PNG"), name="logo.png", content_type="image/png"))
    brand_services.brand_set_logo(actor=acme_editor, brand=brand_fr, image=logo)
    client = client_for("officer_fr")
    paths = [f"/catalogue/media/products/{picture.pk}/{variant}/" for variant in ("original", "small", "large")]
    for path in [*paths, f"/catalogue/media/brands/{brand_fr.pk}/logo/"]:
        response = client.get(path)
        assert response.status_code == 200 and response["Cache-Control"] == MEDIA, path
    for size in ("original", "small", "large"):
        path = f"/api/v1/products/{product_fr.pk}/images/{picture.pk}/file/?size={size}"
        response = api(officer_fr).get(path)
        assert response.status_code == 200 and response["Cache-Control"] == MEDIA, path


def test_a_view_that_sets_its_own_cache_control_keeps_it(client):
    response = client.get("/healthz")
    assert "no-cache" in directives(response) and "max-age=0" in directives(response)


def test_static_files_stay_cacheable(client, settings):
    assert finders.find("css/portal.css")
    response = client.get(settings.STATIC_URL + "css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)
    assert re.search(r"max-age=\d+", response["Cache-Control"]), response["Cache-Control"]
