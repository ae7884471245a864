"""Scanning a photo: barcodes decoded by zxing-cpp, GS1 data read, visible products found."""

import io

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from brands.codes import interpret

pytest_plugins = ["tests.brand_fixtures"]

GTIN = "4006381333931"


def photo(text: str, fmt) -> SimpleUploadedFile:
    barcode = zxingcpp.create_barcode(text, fmt)
    image = Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=6)).convert("RGB")
    canvas = Image.new("RGB", (image.width + 80, image.height + 80), "white")
    canvas.paste(image, (40, 40))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")


def test_gs1_digital_link():
    code = interpret("QRCode", "https://id.gs1.org/01/04006381333931/21/ABC123?10=LOT9&17=261231")
    assert (code.gtin, code.serial, code.batch) == ("04006381333931", "ABC123", "LOT9")
    assert code.expiry.isoformat() == "2026-12-31"


@pytest.mark.parametrize(
    "text", ["(01)04006381333931(17)261231(10)LOT9(21)XYZ", "\x1d01040063813339311726123110LOT9\x1d21XYZ"]
)
def test_gs1_element_strings(text):
    code = interpret("DataMatrix", text)
    assert (code.gtin, code.batch, code.serial, code.expiry.isoformat()) == (
        "04006381333931",
        "LOT9",
        "XYZ",
        "2026-12-31",
    )


def test_identifiers_the_old_table_did_not_know_lose_nothing():
    """A net weight (3103) and a price (3921) before the batch: all read, nothing lost."""
    code = interpret("DataMatrix", "\x1d0109506000134352" + "3103000150" + "17201225" + "10ABC123")
    assert (code.gtin, code.batch, code.expiry.isoformat()) == ("09506000134352", "ABC123", "2020-12-25")
    assert code.expired
    priced = interpret("DataMatrix", "\x1d0109506000134352" + "39210123" + "\x1d" + "11240102" + "21S1")
    assert (priced.gtin, priced.serial, priced.production_date.isoformat()) == ("09506000134352", "S1", "2024-01-02")
    assert not priced.expired


def test_upc_e_is_expanded_and_a_bare_sscc_is_read():
    assert interpret("UPCE", "01234565").gtin == "00012345000065"
    assert interpret("Code128", "\x1d00376104250021234569").sscc == "376104250021234569"


@pytest.mark.parametrize("text", ["", "hello", "(99", "\x1d01", "https://example.com/x", "9" * 600, "\ud800"])
def test_codes_that_say_nothing_give_nothing(text):
    code = interpret("QRCode", text)
    assert code.gtin is None and code.batch is None and code.expiry is None


def test_a_bad_check_digit_gives_no_gtin():
    assert interpret("EAN13", "4006381333932").gtin is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "fmt", "serial", "batch"),
    [
        (GTIN, zxingcpp.BarcodeFormat.EAN13, None, None),
        ("https://id.gs1.org/01/04006381333931/21/ABC123?10=LOT9", zxingcpp.BarcodeFormat.QRCode, "ABC123", "LOT9"),
        ("\x1d0104006381333931" + "10LOT9\x1d21XYZ", zxingcpp.BarcodeFormat.DataMatrix, "XYZ", "LOT9"),
    ],
    ids=["ean13", "qr-digital-link", "datamatrix-element-string"],
)
def test_a_photo_finds_the_visible_product(api, officer_fr, product_fr, text, fmt, serial, batch):
    response = api(officer_fr).post("/api/v1/search/photo/", {"image": photo(text, fmt)}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["codes"][0]["gtin"] == "0" + GTIN
    assert (body["codes"][0]["serial"], body["codes"][0]["batch"]) == (serial, batch)
    assert [p["id"] for p in body["products"]] == [product_fr.pk]


@pytest.mark.django_db
def test_an_officer_of_another_country_gets_the_code_but_no_product(api, officer_de, product_fr):
    response = api(officer_de).post(
        "/api/v1/search/photo/", {"image": photo(GTIN, zxingcpp.BarcodeFormat.EAN13)}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["codes"][0]["gtin"] == "0" + GTIN and response.json()["products"] == []


@pytest.mark.django_db
def test_a_photo_without_a_code_and_a_file_that_is_not_a_photo(api, officer_fr):
    blank = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(blank, format="PNG")
    empty = api(officer_fr).post(
        "/api/v1/search/photo/", {"image": SimpleUploadedFile("b.png", blank.getvalue())}, format="multipart"
    )
    assert empty.status_code == 200 and empty.json() == {"codes": [], "products": []}
    bad = api(officer_fr).post(
        "/api/v1/search/photo/", {"image": SimpleUploadedFile("x.png", b"text")}, format="multipart"
    )
    assert bad.status_code == 400 and "image" in bad.json()


@pytest.mark.django_db
def test_scanning_needs_an_approved_user(anonymous):
    assert anonymous.post("/api/v1/search/photo/", {}, format="multipart").status_code == 401
