"""What a scanned code says (issue 17, item 6): `GET /api/v1/products/lookup/?code=` takes the
code's text as the browser read it and answers the one visible product with `codes`, the batch,
serial and dates read by biip; the scan page shows them, and flags an expiry already past."""

from __future__ import annotations

import pytest

from brands.models import Product

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

GTIN = "4006381333931"
# A GS1 DataMatrix: GTIN, a net weight (3103, unknown to the old table), expiry, then a batch.
DATAMATRIX = "\x1d0104006381333931" + "3103000150" + "17201225" + "10ABC123"
DIGITAL_LINK = "https://id.gs1.org/01/04006381333931/21/SN42?10=LOT9&11=240102"


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def lookup(client, **params):
    return client.get("/api/v1/products/lookup/", params)


def test_a_datamatrix_finds_the_product_and_says_its_batch_and_expiry(api, officer_fr, product_fr):
    response = lookup(api(officer_fr), code=DATAMATRIX, symbology="DataMatrix")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == product_fr.pk and body["name"] == "Lumina Chrono"
    (code,) = body["codes"]
    assert code["gtin"] == "0" + GTIN and code["batch"] == "ABC123" and code["expiry"] == "2020-12-25"
    assert code["format"] == "DataMatrix" and code["serial"] is None and code["sscc"] is None


def test_a_digital_link_and_a_plain_ean_find_the_product(api, officer_fr, product_fr):
    client = api(officer_fr)
    link = lookup(client, code=DIGITAL_LINK).json()
    assert link["id"] == product_fr.pk
    assert link["codes"][0] | {"text": ""} == {
        "format": "",
        "text": "",
        "gtin": "0" + GTIN,
        "serial": "SN42",
        "batch": "LOT9",
        "expiry": None,
        "production_date": "2024-01-02",
        "sscc": None,
    }
    assert lookup(client, code=GTIN, symbology="EAN13").json()["id"] == product_fr.pk
    assert "codes" not in lookup(client, gtin=GTIN).json()  # the GTIN form answers as before


@pytest.mark.parametrize("persona", ["officer_de", "other_rightholder"])
def test_who_may_not_see_the_product_gets_404(api, product_fr, persona, request):
    assert lookup(api(request.getfixturevalue(persona)), code=DATAMATRIX).status_code == 404


def test_the_owner_finds_it_and_anonymous_is_refused(api, acme_viewer, product_fr, anonymous):
    assert lookup(api(acme_viewer), code=DATAMATRIX).status_code == 200
    assert lookup(anonymous, code=DATAMATRIX).status_code == 401


@pytest.mark.parametrize(
    "code",
    ["", "   ", "hello", "https://example.com/shop", "4006381333932", "\x1d01", "9" * 501],
    ids=["empty", "blank", "words", "other-url", "bad-check-digit", "truncated", "too-long"],
)
def test_a_code_without_a_valid_gtin_is_400_naming_code(api, officer_fr, product_fr, code):
    before = Product.objects.count()
    response = lookup(api(officer_fr), code=code)
    assert response.status_code == 400 and "code" in response.json(), response.content
    assert Product.objects.count() == before


def test_a_nul_in_the_code_is_400_and_an_upc_e_is_expanded(api, officer_fr, acme_editor, brand_fr):
    from brands import services

    assert lookup(api(officer_fr), code="ab\x00cd").status_code == 400
    upc = services.product_create(actor=acme_editor, brand=brand_fr, data={"name": "Tiny", "gtins": ["012345000065"]})
    assert lookup(api(officer_fr), code="01234565", symbology="UPCE").json()["id"] == upc.pk
    assert lookup(api(officer_fr), code="01234565").status_code == 404  # read as an EAN-8 without it


def test_the_scan_page_tells_what_the_code_says_and_flags_an_expired_date(signed_in, officer_fr, product_fr):
    client = signed_in(officer_fr)
    found = client.get("/search/scan/", {"code": DATAMATRIX, "format": "DataMatrix"}, follow=True)
    assert found.redirect_chain[-1][0].endswith(f"/products/{product_fr.pk}/")
    page = found.content.decode()
    assert "batch ABC123" in page and "expired" in page
    unknown = client.get(
        "/search/scan/", {"code": "\x1d0109506000134352" + "17201225" + "10XYZ", "format": "DataMatrix"}
    )
    assert unknown.status_code == 200
    text = unknown.content.decode()
    assert "XYZ" in text and 'datetime="2020-12-25"' in text and "expired: a clue on goods in transit" in text


# --- Two interactions (issue 17, item 1): an officer's scan that finds one product with a guide
# opens the guide at its indicators (decisive first), the product named on top.


@pytest.fixture
def guides_of_product(acme_editor, brand_fr, product_fr):
    from authentication_guides import services as guides
    from tests.test_guides_web_support import add_indicator, make_guide

    general = make_guide(acme_editor, brand_fr, "Any Lumina watch")
    add_indicator(acme_editor, general, "Case back")
    guides.guide_publish(actor=acme_editor, guide=general)
    own = make_guide(acme_editor, brand_fr, "Spotting a fake Chrono", product=product_fr.pk)
    add_indicator(acme_editor, own, "Crown", importance="decisive")
    guides.guide_publish(actor=acme_editor, guide=own)
    draft = make_guide(acme_editor, brand_fr, "Newer draft", product=product_fr.pk)
    add_indicator(acme_editor, draft, "Strap")
    return {"general": general, "own": own, "draft": draft}


def test_an_officers_scan_opens_the_products_guide(signed_in, officer_fr, product_fr, guides_of_product):
    response = signed_in(officer_fr).get("/search/scan/", {"code": DATAMATRIX, "format": "DataMatrix"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/guides/{guides_of_product['own'].pk}/#indicators"
    page = response.content.decode()
    assert "Scanned 04006381333931: Lumina Chrono." in page and "batch ABC123" in page
    assert f'href="/catalogue/products/{product_fr.pk}/"' in page  # the product one tap away


def test_without_a_guide_of_its_own_the_brands_general_guide_opens(
    signed_in, acme_editor, officer_fr, product_fr, guides_of_product
):
    from authentication_guides import services as guides

    guides.guide_archive(actor=acme_editor, guide=guides_of_product["own"])
    response = signed_in(officer_fr).get("/search/scan/", {"code": GTIN, "format": "EAN13"})
    assert response["Location"] == f"/guides/{guides_of_product['general'].pk}/#indicators"


def test_with_no_guide_or_for_the_owner_the_product_page_opens(signed_in, officer_fr, acme_viewer, product_fr):
    response = signed_in(officer_fr).get("/search/scan/", {"code": GTIN, "format": "EAN13"})
    assert response["Location"] == f"/catalogue/products/{product_fr.pk}/"
    response = signed_in(acme_viewer).get("/search/scan/", {"code": GTIN, "format": "EAN13"})
    assert response["Location"] == f"/catalogue/products/{product_fr.pk}/"
