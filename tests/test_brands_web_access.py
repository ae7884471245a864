"""Who may open which catalogue page: every persona against every page and file of the catalogue.

brand_fr (Acme's, visible only to France) with its product, picture, trade mark, contact and
supply-chain entry; brand_all (Acme's, visible to every administration). Expected:
- Acme's admin and editor: every page, edit pages included;
- Acme's viewer, a platform admin, and a French officer: read; edit pages 403;
- a German officer: brand_all read (edit pages 403), anything of brand_fr 404;
- another right holder: 404 everywhere;
- anonymous: sent to sign in.
"""

from __future__ import annotations

import pytest

from brands import services
from brands.models import Brand, Contact, Product, ProductImage, SupplyChainEntry, TrademarkRegistration

from .matrix import SIGN_IN, Matrix

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
PERSONAS = [
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "officer_fr",
    "officer_de",
    "platform_admin",
    "anonymous",
]
SIGNED_IN = set(PERSONAS) - {"anonymous"}
WRITERS = {"acme_admin", "acme_editor"}
BRANDS = {
    "brand_fr": Matrix(
        readers=WRITERS | {"acme_viewer", "officer_fr", "platform_admin"}, writers=WRITERS, anonymous=SIGN_IN
    ),
    "brand_all": Matrix(
        readers=WRITERS | {"acme_viewer", "officer_fr", "officer_de", "platform_admin"},
        writers=WRITERS,
        anonymous=SIGN_IN,
    ),
}
# Anyone signed in reaches the catalogue; a right holder's admin or editor creates brands there
# (another right holder in its own organization).
NEW_BRAND = Matrix(readers=SIGNED_IN, writers=WRITERS | {"other_rightholder"}, anonymous=SIGN_IN)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(client, request):
    def make(persona):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona), backend=BACKEND)
        return client

    return make


@pytest.fixture
def catalogue(acme_editor, brand_fr, brand_all, product_fr):
    from uploads.images import clean_image
    from uploads.testing import image_bytes, upload

    product_all = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Lumina Day"})
    picture = services.product_image_add(
        actor=acme_editor, product=product_fr, image=clean_image(upload(image_bytes())), caption="Dial", kind="front"
    )
    logo = clean_image(upload(image_bytes("PNG"), name="logo.png", content_type="image/png"))
    services.brand_set_logo(actor=acme_editor, brand=brand_fr, image=logo)
    return {
        "brand_fr": brand_fr,
        "brand_all": brand_all,
        "product_fr": product_fr,
        "product_all": product_all,
        "picture": picture,
        "trademarks": services.brand_item_create(
            actor=acme_editor, brand=brand_fr, kind="trademarks", data={"office": "WIPO", "number": "1234567"}
        ),
        "contacts": services.brand_item_create(
            actor=acme_editor, brand=brand_fr, kind="contacts", data={"name": "Verification desk"}
        ),
        "supply-chain": services.brand_item_create(
            actor=acme_editor,
            brand=brand_fr,
            kind="supply-chain",
            data={"role": "manufacturer", "name": "Lumina Manufacture SA", "country": "CH"},
        ),
    }


def read_pages(c) -> list[tuple[str, str]]:
    """(brand the page belongs to, path) of every page and file a reader opens."""
    return [
        ("brand_fr", f"/catalogue/brands/{c['brand_fr'].pk}/"),
        ("brand_all", f"/catalogue/brands/{c['brand_all'].pk}/"),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/"),
        ("brand_all", f"/catalogue/products/{c['product_all'].pk}/"),
        ("brand_fr", f"/catalogue/media/products/{c['picture'].pk}/original/"),
        ("brand_fr", f"/catalogue/media/products/{c['picture'].pk}/small/"),
        ("brand_fr", f"/catalogue/media/products/{c['picture'].pk}/large/"),
        ("brand_fr", f"/catalogue/media/brands/{c['brand_fr'].pk}/logo/"),
    ]


def edit_pages(c) -> list[tuple[str, str]]:
    """(brand, path) of every edit and delete page (GET shows the form or the confirmation)."""
    fr, everyone = c["brand_fr"].pk, c["brand_all"].pk
    pages = [
        ("brand_fr", f"/catalogue/brands/{fr}/edit/"),
        ("brand_fr", f"/catalogue/brands/{fr}/delete/"),
        ("brand_all", f"/catalogue/brands/{everyone}/edit/"),
        ("brand_all", f"/catalogue/brands/{everyone}/delete/"),
        ("brand_fr", f"/catalogue/brands/{fr}/products/new/"),
        ("brand_all", f"/catalogue/brands/{everyone}/products/new/"),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/edit/"),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/delete/"),
        ("brand_all", f"/catalogue/products/{c['product_all'].pk}/edit/"),
        ("brand_fr", f"/catalogue/pictures/{c['picture'].pk}/edit/"),
        ("brand_fr", f"/catalogue/pictures/{c['picture'].pk}/delete/"),
    ]
    for kind in ("trademarks", "contacts", "supply-chain"):
        pages += [
            ("brand_fr", f"/catalogue/brands/{fr}/{kind}/new/"),
            ("brand_all", f"/catalogue/brands/{everyone}/{kind}/new/"),
            ("brand_fr", f"/catalogue/{kind}/{c[kind].pk}/edit/"),
            ("brand_fr", f"/catalogue/{kind}/{c[kind].pk}/delete/"),
        ]
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_pages_and_files(client_for, catalogue, persona):
    client = client_for(persona)
    for brand, path in read_pages(catalogue):
        response = client.get(path)
        assert response.status_code == BRANDS[brand].status(persona, write=False), (persona, path)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_pages(client_for, catalogue, persona):
    client = client_for(persona)
    for brand, path in edit_pages(catalogue):
        response = client.get(path)
        assert response.status_code == BRANDS[brand].status(persona, write=True), (persona, path)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/?next="), path


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - WRITERS))
def test_posts_by_people_who_may_not_edit_change_nothing(client_for, catalogue, persona):
    client = client_for(persona)
    c = catalogue
    fr = c["brand_fr"].pk
    posts = [
        ("brand_fr", f"/catalogue/brands/{fr}/edit/", {"name": "Hijacked", "visibility": "all"}),
        ("brand_fr", f"/catalogue/brands/{fr}/products/new/", {"name": "Fake", "category": "other"}),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/edit/", {"name": "Hijacked", "category": "other"}),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/pictures/", {"caption": "x", "kind": "front"}),
        ("brand_fr", f"/catalogue/pictures/{c['picture'].pk}/edit/", {"caption": "x", "kind": "front", "order": 1}),
        ("brand_fr", f"/catalogue/brands/{fr}/contacts/new/", {"name": "Impostor"}),
        ("brand_fr", f"/catalogue/contacts/{c['contacts'].pk}/edit/", {"name": "Impostor"}),
        ("brand_fr", f"/catalogue/pictures/{c['picture'].pk}/delete/", {}),
        ("brand_fr", f"/catalogue/trademarks/{c['trademarks'].pk}/delete/", {}),
        ("brand_fr", f"/catalogue/contacts/{c['contacts'].pk}/delete/", {}),
        ("brand_fr", f"/catalogue/supply-chain/{c['supply-chain'].pk}/delete/", {}),
        ("brand_fr", f"/catalogue/products/{c['product_fr'].pk}/delete/", {}),
        ("brand_fr", f"/catalogue/brands/{fr}/delete/", {}),
        ("brand_all", f"/catalogue/brands/{c['brand_all'].pk}/delete/", {}),
    ]
    for brand, path, data in posts:
        response = client.post(path, data)
        assert response.status_code == BRANDS[brand].status(persona, write=True), (persona, path)
    assert Brand.objects.filter(pk__in=[fr, c["brand_all"].pk]).count() == 2
    assert Brand.objects.get(pk=fr).name == "Lumina Secret"
    assert Product.objects.get(pk=c["product_fr"].pk).name == "Lumina Chrono"
    assert Product.objects.filter(brand_id=fr).count() == 1
    assert ProductImage.objects.get(pk=c["picture"].pk).caption == "Dial"
    assert TrademarkRegistration.objects.filter(pk=c["trademarks"].pk).exists()
    assert list(Contact.objects.values_list("name", flat=True)) == ["Verification desk"]
    assert SupplyChainEntry.objects.filter(pk=c["supply-chain"].pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_new_brand_page(client_for, persona):
    assert client_for(persona).get("/catalogue/brands/new/").status_code == NEW_BRAND.status(persona, write=True)


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_a_new_brand_post_by_someone_who_may_not_create_is_refused(client_for, persona):
    response = client_for(persona).post("/catalogue/brands/new/", {"name": "Nova", "visibility": "all"})
    assert response.status_code == NEW_BRAND.status(persona, write=True)
    assert not Brand.objects.filter(name="Nova").exists()


def test_catalogue_list_needs_sign_in(client):
    response = client.get("/catalogue/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/catalogue/"


def test_unknown_ids_are_404(client_for, catalogue):
    client = client_for("acme_editor")
    for path in (
        "/catalogue/brands/999999/",
        "/catalogue/products/999999/",
        "/catalogue/brands/999999/edit/",
        "/catalogue/media/products/999999/original/",
        "/catalogue/media/brands/999999/logo/",
        "/catalogue/contacts/999999/edit/",
        f"/catalogue/media/products/{catalogue['picture'].pk}/huge/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_brand_without_a_logo_has_no_logo_file(client_for, catalogue):
    assert (
        client_for("acme_viewer").get(f"/catalogue/media/brands/{catalogue['brand_all'].pk}/logo/").status_code == 404
    )


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_readers_see_no_edit_controls(client_for, catalogue, persona):
    client = client_for(persona)
    brand = client.get(f"/catalogue/brands/{catalogue['brand_fr'].pk}/").content.decode()
    product = client.get(f"/catalogue/products/{catalogue['product_fr'].pk}/").content.decode()
    for html in (brand, product):
        assert "/edit/" not in html
        assert "/delete/" not in html
        assert "/new/" not in html
        assert "/pictures/" not in html


@pytest.mark.parametrize("persona", ["acme_admin", "acme_editor"])
def test_editors_see_edit_controls(client_for, catalogue, persona):
    client = client_for(persona)
    brand = client.get(f"/catalogue/brands/{catalogue['brand_fr'].pk}/").content.decode()
    assert f"/catalogue/brands/{catalogue['brand_fr'].pk}/edit/" in brand
    assert f"/catalogue/brands/{catalogue['brand_fr'].pk}/products/new/" in brand
    assert f"/catalogue/contacts/{catalogue['contacts'].pk}/edit/" in brand
    product = client.get(f"/catalogue/products/{catalogue['product_fr'].pk}/").content.decode()
    assert f"/catalogue/products/{catalogue['product_fr'].pk}/edit/" in product
    assert f'action="/catalogue/products/{catalogue["product_fr"].pk}/pictures/"' in product
