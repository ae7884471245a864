"""Product pictures on the product page: uploaded through the page, checked by the uploads app,
served only to people who may see the product, and edited or deleted by the owner's editors."""

from __future__ import annotations

import pytest

from brands.models import ProductImage
from uploads.testing import SVG_WITH_SCRIPT, image_bytes, jpeg_with_exif, png_bomb, truncated_jpeg, upload

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sign_in(client):
    def as_user(user):
        client.force_login(user, backend=BACKEND)
        return client

    return as_user


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_a_picture_and_serve_it_only_to_people_who_may_see_the_product(
    sign_in, acme_editor, officer_fr, officer_de, other_rightholder, product_fr, django_capture_on_commit_callbacks
):
    client = sign_in(acme_editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/catalogue/products/{product_fr.pk}/pictures/",
            {"image": upload(jpeg_with_exif(), "IMG_0001.jpg"), "caption": "Hologram on the back", "kind": "back"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/products/{product_fr.pk}/#pictures"
    picture = ProductImage.objects.get()
    assert (picture.product, picture.caption, picture.kind) == (product_fr, "Hologram on the back", "back")
    assert len(callbacks) == 1, "thumbnails are made after commit"

    page = client.get(f"/catalogue/products/{product_fr.pk}/").content.decode()
    assert f'src="/catalogue/media/products/{picture.pk}/large/"' in page
    assert "Hologram on the back" in page

    # Until the thumbnails exist, every variant is the original.
    original = body(client.get(f"/catalogue/media/products/{picture.pk}/original/"))
    assert b"SpyCam" not in original, "EXIF stripped"
    assert body(client.get(f"/catalogue/media/products/{picture.pk}/small/")) == original

    officer = sign_in(officer_fr)
    served = officer.get(f"/catalogue/media/products/{picture.pk}/original/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"].startswith("private")
    assert body(served) == original

    for outsider in (officer_de, other_rightholder):
        client = sign_in(outsider)
        for variant in ("original", "small", "large"):
            assert client.get(f"/catalogue/media/products/{picture.pk}/{variant}/").status_code == 404
        assert client.get(f"/catalogue/products/{product_fr.pk}/").status_code == 404


def test_thumbnails_are_served_once_made(sign_in, acme_editor, product_fr, django_capture_on_commit_callbacks):
    client = sign_in(acme_editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/catalogue/products/{product_fr.pk}/pictures/",
            {"image": upload(image_bytes("JPEG")), "caption": "", "kind": "front"},
        )
    picture = ProductImage.objects.get()
    assert picture.thumb_small and picture.thumb_large
    small = client.get(f"/catalogue/media/products/{picture.pk}/small/")
    assert small.status_code == 200
    assert small["Content-Type"] == "image/webp"
    assert body(small) != body(client.get(f"/catalogue/media/products/{picture.pk}/original/"))


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"just some text, not a picture", "notes.png", "image/png"),
        (SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml"),
        (None, "broken.jpg", "image/jpeg"),  # truncated JPEG
        (png_bomb(), "bomb.png", "image/png"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
)
def test_a_bad_upload_is_a_field_error_and_nothing_is_stored(
    sign_in, acme_editor, product_fr, data, name, content_type
):
    client = sign_in(acme_editor)
    data = truncated_jpeg() if data is None else data
    response = client.post(
        f"/catalogue/products/{product_fr.pk}/pictures/",
        {"image": upload(data, name, content_type), "caption": "x", "kind": "front"},
    )
    assert response.status_code == 400
    assert response.context["picture_form"].errors["image"]
    assert "Please correct the following:" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_a_picture_without_a_file_or_with_an_unknown_view_is_refused(sign_in, acme_editor, product_fr):
    client = sign_in(acme_editor)
    response = client.post(f"/catalogue/products/{product_fr.pk}/pictures/", {"caption": "x", "kind": "front"})
    assert response.status_code == 400
    assert response.context["picture_form"].errors["image"]
    response = client.post(
        f"/catalogue/products/{product_fr.pk}/pictures/", {"image": upload(image_bytes()), "kind": "selfie"}
    )
    assert response.status_code == 400
    assert response.context["picture_form"].errors["kind"]
    assert not ProductImage.objects.exists()


def test_upload_page_refuses_get(sign_in, acme_editor, product_fr):
    assert sign_in(acme_editor).get(f"/catalogue/products/{product_fr.pk}/pictures/").status_code == 405


def test_edit_and_delete_a_picture(sign_in, acme_editor, product_fr):
    client = sign_in(acme_editor)
    client.post(
        f"/catalogue/products/{product_fr.pk}/pictures/",
        {"image": upload(image_bytes()), "caption": "Dial", "kind": "front"},
    )
    picture = ProductImage.objects.get()
    response = client.post(
        f"/catalogue/pictures/{picture.pk}/edit/", {"caption": "Dial at noon", "kind": "detail", "order": "5"}
    )
    assert response.status_code == 302
    picture.refresh_from_db()
    assert (picture.caption, picture.kind, picture.order) == ("Dial at noon", "detail", 5)
    assert client.post(f"/catalogue/pictures/{picture.pk}/edit/", {"kind": "front", "order": "-3"}).status_code == 400

    assert client.get(f"/catalogue/pictures/{picture.pk}/delete/").status_code == 200
    response = client.post(f"/catalogue/pictures/{picture.pk}/delete/")
    assert response["Location"] == f"/catalogue/products/{product_fr.pk}/#pictures"
    assert not ProductImage.objects.exists()
    assert client.get(f"/catalogue/media/products/{picture.pk}/original/").status_code == 404
