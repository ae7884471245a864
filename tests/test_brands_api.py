"""The catalogue API: shapes, validation, and who may do what."""

import pytest

from accounts.models import AuditAction, AuditEntry
from brands.models import Brand, Product, ProductGTIN

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

GTIN = "4006381333931"  # a valid EAN-13
# A new brand is shared with every kind of enforcement agency (issue 13).
ALL_AGENCIES = ["customs", "police", "market_surveillance", "anti_fraud", "international"]


def test_create_a_brand_visible_to_one_country(api, acme_editor):
    response = api(acme_editor).post(
        "/api/v1/brands/",
        {"name": "Nova", "aliases": ["NV", "ノヴァ"], "visibility": {"all": False, "countries": ["fr", "DE"]}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["visibility"] == {"all": False, "countries": ["DE", "FR"], "agencies": ALL_AGENCIES}
    assert body["aliases"] == ["NV", "ノヴァ"]
    assert body["owner"]["id"] == acme_editor.organization.pk
    assert Brand.objects.get(pk=body["id"]).owner == acme_editor.organization


def test_brand_defaults_to_every_administration(api, acme_editor):
    body = api(acme_editor).post("/api/v1/brands/", {"name": "Nova"}, format="json").json()
    assert body["visibility"] == {"all": True, "countries": [], "agencies": ALL_AGENCIES}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X" * 201}, "name"),
        ({"name": "Nova", "visibility": {"all": False, "countries": []}}, "visibility"),
        ({"name": "Nova", "visibility": {"all": False}}, "visibility"),
        ({"name": "Nova", "visibility": {"all": False, "countries": ["XX"]}}, "visibility"),
        ({"name": "Nova", "visibility": "everyone"}, "visibility"),
        ({"name": "Nova", "categories": ["weapons"]}, "categories"),
        ({"name": "Nova", "aliases": "not a list"}, "aliases"),
    ],
)
def test_bad_brand_input_is_a_field_error(api, acme_editor, body, field):
    response = api(acme_editor).post("/api/v1/brands/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Brand.objects.exists()


def test_a_second_brand_of_the_same_name_is_refused(api, acme_editor, brand_all):
    response = api(acme_editor).post("/api/v1/brands/", {"name": "LUMINA"}, format="json")
    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_only_right_holder_editors_create_brands(api, request, persona):
    response = api(request.getfixturevalue(persona)).post("/api/v1/brands/", {"name": "Nova"}, format="json")
    assert response.status_code == 403
    assert not Brand.objects.exists()


def test_create_a_product_with_gtins_and_hs_code(api, acme_editor, brand_all):
    response = api(acme_editor).post(
        "/api/v1/products/",
        {
            "brand": brand_all.pk,
            "name": "Chrono",
            "sku": "C-1",
            "gtins": ["4006-381-333931", "96385074"],
            "hs_code": "9102.11",
            "category": "watches_jewellery",
            "description": "A watch.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["gtins"] == ["4006-381-333931", "96385074"]  # shown as entered
    assert body["hs_code"] == "910211"
    assert body["brand"] == brand_all.pk and body["images"] == []
    stored = set(ProductGTIN.objects.values_list("gtin", flat=True))
    assert stored == {"04006381333931", "00000096385074"}  # normalized to GTIN-14


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"gtins": ["4006381333932"]}, "gtins", "should be 1"),
        ({"gtins": ["12345"]}, "gtins", "8, 12, 13 or 14"),
        ({"gtins": ["40063813339AB"]}, "gtins", "only digits"),
        ({"gtins": [GTIN, "04006381333931"]}, "gtins", "twice"),
        ({"hs_code": "12345"}, "hs_code", "6 to 10 digits"),
        ({"hs_code": "12345678901"}, "hs_code", "6 to 10 digits"),
        ({"category": "guns"}, "category", ""),
        ({"sold_in": ["ZZ"]}, "sold_in", ""),
        ({"price_min": "10", "price_max": "5", "price_currency": "EUR"}, "price_max", ""),
        ({"price_min": "10"}, "price_currency", ""),
    ],
)
def test_bad_product_input_explains_itself(api, acme_editor, brand_all, changes, field, words):
    body = {"brand": brand_all.pk, "name": "Chrono", **changes}
    response = api(acme_editor).post("/api/v1/products/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert words in " ".join(map(str, errors[field]))
    assert not Product.objects.exists()


def test_a_gtin_already_on_the_platform_is_refused_and_logged(api, other_rightholder, product_fr, globex_brand):
    response = api(other_rightholder).post(
        "/api/v1/products/", {"brand": globex_brand.pk, "name": "Fake", "gtins": [GTIN]}, format="json"
    )
    assert response.status_code == 400
    message = " ".join(response.json()["gtins"])
    assert "already registered" in message
    assert "Lumina" not in message and "Acme" not in message  # says nothing of who holds it
    assert not Product.objects.filter(name="Fake").exists()
    entry = AuditEntry.objects.get(action=AuditAction.GTIN_CLAIM_REFUSED)
    assert entry.actor == other_rightholder and entry.details["gtin"] == "0" + GTIN


def test_a_brand_the_person_cannot_edit_is_a_400_on_brand(
    api, acme_viewer, other_rightholder, brand_all, globex_brand
):
    for person, brand in ((other_rightholder, brand_all), (acme_viewer, brand_all)):
        response = api(person).post("/api/v1/products/", {"brand": brand.pk, "name": "X"}, format="json")
        assert response.status_code == 400 and "brand" in response.json()


def test_gtin_lookup(api, product_fr, officer_fr, officer_de, acme_viewer, other_rightholder):
    for spelling in (GTIN, "4006-381-333931", "04006381333931", " 4006 3813 33931 "):
        response = api(officer_fr).get("/api/v1/products/lookup/", {"gtin": spelling})
        assert response.status_code == 200 and response.json()["id"] == product_fr.pk
    assert api(acme_viewer).get("/api/v1/products/lookup/", {"gtin": GTIN}).status_code == 200
    assert api(officer_de).get("/api/v1/products/lookup/", {"gtin": GTIN}).status_code == 404
    assert api(other_rightholder).get("/api/v1/products/lookup/", {"gtin": GTIN}).status_code == 404
    bad = api(officer_fr).get("/api/v1/products/lookup/", {"gtin": "4006381333932"})
    assert bad.status_code == 400 and "should be 1" in bad.json()["gtin"][0]
    assert api(officer_fr).get("/api/v1/products/lookup/", {"gtin": "96385074"}).status_code == 404


def test_product_list_filters(api, acme_editor, brand_all, product_fr):
    from brands import services

    services.product_create(
        actor=acme_editor,
        brand=brand_all,
        data={"name": "Shirt", "hs_code": "610910", "category": "apparel", "sku": "SH-9"},
    )
    client = api(acme_editor)

    def names(**params):
        return {p["name"] for p in client.get("/api/v1/products/", params).json()["results"]}

    assert names() == {"Lumina Chrono", "Shirt"}
    assert names(brand=brand_all.pk) == {"Shirt"}
    assert names(hs_code="6109") == {"Shirt"}
    assert names(category="watches_jewellery") == {"Lumina Chrono"}
    assert names(q="sh-9") == {"Shirt"}
    assert names(gtin="4006-381-333931") == {"Lumina Chrono"}
    assert client.get("/api/v1/products/", {"hs_code": "61x"}).status_code == 400
    assert client.get("/api/v1/products/", {"gtin": "123"}).status_code == 400


def test_update_and_delete_a_product(api, acme_editor, acme_viewer, product_fr):
    client = api(acme_editor)
    response = client.patch(
        f"/api/v1/products/{product_fr.pk}/", {"gtins": ["96385074"], "name": "Chrono II"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["gtins"] == ["96385074"] and response.json()["name"] == "Chrono II"
    assert (
        api(acme_viewer).patch(f"/api/v1/products/{product_fr.pk}/", {"name": "X"}, format="json").status_code == 403
    )
    assert api(acme_viewer).delete(f"/api/v1/products/{product_fr.pk}/").status_code == 403
    assert client.delete(f"/api/v1/products/{product_fr.pk}/").status_code == 204
    assert not Product.objects.exists() and not ProductGTIN.objects.exists()


def test_nested_items(api, acme_editor, officer_fr, officer_de, brand_fr, product_fr):
    client = api(acme_editor)
    base = f"/api/v1/brands/{brand_fr.pk}"
    trademark = client.post(
        f"{base}/trademarks/",
        {"office": "EUIPO", "number": "018000001", "nice_classes": [14, 9], "expiry_date": "2020-01-01"},
        format="json",
    )
    assert trademark.status_code == 201, trademark.json()
    assert trademark.json()["expired"] is True and trademark.json()["nice_classes"] == [9, 14]
    contact = client.post(
        f"{base}/contacts/",
        {"name": "Brand protection desk", "phone": "+41 22 000 00 00", "countries": ["FR"], "languages": ["fr", "en"]},
        format="json",
    )
    assert contact.status_code == 201, contact.json()
    route = client.post(
        f"{base}/supply-chain/",
        {
            "role": "route",
            "origin_countries": ["CH"],
            "ports": ["Le Havre"],
            "transport_modes": ["sea"],
            "product": product_fr.pk,
        },
        format="json",
    )
    assert route.status_code == 201, route.json()
    assert route.json()["product"] == product_fr.pk
    maker = client.post(
        f"{base}/supply-chain/", {"role": "manufacturer", "name": "Lumina SA", "country": "CH"}, format="json"
    )
    assert maker.status_code == 201
    assert api(officer_fr).get(f"{base}/supply-chain/").json()["count"] == 2
    assert api(officer_de).get(f"{base}/contacts/").status_code == 404
    assert api(officer_fr).post(f"{base}/contacts/", {"name": "x"}, format="json").status_code == 403
    bad = client.post(f"{base}/supply-chain/", {"role": "manufacturer"}, format="json")
    assert bad.status_code == 400 and "name" in bad.json()
    bad = client.post(f"{base}/contacts/", {"name": "x", "languages": ["xx"]}, format="json")
    assert bad.status_code == 400 and "languages" in bad.json()
    duplicate = client.post(f"{base}/trademarks/", {"office": "EUIPO", "number": "018000001"}, format="json")
    assert duplicate.status_code == 400
    item = contact.json()["id"]
    assert client.patch(f"{base}/contacts/{item}/", {"hours": "24/7"}, format="json").json()["hours"] == "24/7"
    assert client.delete(f"{base}/contacts/{item}/").status_code == 204


def test_a_decimal_comma_is_accepted_in_prices(api, acme_editor, brand_all):
    body = {
        "brand": brand_all.pk,
        "name": "Sac",
        "price_min": "129,90",
        "price_max": "1 450,00",
        "price_currency": "eur",
    }
    response = api(acme_editor).post("/api/v1/products/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["price_min"], response.json()["price_max"]) == ("129.90", "1450.00")
    assert response.json()["price_currency"] == "EUR"
