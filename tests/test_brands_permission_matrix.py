"""Every catalogue endpoint against every persona: list, read, create, update, delete.

The brand under test (brand_fr) belongs to Acme and is visible only to French administrations.
Expected, for anything of that brand:
- Acme's admin and editor: everything;
- Acme's viewer, a French officer, a platform admin: read (lists included), writes 403;
- another right holder, a German officer: not even there (404, absent from lists);
- anonymous: 401.
"""

import pytest

from brands import services

from .matrix import UNAUTHENTICATED, Matrix

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

PERSONAS = [
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "officer_fr",
    "platform_admin",
    "other_rightholder",
    "officer_de",
    "anonymous",
]
SIGNED_IN = set(PERSONAS) - {"anonymous"}
WRITERS = {"acme_admin", "acme_editor"}
READERS = WRITERS | {"acme_viewer", "officer_fr", "platform_admin"}
BRAND_FR = Matrix(readers=READERS, writers=WRITERS, anonymous=UNAUTHENTICATED)
# Anyone signed in reaches the brand list; a right holder's admin or editor creates brands there
# (another right holder in its own organization).
BRAND_CREATION = Matrix(readers=SIGNED_IN, writers=WRITERS | {"other_rightholder"}, anonymous=UNAUTHENTICATED)


@pytest.fixture
def client_for(api, request):
    def make(persona):
        return api(None if persona == "anonymous" else request.getfixturevalue(persona))

    return make


@pytest.fixture
def catalogue(acme_editor, brand_fr, product_fr):
    items = {
        "trademarks": services.brand_item_create(
            actor=acme_editor, brand=brand_fr, kind="trademarks", data={"office": "WIPO", "number": "1234567"}
        ),
        "contacts": services.brand_item_create(
            actor=acme_editor, brand=brand_fr, kind="contacts", data={"name": "Desk"}
        ),
        "supply-chain": services.brand_item_create(
            actor=acme_editor,
            brand=brand_fr,
            kind="supply-chain",
            data={"role": "manufacturer", "name": "Maker", "country": "CH"},
        ),
    }
    return {"brand": brand_fr, "product": product_fr, **items}


NEW_ITEMS = {
    "trademarks": {"office": "EUIPO", "number": "99"},
    "contacts": {"name": "New desk"},
    "supply-chain": {"role": "distributor", "name": "Dist"},
}
UPDATES = {"trademarks": {"office": "USPTO"}, "contacts": {"hours": "9-17"}, "supply-chain": {"notes": "ok"}}


@pytest.mark.parametrize("persona", PERSONAS)
def test_brand_endpoints(client_for, catalogue, persona):
    client, brand = client_for(persona), catalogue["brand"]
    listing = client.get("/api/v1/brands/")
    if persona == "anonymous":
        assert listing.status_code == 401
    else:
        ids = {b["id"] for b in listing.json()["results"]}
        assert (brand.pk in ids) == (persona in READERS)
    assert client.get(f"/api/v1/brands/{brand.pk}/").status_code == BRAND_FR.status(persona, write=False)
    patch = client.patch(f"/api/v1/brands/{brand.pk}/", {"description": "new"}, format="json")
    assert patch.status_code == BRAND_FR.status(persona, write=True)
    delete = client.delete(f"/api/v1/brands/{brand.pk}/")
    assert delete.status_code == BRAND_FR.status(persona, write=True, ok=204)


@pytest.mark.parametrize("persona", PERSONAS)
def test_brand_create(client_for, persona):
    response = client_for(persona).post("/api/v1/brands/", {"name": "Brand new"}, format="json")
    assert response.status_code == BRAND_CREATION.status(persona, write=True, ok=201)


@pytest.mark.parametrize("kind", ["trademarks", "contacts", "supply-chain"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_brand_item_endpoints(client_for, catalogue, persona, kind):
    client, brand, item = client_for(persona), catalogue["brand"], catalogue[kind]
    base = f"/api/v1/brands/{brand.pk}/{kind}/"
    listing = client.get(base)
    assert listing.status_code == BRAND_FR.status(persona, write=False)
    if listing.status_code == 200:
        assert item.pk in {i["id"] for i in listing.json()["results"]}
    assert client.get(f"{base}{item.pk}/").status_code == BRAND_FR.status(persona, write=False)
    assert client.post(base, NEW_ITEMS[kind], format="json").status_code == BRAND_FR.status(
        persona, write=True, ok=201
    )
    patch = client.patch(f"{base}{item.pk}/", UPDATES[kind], format="json")
    assert patch.status_code == BRAND_FR.status(persona, write=True)
    assert client.delete(f"{base}{item.pk}/").status_code == BRAND_FR.status(persona, write=True, ok=204)


@pytest.mark.parametrize("persona", PERSONAS)
def test_product_endpoints(client_for, catalogue, persona):
    client, product = client_for(persona), catalogue["product"]
    listing = client.get("/api/v1/products/")
    if persona == "anonymous":
        assert listing.status_code == 401
    else:
        assert (product.pk in {p["id"] for p in listing.json()["results"]}) == (persona in READERS)
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == BRAND_FR.status(persona, write=False)
    lookup = client.get("/api/v1/products/lookup/", {"gtin": "4006381333931"})
    assert lookup.status_code == BRAND_FR.status(persona, write=False)
    patch = client.patch(f"/api/v1/products/{product.pk}/", {"sku": "X-2"}, format="json")
    assert patch.status_code == BRAND_FR.status(persona, write=True)
    create = client.post("/api/v1/products/", {"brand": catalogue["brand"].pk, "name": "New"}, format="json")
    # Naming a brand one cannot edit is an ordinary field error.
    assert create.status_code == (401 if persona == "anonymous" else 201 if persona in WRITERS else 400)
    assert client.delete(f"/api/v1/products/{product.pk}/").status_code == BRAND_FR.status(persona, write=True, ok=204)
