"""The catalogue's lists: who finds which brand and product, the search and the filters, the
pagination, whom an officer should call first, and a bounded number of queries per page."""

from __future__ import annotations

import pytest
from stdnum import ean

from brands import services
from brands.models import Brand, Product

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


def brand_names(response) -> list[str]:
    return [brand.name for brand in response.context["page"]]


def product_names(response) -> list[str]:
    return [product.name for product in response.context["page"]]


def gtin(n: int) -> str:
    base = f"76123450{n:04d}"
    return base + ean.calc_check_digit(base)


# --------------------------------------------------------------------------- the brand list


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("acme_admin", ["Lumina", "Lumina Secret"]),
        ("acme_viewer", ["Lumina", "Lumina Secret"]),
        ("other_rightholder", ["Globex Wear"]),
        ("officer_fr", ["Globex Wear", "Lumina", "Lumina Secret"]),
        ("officer_de", ["Globex Wear", "Lumina"]),
        ("platform_admin", ["Globex Wear", "Lumina", "Lumina Secret"]),
    ],
)
def test_the_catalogue_lists_exactly_the_brands_a_person_may_see(
    sign_in, request, persona, names, brand_all, brand_fr, globex_brand
):
    response = sign_in(request.getfixturevalue(persona)).get("/catalogue/")
    assert response.status_code == 200
    assert brand_names(response) == names
    html = response.content.decode()
    for hidden in {"Lumina", "Lumina Secret", "Globex Wear"} - set(names):
        assert f">{hidden}</a>" not in html


def test_right_holders_see_product_counts_and_the_new_brand_button(sign_in, acme_editor, acme_viewer, product_fr):
    response = sign_in(acme_editor).get("/catalogue/")
    counts = {brand.name: brand.product_count for brand in response.context["page"]}
    assert counts == {"Lumina Secret": 1}
    html = response.content.decode()
    assert "1 product" in html
    assert 'href="/catalogue/brands/new/"' in html
    assert 'href="/catalogue/brands/new/"' not in sign_in(acme_viewer).get("/catalogue/").content.decode()


def test_officers_see_the_owner_and_no_new_brand_button(sign_in, officer_fr, brand_fr):
    html = sign_in(officer_fr).get("/catalogue/").content.decode()
    assert "Acme Watches" in html
    assert "Only the administrations of" not in html
    assert "France" in html
    assert 'href="/catalogue/brands/new/"' not in html


@pytest.mark.parametrize(("q", "names"), [("lmn", ["Lumina"]), ("LUMINA", ["Lumina"]), ("secret", []), ("globex", [])])
def test_officers_search_brand_names_and_other_names(sign_in, officer_de, brand_all, brand_fr, q, names):
    response = sign_in(officer_de).get("/catalogue/", {"q": q})
    assert brand_names(response) == names, "brand_fr stays hidden from Germany whatever the search"


def test_the_brand_list_is_paginated(sign_in, acme_editor):
    for i in range(27):
        services.brand_create(actor=acme_editor, data={"name": f"Brand {i:02d}"})
    client = sign_in(acme_editor)
    assert len(client.get("/catalogue/").context["page"]) == 25
    assert brand_names(client.get("/catalogue/", {"page": 2})) == ["Brand 25", "Brand 26"]


# --------------------------------------------------------------------------- a brand's products


@pytest.fixture
def products(acme_editor, brand_fr):
    made = []
    for i, (name, category, hs) in enumerate(
        [
            ("Chrono Steel", "watches_jewellery", "910211"),
            ("Chrono Gold", "watches_jewellery", "910111"),
            ("Leather Strap", "leather_goods", "420229"),
        ]
    ):
        made.append(
            services.product_create(
                actor=acme_editor,
                brand=brand_fr,
                data={"name": name, "sku": f"SKU-{i}", "category": category, "hs_code": hs, "gtins": [gtin(i)]},
            )
        )
    return made


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["Chrono Gold", "Chrono Steel", "Leather Strap"]),
        ({"q": "chrono"}, ["Chrono Gold", "Chrono Steel"]),
        ({"q": "sku-2"}, ["Leather Strap"]),
        ({"q": gtin(1)}, ["Chrono Gold"]),
        ({"q": gtin(1)[1:]}, ["Chrono Gold"]),
        ({"category": "leather_goods"}, ["Leather Strap"]),
        ({"hs": "9102"}, ["Chrono Steel"]),
        ({"hs": "91"}, ["Chrono Gold", "Chrono Steel"]),
        ({"hs": "91", "q": "gold"}, ["Chrono Gold"]),
        ({"q": "nothing like it"}, []),
    ],
)
def test_product_filters(sign_in, officer_fr, brand_fr, products, params, names):
    response = sign_in(officer_fr).get(f"/catalogue/brands/{brand_fr.pk}/", params)
    assert response.status_code == 200
    assert product_names(response) == names


@pytest.mark.parametrize(("params", "field"), [({"hs": "9"}, "hs"), ({"category": "weapons"}, "category")])
def test_a_bad_filter_is_explained_and_lists_nothing(sign_in, officer_fr, brand_fr, products, params, field):
    response = sign_in(officer_fr).get(f"/catalogue/brands/{brand_fr.pk}/", params)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert product_names(response) == []


def test_products_are_paginated_by_25_keeping_the_filters(sign_in, acme_editor, brand_all):
    for i in range(30):
        services.product_create(actor=acme_editor, brand=brand_all, data={"name": f"Item {i:02d}", "category": "toys"})
    client = sign_in(acme_editor)
    first = client.get(f"/catalogue/brands/{brand_all.pk}/", {"category": "toys"})
    assert len(first.context["page"]) == 25
    assert "?category=toys&amp;page=2" in first.content.decode()
    second = client.get(f"/catalogue/brands/{brand_all.pk}/", {"category": "toys", "page": 2})
    assert product_names(second) == [f"Item {i:02d}" for i in range(25, 30)]


# --------------------------------------------------------------------------- whom to call


@pytest.fixture
def contacts(acme_editor, brand_all):
    for name, countries in [("Desk Germany", ["DE"]), ("Desk France", ["FR", "BE"]), ("Desk World", [])]:
        services.brand_item_create(
            actor=acme_editor, brand=brand_all, kind="contacts", data={"name": name, "countries": countries}
        )


def contact_names(response) -> list[str]:
    return [contact.name for contact in response.context["contacts"]]


def test_officers_see_the_contacts_for_their_country_first(sign_in, officer_fr, officer_de, brand_all, contacts):
    response = sign_in(officer_fr).get(f"/catalogue/brands/{brand_all.pk}/")
    assert contact_names(response) == ["Desk France", "Desk World", "Desk Germany"]
    assert response.content.decode().count("Covers your country") == 2
    response = sign_in(officer_de).get(f"/catalogue/brands/{brand_all.pk}/")
    assert contact_names(response) == ["Desk Germany", "Desk World", "Desk France"]


def test_the_product_page_shows_whom_to_call_and_the_supply_chain_of_the_product_or_brand(
    sign_in, acme_editor, officer_fr, brand_all, contacts
):
    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Day"})
    other = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Night"})
    for name, item_product in [("Brand-wide maker", None), ("Day maker", product), ("Night maker", other)]:
        services.brand_item_create(
            actor=acme_editor,
            brand=brand_all,
            kind="supply-chain",
            data={"role": "manufacturer", "name": name, "product": item_product and item_product.pk},
        )
    response = sign_in(officer_fr).get(f"/catalogue/products/{product.pk}/")
    assert contact_names(response) == ["Desk France", "Desk World", "Desk Germany"]
    assert sorted(entry.name for entry in response.context["supply_chain"]) == ["Brand-wide maker", "Day maker"]


def test_owners_see_contacts_in_their_own_order(sign_in, acme_viewer, brand_all, contacts):
    response = sign_in(acme_viewer).get(f"/catalogue/brands/{brand_all.pk}/")
    assert contact_names(response) == ["Desk France", "Desk Germany", "Desk World"]
    assert "Covers your country" not in response.content.decode()


# --------------------------------------------------------------------------- navigation


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("acme_viewer", True), ("officer_fr", True), ("coordinator_fr", True), ("platform_admin", False)],
)
def test_the_catalogue_is_in_the_navigation(sign_in, request, persona, shown):
    html = sign_in(request.getfixturevalue(persona)).get("/").content.decode()
    assert ('href="/catalogue/"' in html) is shown


# --------------------------------------------------------------------------- bounded queries


def fill(acme_editor, start: int, stop: int):
    """Brands `start`..`stop` (limited to two countries); on brand 0, as many products, each
    with a GTIN, a picture, a contact, a supply-chain entry and a trade mark."""
    from uploads.images import clean_image
    from uploads.testing import image_bytes, upload

    for i in range(start, stop):
        services.brand_create(
            actor=acme_editor,
            data={"name": f"Brand {i:02d}", "visibility": {"all": False, "countries": ["FR", "BE"]}},
        )
    first = Brand.objects.get(name="Brand 00")
    image = clean_image(upload(image_bytes()))
    for i in range(start, stop):
        product = services.product_create(
            actor=acme_editor, brand=first, data={"name": f"Product {i:02d}", "gtins": [gtin(i)], "hs_code": "910211"}
        )
        services.product_image_add(actor=acme_editor, product=product, image=image, caption=str(i))
        services.brand_item_create(actor=acme_editor, brand=first, kind="contacts", data={"name": f"C{i}"})
        services.brand_item_create(
            actor=acme_editor,
            brand=first,
            kind="supply-chain",
            data={"role": "distributor", "name": f"D{i}", "product": product.pk},
        )
        services.brand_item_create(
            actor=acme_editor, brand=first, kind="trademarks", data={"office": "WIPO", "number": str(i)}
        )
    return first, Product.objects.filter(brand=first).order_by("pk").first()


# Session, user, membership, organization and two-factor device (twice), then the page's own.
MAX_QUERIES = 18


@pytest.mark.parametrize("persona", ["acme_editor", "officer_fr", "platform_admin"])
def test_pages_issue_the_same_bounded_number_of_queries_for_1_or_20_rows(
    sign_in, request, acme_editor, persona, django_assert_max_num_queries
):
    client = sign_in(request.getfixturevalue(persona))
    counts = {}
    for start, stop in ((0, 1), (1, 20)):
        brand, product = fill(acme_editor, start, stop)
        paths = [
            "/catalogue/",
            "/catalogue/?q=brand",
            f"/catalogue/brands/{brand.pk}/",
            f"/catalogue/brands/{brand.pk}/?q=product&hs=9102",
            f"/catalogue/products/{product.pk}/",
        ]
        for path in paths:
            with django_assert_max_num_queries(MAX_QUERIES) as captured:
                response = client.get(path)
            assert response.status_code == 200, path
            counts.setdefault(path, []).append(len(captured))
        assert len(response.context["supply_chain"]) == 1
    assert len(client.get("/catalogue/").context["page"]) == 20
    assert all(first == second for first, second in counts.values()), counts
