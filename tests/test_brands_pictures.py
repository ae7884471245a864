"""Product pictures and brand logos through the API: checked uploads, thumbnails after commit,
and files served only to people who may see the product."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import ProductImage
from uploads import testing as pictures

from .matrix import ACME_WRITERS, ANONYMOUS, BRAND_FR_READERS, PERSONAS, UNAUTHENTICATED, Matrix

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

# A picture of product_fr is seen by whoever sees brand_fr and changed by Acme's admins and editors.
PRODUCT_FR = Matrix(readers=BRAND_FR_READERS, writers=ACME_WRITERS, anonymous=UNAUTHENTICATED)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_upload(name="p.png"):
    return SimpleUploadedFile(name, pictures.image_bytes("PNG"), content_type="image/png")


def upload(client, product, file, **fields):
    return client.post(f"/api/v1/products/{product.pk}/images/", {"image": file, **fields}, format="multipart")


def test_upload_a_picture_makes_thumbnails_after_commit(
    api, acme_editor, product_fr, django_capture_on_commit_callbacks
):
    client = api(acme_editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, product_fr, png_upload(), caption="Front", kind="front")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["caption"] == "Front" and body["kind"] == "front" and (body["width"], body["height"]) == (64, 48)
    picture = ProductImage.objects.get(pk=body["id"])
    assert picture.thumb_small and picture.thumb_large
    assert "p.png" not in picture.image.name  # stored under a random name
    product = client.get(f"/api/v1/products/{product_fr.pk}/").json()
    assert [i["id"] for i in product["images"]] == [picture.pk]
    served = client.get(product["images"][0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    small = client.get(body["thumbnails"]["small"])
    assert small.status_code == 200 and small["Content-Type"] == "image/webp"


def test_until_thumbnails_exist_the_original_is_served(api, acme_editor, product_fr):
    response = upload(api(acme_editor), product_fr, png_upload())  # on_commit never runs here
    picture = ProductImage.objects.get(pk=response.json()["id"])
    assert not picture.thumb_small
    served = api(acme_editor).get(response.json()["thumbnails"]["small"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: SimpleUploadedFile("x.png", b"just text, not a picture"), "JPEG, PNG or WebP"),
        (lambda: SimpleUploadedFile("x.svg", pictures.SVG_WITH_SCRIPT), "SVG"),
        (lambda: SimpleUploadedFile("x.jpg", pictures.truncated_jpeg()), ""),
        (lambda: SimpleUploadedFile("x.png", pictures.png_bomb()), ""),
        (lambda: SimpleUploadedFile("x.png", b"\x89PNG" + b"0" * (20 * 1024 * 1024)), "too large"),
    ],
    ids=["text-named-png", "svg-with-script", "truncated-jpeg", "decompression-bomb", "20-mb"],
)
def test_upload_attacks_are_400_and_store_nothing(api, acme_editor, product_fr, settings, make, words):
    response = upload(api(acme_editor), product_fr, make())
    assert response.status_code == 400
    message = " ".join(response.json()["image"])
    assert words in message
    assert not ProductImage.objects.exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.*"))


@pytest.fixture
def client_for(api, request):
    def make(persona):
        return api(None if persona == ANONYMOUS else request.getfixturevalue(persona))

    return make


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_uploads(client_for, product_fr, persona):
    response = upload(client_for(persona), product_fr, png_upload())
    assert response.status_code == PRODUCT_FR.status(persona, write=True, ok=201)
    assert ProductImage.objects.exists() == (persona in PRODUCT_FR.writers)


@pytest.fixture
def picture(api, acme_editor, product_fr):
    return ProductImage.objects.get(pk=upload(api(acme_editor), product_fr, png_upload()).json()["id"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_pictures_and_their_files(client_for, product_fr, picture, persona):
    client = client_for(persona)
    read = PRODUCT_FR.status(persona, write=False)
    base = f"/api/v1/products/{product_fr.pk}/images/"
    assert client.get(base).status_code == read
    assert client.get(f"{base}{picture.pk}/").status_code == read
    for size in ("original", "small", "large"):
        assert client.get(f"{base}{picture.pk}/file/", {"size": size}).status_code == read
    patch = client.patch(f"{base}{picture.pk}/", {"caption": "x"}, format="json")
    assert patch.status_code == PRODUCT_FR.status(persona, write=True)


def test_the_file_is_never_at_a_public_address(client, picture):
    assert client.get(f"/media/{picture.image.name}").status_code == 404


def test_delete_a_picture_removes_the_file(
    api, acme_editor, product_fr, picture, settings, django_capture_on_commit_callbacks
):
    path = settings.MEDIA_ROOT / picture.image.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_editor).delete(f"/api/v1/products/{product_fr.pk}/images/{picture.pk}/")
    assert response.status_code == 204
    assert not path.exists()


def test_brand_logo(api, acme_editor, officer_fr, officer_de, brand_fr):
    response = api(acme_editor).post(
        f"/api/v1/brands/{brand_fr.pk}/logo/", {"image": png_upload()}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    logo = response.json()["logo"]
    assert api(officer_fr).get(logo).status_code == 200
    assert api(officer_de).get(logo).status_code == 404
    assert (
        api(officer_fr)
        .post(f"/api/v1/brands/{brand_fr.pk}/logo/", {"image": png_upload()}, format="multipart")
        .status_code
        == 403
    )


def test_deleting_a_product_or_brand_removes_its_files(
    api, acme_editor, brand_fr, product_fr, picture, settings, django_capture_on_commit_callbacks
):
    path = settings.MEDIA_ROOT / picture.image.name
    with django_capture_on_commit_callbacks(execute=True):
        assert api(acme_editor).delete(f"/api/v1/products/{product_fr.pk}/").status_code == 204
    assert not path.exists()
    api(acme_editor).post(f"/api/v1/brands/{brand_fr.pk}/logo/", {"image": png_upload()}, format="multipart")
    brand_fr.refresh_from_db()
    logo = settings.MEDIA_ROOT / brand_fr.logo.name
    assert logo.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert api(acme_editor).delete(f"/api/v1/brands/{brand_fr.pk}/").status_code == 204
    assert not logo.exists()
