"""The photo search stays cheap whatever is sent: a picture that cannot be decoded at a reduced
size (PNG, WebP) is refused from its header above PHOTO_SEARCH_MAX_PIXELS, a JPEG is decoded at
a reduced scale, barcodes are read on a picture at most DECODE_MAX_SIDE pixels wide and high,
and each person has a budget of photos a minute of its own (API_THROTTLE_PHOTO)."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/search/photo/"
SCAN = "/search/scan/"
GTIN = "4006381333931"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def encoded(image: Image.Image, fmt: str, **options) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", buffer.getvalue())


def phone_photo(size: tuple[int, int], *, text: str = GTIN, fmt=zxingcpp.BarcodeFormat.EAN13, scale: int = 9):
    """A photo as a phone takes it: a textured background, a white label with the code on it,
    off centre and a little askew (the code covers about a quarter of the width at 12 MP)."""
    width, height = size
    background = Image.merge("RGB", [Image.effect_noise((width, height), 24).point(lambda v: v // 2 + 60)] * 3)
    code = Image.fromarray(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt), scale=scale))
    label = Image.new("RGB", (code.width + 160, code.height + 160), "white")
    label.paste(code.convert("RGB"), (80, 80))
    label = label.rotate(3, expand=True, fillcolor=(200, 200, 200))
    background.paste(label, (width // 3, height // 3))
    return background


@pytest.fixture
def read_sizes(monkeypatch):
    """The sizes of the pictures barcodes are read on."""
    import search.barcodes

    sizes = []
    original = search.barcodes.read_codes

    def spy(image):
        sizes.append(image.size)
        return original(image)

    monkeypatch.setattr(search.barcodes, "read_codes", spy)
    import search.api

    if hasattr(search.api, "read_codes"):
        monkeypatch.setattr(search.api, "read_codes", spy)
    return sizes


@pytest.fixture
def no_full_decoding(monkeypatch):
    """Fail if any picture is decoded (ImageFile.load) during the request."""

    def refuse(self):
        raise AssertionError(f"a {self.format} picture of {self.size} was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --------------------------------------------------------------------------- sizes


def test_a_huge_png_of_a_few_kilobytes_is_refused_before_it_is_decoded(api, officer_fr, settings, no_full_decoding):
    buffer = io.BytesIO()
    Image.new("L", (7070, 7070), 255).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 100_000  # 50 megapixels in a few dozen kilobytes
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue())
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 400
    message = " ".join(response.json()["image"])
    assert "JPEG" in message and f"{settings.PHOTO_SEARCH_MAX_PIXELS / 1_000_000:g} million" in message


def test_a_huge_webp_is_refused_before_it_is_decoded(api, officer_fr, no_full_decoding):
    upload = encoded(Image.new("RGB", (5000, 4000), "white"), "WEBP", lossless=True)
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 400 and "image" in response.json()


def test_the_budget_lets_a_12_megapixel_phone_photo_through(settings):
    assert settings.PHOTO_SEARCH_MAX_PIXELS >= 4032 * 3024


def test_a_12_megapixel_png_is_read(api, officer_fr, product_fr, read_sizes):
    upload = encoded(phone_photo((4032, 3024)).convert("L"), "PNG", compress_level=1)
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert [code["gtin"] for code in response.json()["codes"]] == ["0" + GTIN]
    assert max(read_sizes[0]) <= 2000


def test_a_12_megapixel_jpeg_is_downscaled_and_its_barcode_still_found(api, officer_fr, product_fr, read_sizes):
    upload = encoded(phone_photo((4032, 3024)), "JPEG", quality=88)
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert [code["gtin"] for code in response.json()["codes"]] == ["0" + GTIN]
    assert [p["id"] for p in response.json()["products"]] == [product_fr.pk]
    (size,) = read_sizes
    assert max(size) <= 2000 and size[0] > size[1]  # landscape kept


def test_a_qr_code_in_a_large_jpeg_is_still_found(api, officer_fr, read_sizes):
    link = "https://id.gs1.org/01/04006381333931/21/ABC123?10=LOT9"
    upload = encoded(phone_photo((6000, 4500), text=link, fmt=zxingcpp.BarcodeFormat.QRCode, scale=16), "JPEG")
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    assert [(c["gtin"], c["serial"]) for c in response.json()["codes"]] == [("0" + GTIN, "ABC123")]
    assert max(read_sizes[0]) <= 2000


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(api, officer_fr, monkeypatch):
    from PIL import JpegImagePlugin

    decoded = []
    original = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        result = original(self)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    upload = encoded(Image.new("RGB", (7070, 7070), "white"), "JPEG")
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 200
    assert decoded and all(max(size) < 7070 / 1.9 for size in decoded), decoded


def test_a_sideways_phone_photo_is_turned_upright(api, officer_fr, read_sizes):
    picture = phone_photo((3000, 2000))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    upload = encoded(picture, "JPEG", exif=exif.tobytes())
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 200
    assert read_sizes[0][0] < read_sizes[0][1]


def test_a_transparent_png_is_read_on_white(api, officer_fr):
    code = Image.fromarray(
        zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(GTIN, zxingcpp.BarcodeFormat.EAN13), scale=4)
    )
    # Black bars on a fully transparent background (whose hidden colour is black too).
    picture = Image.new("RGBA", (code.width + 80, code.height + 80), (0, 0, 0, 0))
    picture.paste(Image.new("RGBA", code.size, (0, 0, 0, 255)), (40, 40), mask=code.point(lambda v: 255 - v))
    response = api(officer_fr).post(URL, {"image": encoded(picture, "PNG")}, format="multipart")
    assert response.status_code == 200
    assert [code["gtin"] for code in response.json()["codes"]] == ["0" + GTIN]


def test_a_truncated_jpeg_is_refused(api, officer_fr):
    whole = encoded(phone_photo((1600, 1200)), "JPEG").read()
    upload = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2])
    response = api(officer_fr).post(URL, {"image": upload}, format="multipart")
    assert response.status_code == 400 and "image" in response.json()


def test_the_scan_page_refuses_a_huge_png_on_the_form(client, officer_fr, no_full_decoding):
    client.force_login(officer_fr, backend=BACKEND)
    buffer = io.BytesIO()
    Image.new("L", (7070, 7070), 255).save(buffer, format="PNG", optimize=True)
    response = client.post(SCAN, {"image": SimpleUploadedFile("bomb.png", buffer.getvalue())})
    assert response.status_code == 400
    assert response.context["form"].errors["image"]


# --------------------------------------------------------------------------- budget


def tiny() -> SimpleUploadedFile:
    return encoded(Image.new("L", (40, 40), 255), "PNG")


def test_the_default_budget_is_30_photos_a_minute(settings):
    assert settings.API_THROTTLE_PHOTO == "30/min"


def test_the_31st_photo_in_a_minute_is_refused_with_retry_after(api, officer_fr, officer_de, settings):
    settings.API_THROTTLE_USER = "1000/min"
    client = api(officer_fr)
    statuses = [client.post(URL, {"image": tiny()}, format="multipart").status_code for _ in range(30)]
    assert statuses == [200] * 30
    refused = client.post(URL, {"image": tiny()}, format="multipart")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # The rest of the API is counted apart, and so is everybody else's budget.
    assert client.get("/api/v1/me/").status_code == 200
    assert api(officer_de).post(URL, {"image": tiny()}, format="multipart").status_code == 200


def test_the_general_budget_does_not_spend_the_photo_budget(api, officer_fr, settings):
    settings.API_THROTTLE_USER = "1000/min"
    settings.API_THROTTLE_PHOTO = "2/min"
    client = api(officer_fr)
    for _ in range(5):
        assert client.get("/api/v1/me/").status_code == 200
    assert [client.post(URL, {"image": tiny()}, format="multipart").status_code for _ in range(3)] == [200, 200, 429]


def test_the_scan_page_spends_the_same_budget_and_says_so(api, client, officer_fr, settings):
    settings.API_THROTTLE_PHOTO = "2/min"
    for _ in range(2):
        assert api(officer_fr).post(URL, {"image": tiny()}, format="multipart").status_code == 200
    client.force_login(officer_fr, backend=BACKEND)
    response = client.post(SCAN, {"image": tiny()})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Try again in" in html and 'role="alert"' in html
    assert client.get(SCAN).status_code == 200  # the page itself still opens
