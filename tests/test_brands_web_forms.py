"""The catalogue's forms in the browser: what is typed is what is stored and shown again, and bad
input comes back as messages next to the fields (400), with nothing stored and never a 500."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import AuditAction, AuditEntry
from brands import services
from brands.models import Brand, Contact, Product, ProductGTIN, SupplyChainEntry, TrademarkRegistration

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

# A new brand is shared with every kind of enforcement agency (issue 13).
ALL_AGENCIES = ["customs", "police", "market_surveillance", "anti_fraud", "international"]
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    return client


def errors_of(response, field: str) -> list[str]:
    return [str(message) for message in response.context["form"].errors.get(field, [])]


# --------------------------------------------------------------------------- brands


def test_create_a_brand_visible_to_two_countries(editor, acme):
    response = editor.post(
        "/catalogue/brands/new/",
        {
            "name": "Lumina",
            "aliases": "LMN\nLumina, Inc.\n\n",
            "description": "Swiss watches since 1901.",
            "categories": ["watches_jewellery", "leather_goods"],
            "visibility": "selected",
            "countries": ["FR", "BE"],
        },
    )
    brand = Brand.objects.get(name="Lumina")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/brands/{brand.pk}/"
    assert brand.owner == acme
    assert brand.aliases == ["LMN", "Lumina, Inc."], "one alias per line, commas kept"
    assert brand.categories == ["watches_jewellery", "leather_goods"]
    assert brand.visibility == {"all": False, "countries": ["BE", "FR"], "agencies": ALL_AGENCIES}

    page = editor.get(response["Location"]).content.decode()
    assert "Only the administrations of:" in page
    assert "Belgium, France" in page
    assert "LMN, Lumina, Inc." in page
    assert "Watches and jewellery, Leather goods" in page


def test_a_new_brand_is_visible_to_every_administration_by_default(editor):
    form = editor.get("/catalogue/brands/new/").context["form"]
    assert form["visibility"].value() == "all"
    editor.post("/catalogue/brands/new/", {"name": "Nova", "visibility": "all", "countries": ["FR"]})
    brand = Brand.objects.get(name="Nova")
    assert brand.visibility == {"all": True, "countries": [], "agencies": ALL_AGENCIES}
    assert "Every country" in editor.get(f"/catalogue/brands/{brand.pk}/").content.decode()


def test_limited_visibility_without_a_country_is_a_field_error(editor):
    response = editor.post("/catalogue/brands/new/", {"name": "Nova", "visibility": "selected"})
    assert response.status_code == 400
    assert errors_of(response, "countries") == [
        "Choose at least one country, or make the brand visible to every administration."
    ]
    assert "Please correct the following:" in response.content.decode()
    assert not Brand.objects.filter(name="Nova").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "visibility": "all"}, "name"),
        ({"name": "Nova", "visibility": "some"}, "visibility"),
        ({"name": "Nova", "visibility": "selected", "countries": ["XX"]}, "countries"),
        ({"name": "Nova", "visibility": "all", "categories": ["weapons"]}, "categories"),
        ({"name": "N" * 201, "visibility": "all"}, "name"),
    ],
)
def test_bad_brand_input_is_a_field_error(editor, data, field):
    response = editor.post("/catalogue/brands/new/", data)
    assert response.status_code == 400
    assert errors_of(response, field)
    assert not Brand.objects.exists()


def test_a_second_brand_of_the_same_name_is_refused_on_the_name(editor, brand_all):
    response = editor.post("/catalogue/brands/new/", {"name": "LUMINA", "visibility": "all"})
    assert response.status_code == 400
    assert errors_of(response, "name") == ["Your organization already has a brand with this name."]
    assert Brand.objects.count() == 1


def test_edit_a_brand_shows_what_is_stored_and_saves_changes(editor, brand_fr):
    form = editor.get(f"/catalogue/brands/{brand_fr.pk}/edit/").context["form"]
    assert form["name"].value() == "Lumina Secret"
    assert form["visibility"].value() == "selected"
    assert form["countries"].value() == ["FR"]

    response = editor.post(
        f"/catalogue/brands/{brand_fr.pk}/edit/",
        {"name": "Lumina Open", "aliases": "LO", "visibility": "all", "countries": ["FR"]},
    )
    assert response.status_code == 302
    brand_fr.refresh_from_db()
    assert brand_fr.name == "Lumina Open"
    assert brand_fr.aliases == ["LO"]
    assert brand_fr.visibility == {"all": True, "countries": [], "agencies": ALL_AGENCIES}


def test_editing_a_brand_to_another_brands_name_is_refused(editor, brand_fr, brand_all):
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/edit/", {"name": "lumina", "visibility": "all"})
    assert response.status_code == 400
    assert errors_of(response, "name")
    brand_fr.refresh_from_db()
    assert brand_fr.name == "Lumina Secret"
    assert brand_fr.visibility == {"all": False, "countries": ["FR"], "agencies": ALL_AGENCIES}


def test_create_a_brand_with_a_logo(editor, acme_viewer, client, officer_de):
    from uploads.testing import image_bytes, jpeg_with_exif, upload

    response = editor.post(
        "/catalogue/brands/new/", {"name": "Nova", "visibility": "all", "logo": upload(jpeg_with_exif(), "l.jpg")}
    )
    assert response.status_code == 302
    brand = Brand.objects.get(name="Nova")
    assert brand.logo.name.endswith(".jpg")
    page = editor.get(f"/catalogue/brands/{brand.pk}/").content.decode()
    assert f'src="/catalogue/media/brands/{brand.pk}/logo/"' in page
    served = editor.get(f"/catalogue/media/brands/{brand.pk}/logo/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"SpyCam" not in b"".join(served.streaming_content), "metadata stripped"

    # A new logo replaces the old one; a file that is not a picture is refused on the field.
    editor.post(
        f"/catalogue/brands/{brand.pk}/edit/",
        {"name": "Nova", "visibility": "all", "logo": upload(image_bytes("PNG"), "n.png", "image/png")},
    )
    brand.refresh_from_db()
    assert brand.logo.name.endswith(".png")
    response = editor.post(
        f"/catalogue/brands/{brand.pk}/edit/",
        {"name": "Renamed", "visibility": "all", "logo": upload(b"<svg onload=alert(1)>", "x.png", "image/png")},
    )
    assert response.status_code == 400
    assert errors_of(response, "logo")
    brand.refresh_from_db()
    assert brand.name == "Nova", "nothing saved when the logo is refused"


def test_delete_a_brand_after_confirmation(editor, brand_fr, product_fr):
    confirmation = editor.get(f"/catalogue/brands/{brand_fr.pk}/delete/")
    assert confirmation.status_code == 200
    assert "Delete the brand Lumina Secret?" in confirmation.content.decode()
    assert Brand.objects.filter(pk=brand_fr.pk).exists(), "a GET deletes nothing"
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/"
    assert not Brand.objects.filter(pk=brand_fr.pk).exists()
    assert not Product.objects.filter(pk=product_fr.pk).exists()


# --------------------------------------------------------------------------- products

PRODUCT = {
    "name": "Lumina Diver",
    "sku": "LD-300",
    "gtins": "7612345678900\n0 36000 29145 2\n\n96385074",
    "hs_code": "9102.11",
    "category": "watches_jewellery",
    "description": "Steel case, 300 m.",
    "packaging_notes": "Green box with embossed logo.",
    "price_min": "1200",
    "price_max": "1450.50",
    "price_currency": "chf",
    "sold_in": ["FR", "CH"],
}


def test_create_a_product_and_see_it_as_entered(editor, brand_all):
    response = editor.post(f"/catalogue/brands/{brand_all.pk}/products/new/", PRODUCT)
    product = Product.objects.get(name="Lumina Diver")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/products/{product.pk}/"
    assert product.brand == brand_all
    assert product.gtins == ["7612345678900", "0 36000 29145 2", "96385074"], "shown as entered"
    assert sorted(ProductGTIN.objects.values_list("gtin", flat=True)) == [
        "00000096385074",
        "00036000291452",
        "07612345678900",
    ]
    assert product.hs_code == "910211"
    assert product.price_currency == "CHF"
    assert product.sold_in == ["FR", "CH"]

    page = editor.get(f"/catalogue/products/{product.pk}/").content.decode()
    for text in ("0 36000 29145 2", "910211", "Watches and jewellery", "Green box with embossed logo.", "CHF"):
        assert text in page
    assert "France, Switzerland" in page


def test_edit_a_product_round_trip(editor, product_fr):
    form = editor.get(f"/catalogue/products/{product_fr.pk}/edit/").context["form"]
    assert form["gtins"].value() == "4006381333931"
    assert form["hs_code"].value() == "910211"
    data = {**PRODUCT, "gtins": "4006381333931\n7612345678900", "sold_in": []}
    response = editor.post(f"/catalogue/products/{product_fr.pk}/edit/", data)
    assert response.status_code == 302
    product_fr.refresh_from_db()
    assert product_fr.name == "Lumina Diver"
    assert product_fr.gtins == ["4006381333931", "7612345678900"]
    assert product_fr.sold_in == []

    editor.post(f"/catalogue/products/{product_fr.pk}/edit/", {**data, "gtins": ""})
    assert Product.objects.get(pk=product_fr.pk).gtins == []


def test_a_wrong_check_digit_is_explained_and_nothing_is_stored(editor, brand_all):
    response = editor.post(f"/catalogue/brands/{brand_all.pk}/products/new/", {**PRODUCT, "gtins": "7612345678901"})
    assert response.status_code == 400
    assert errors_of(response, "gtins") == ["“7612345678901” has a wrong check digit: the last digit should be 0."]
    assert "the last digit should be 0" in response.content.decode()
    assert not Product.objects.filter(name="Lumina Diver").exists()


def test_a_gtin_of_another_product_is_refused_logged_and_nothing_is_stored(
    client, other_rightholder, globex_brand, product_fr
):
    client.force_login(other_rightholder, backend=BACKEND)
    response = client.post(
        f"/catalogue/brands/{globex_brand.pk}/products/new/",
        {"name": "Knock-off", "category": "other", "gtins": "4006381333931"},
    )
    assert response.status_code == 400
    (message,) = errors_of(response, "gtins")
    assert "4006381333931 is already registered on the platform for another product" in message
    assert "Lumina" not in response.content.decode(), "nothing said about who holds it"
    assert not Product.objects.filter(name="Knock-off").exists()
    assert AuditEntry.objects.filter(action=AuditAction.GTIN_CLAIM_REFUSED).count() == 1


def test_a_gtin_listed_twice_is_refused(editor, brand_all):
    response = editor.post(
        f"/catalogue/brands/{brand_all.pk}/products/new/", {**PRODUCT, "gtins": "7612345678900\n07612345678900"}
    )
    assert response.status_code == 400
    assert errors_of(response, "gtins") == ["“07612345678900” is listed twice."]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"hs_code": "91"}, "hs_code", "enter 6 to 10 digits"),
        ({"hs_code": "ABCDEF"}, "hs_code", "enter 6 to 10 digits"),
        ({"gtins": "12345"}, "gtins", "a GTIN has 8, 12, 13 or 14"),
        ({"gtins": "ean-thirteen"}, "gtins", "only digits"),
        ({"price_min": "2000"}, "price_max", "below the lower one"),
        ({"price_currency": ""}, "price_currency", "currency"),
        ({"price_currency": "E1"}, "price_currency", "ISO 4217"),
        ({"price_min": "abc"}, "price_min", "number"),
        ({"price_min": "-1"}, "price_min", "greater than or equal to 0"),
        ({"category": "weapons"}, "category", "valid choice"),
        ({"sold_in": ["FR", "ZZ"]}, "sold_in", "valid choice"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_product_input_is_a_field_error(editor, brand_all, changes, field, words):
    response = editor.post(f"/catalogue/brands/{brand_all.pk}/products/new/", {**PRODUCT, **changes})
    assert response.status_code == 400
    messages = errors_of(response, field)
    assert any(words in message for message in messages), messages
    assert not Product.objects.exists()


def test_a_bad_edit_leaves_the_product_as_it_was(editor, product_fr):
    response = editor.post(f"/catalogue/products/{product_fr.pk}/edit/", {**PRODUCT, "hs_code": "12"})
    assert response.status_code == 400
    product_fr.refresh_from_db()
    assert (product_fr.name, product_fr.hs_code, product_fr.gtins) == ("Lumina Chrono", "910211", ["4006381333931"])


def test_delete_a_product_after_confirmation(editor, product_fr):
    assert editor.get(f"/catalogue/products/{product_fr.pk}/delete/").status_code == 200
    response = editor.post(f"/catalogue/products/{product_fr.pk}/delete/")
    assert response["Location"] == f"/catalogue/brands/{product_fr.brand_id}/"
    assert not Product.objects.filter(pk=product_fr.pk).exists()
    assert not ProductGTIN.objects.exists()


# --------------------------------------------------------------------------- trade marks, contacts, supply chain


def test_trade_mark_round_trip_with_the_expired_flag(editor, brand_fr):
    response = editor.post(
        f"/catalogue/brands/{brand_fr.pk}/trademarks/new/",
        {"office": "EUIPO", "number": "018000001", "nice_classes": "14, 9", "expiry_date": "2001-05-31"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/brands/{brand_fr.pk}/#trademarks"
    mark = TrademarkRegistration.objects.get()
    assert (mark.nice_classes, mark.expiry_date) == ([9, 14], datetime.date(2001, 5, 31))
    page = editor.get(f"/catalogue/brands/{brand_fr.pk}/").content.decode()
    assert "EUIPO 018000001" in page
    assert "Expired" in page

    form = editor.get(f"/catalogue/trademarks/{mark.pk}/edit/").context["form"]
    assert form["nice_classes"].value() == "9, 14"
    editor.post(
        f"/catalogue/trademarks/{mark.pk}/edit/",
        {"office": "EUIPO", "number": "018000001", "nice_classes": "14", "expiry_date": "2999-01-01"},
    )
    mark.refresh_from_db()
    assert mark.nice_classes == [14]
    assert "Expired" not in editor.get(f"/catalogue/brands/{brand_fr.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"office": "EUIPO", "number": "1", "nice_classes": "46"}, "nice_classes"),
        ({"office": "EUIPO", "number": "1", "nice_classes": "fourteen"}, "nice_classes"),
        ({"office": "EUIPO", "number": "1", "expiry_date": "31/05/2001"}, "expiry_date"),
        ({"office": "", "number": "1"}, "office"),
    ],
)
def test_bad_trade_mark_input_is_a_field_error(editor, brand_fr, data, field):
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/trademarks/new/", data)
    assert response.status_code == 400
    assert errors_of(response, field)
    assert not TrademarkRegistration.objects.exists()


def test_a_trade_mark_listed_twice_is_refused(editor, acme_editor, brand_fr):
    services.brand_item_create(
        actor=acme_editor, brand=brand_fr, kind="trademarks", data={"office": "WIPO", "number": "1"}
    )
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/trademarks/new/", {"office": "WIPO", "number": "1"})
    assert response.status_code == 400
    assert errors_of(response, "number") == ["This registration is already listed for the brand."]


def test_contact_round_trip(editor, brand_fr):
    response = editor.post(
        f"/catalogue/brands/{brand_fr.pk}/contacts/new/",
        {
            "name": "Brand protection desk",
            "title": "Anti-counterfeiting",
            "phone": "+41 22 000 00 00",
            "email": "protect@lumina.example",
            "countries": ["FR", "BE"],
            "languages": ["fr", "en"],
            "hours": "Mon–Fri 8:00–18:00 CET",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.countries, contact.languages, contact.order) == (["FR", "BE"], ["fr", "en"], 0)
    page = editor.get(f"/catalogue/brands/{brand_fr.pk}/").content.decode()
    assert "France, Belgium" in page
    assert "French, English" in page
    assert 'href="tel:+41220000000"' in page

    form = editor.get(f"/catalogue/contacts/{contact.pk}/edit/").context["form"]
    assert form["countries"].value() == ["FR", "BE"]
    response = editor.post(
        f"/catalogue/contacts/{contact.pk}/edit/", {"name": "Desk", "countries": [], "languages": ["de"]}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.countries, contact.languages, contact.phone) == ("Desk", [], ["de"], "")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Desk", "email": "not-an-address"}, "email"),
        ({"name": "Desk", "languages": ["xx"]}, "languages"),
        ({"name": "Desk", "countries": ["XX"]}, "countries"),
        ({"name": "Desk", "order": "first"}, "order"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_contact_input_is_a_field_error(editor, brand_fr, data, field):
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/contacts/new/", data)
    assert response.status_code == 400
    assert errors_of(response, field)
    assert not Contact.objects.exists()


def test_supply_chain_round_trip(editor, brand_fr, product_fr):
    response = editor.post(
        f"/catalogue/brands/{brand_fr.pk}/supply-chain/new/",
        {
            "role": "route",
            "origin_countries": ["CH"],
            "ports": "Le Havre\nCDG",
            "transport_modes": ["sea", "air"],
            "product": str(product_fr.pk),
        },
    )
    assert response.status_code == 302
    entry = SupplyChainEntry.objects.get()
    assert (entry.ports, entry.transport_modes, entry.product) == (["Le Havre", "CDG"], ["sea", "air"], product_fr)
    page = editor.get(f"/catalogue/products/{product_fr.pk}/").content.decode()
    assert "Le Havre, CDG" in page
    assert "Sea, Air" in page

    form = editor.get(f"/catalogue/supply-chain/{entry.pk}/edit/").context["form"]
    assert form["ports"].value() == "Le Havre\nCDG"
    editor.post(
        f"/catalogue/supply-chain/{entry.pk}/edit/",
        {"role": "manufacturer", "name": "Lumina SA", "country": "CH", "product": ""},
    )
    entry.refresh_from_db()
    assert (entry.role, entry.name, entry.country.code, entry.product) == ("manufacturer", "Lumina SA", "CH", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "route"}, "origin_countries"),
        ({"role": "manufacturer"}, "name"),
        ({"role": "smuggler", "name": "X"}, "role"),
        ({"role": "manufacturer", "name": "X", "country": "XX"}, "country"),
        ({"role": "route", "transport_modes": ["teleport"]}, "transport_modes"),
    ],
)
def test_bad_supply_chain_input_is_a_field_error(editor, brand_fr, data, field):
    response = editor.post(f"/catalogue/brands/{brand_fr.pk}/supply-chain/new/", data)
    assert response.status_code == 400
    assert errors_of(response, field)
    assert not SupplyChainEntry.objects.exists()


def test_a_supply_chain_entry_cannot_name_a_product_of_another_brand(editor, acme_editor, brand_all, product_fr):
    other = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Other"})
    response = editor.post(
        f"/catalogue/brands/{product_fr.brand_id}/supply-chain/new/",
        {"role": "manufacturer", "name": "X", "product": str(other.pk)},
    )
    assert response.status_code == 400
    assert errors_of(response, "product")
    assert not SupplyChainEntry.objects.exists()


@pytest.mark.parametrize("kind", ["trademarks", "contacts", "supply-chain"])
def test_delete_an_item_after_confirmation(editor, acme_editor, brand_fr, kind):
    data = {
        "trademarks": {"office": "WIPO", "number": "1"},
        "contacts": {"name": "Desk"},
        "supply-chain": {"role": "manufacturer", "name": "Maker"},
    }[kind]
    item = services.brand_item_create(actor=acme_editor, brand=brand_fr, kind=kind, data=data)
    confirmation = editor.get(f"/catalogue/{kind}/{item.pk}/delete/")
    assert confirmation.status_code == 200
    response = editor.post(f"/catalogue/{kind}/{item.pk}/delete/")
    assert response["Location"] == f"/catalogue/brands/{brand_fr.pk}/#{kind}"
    assert not type(item).objects.filter(pk=item.pk).exists()


def test_an_empty_post_shows_the_required_fields(editor, acme_editor, brand_fr, product_fr):
    from uploads.images import clean_image
    from uploads.testing import image_bytes, upload

    picture = services.product_image_add(
        actor=acme_editor, product=product_fr, image=clean_image(upload(image_bytes()))
    )
    contact = services.brand_item_create(actor=acme_editor, brand=brand_fr, kind="contacts", data={"name": "Desk"})
    for path, field in [
        ("/catalogue/brands/new/", "name"),
        (f"/catalogue/brands/{brand_fr.pk}/edit/", "name"),
        (f"/catalogue/brands/{brand_fr.pk}/products/new/", "name"),
        (f"/catalogue/products/{product_fr.pk}/edit/", "name"),
        (f"/catalogue/brands/{brand_fr.pk}/trademarks/new/", "number"),
        (f"/catalogue/brands/{brand_fr.pk}/supply-chain/new/", "role"),
        (f"/catalogue/contacts/{contact.pk}/edit/", "name"),
        (f"/catalogue/pictures/{picture.pk}/edit/", "kind"),
    ]:
        response = editor.post(path, {})
        assert response.status_code == 400, path
        assert errors_of(response, field) == ["This field is required."], path
    brand_fr.refresh_from_db()
    assert brand_fr.name == "Lumina Secret"
