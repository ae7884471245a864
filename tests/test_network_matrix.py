"""Every read endpoint and page of the catalogue against every enforcement persona (issue 13):
each sees exactly what its kind and jurisdiction allow.

Acme's catalogue has four brands, each with a product (with a GTIN and a picture), a published
guide and a published alert:

- `customs`: shared with customs only, in every country; its alert to French customs;
- `police_market_fr`: shared with the police and market surveillance in France only; its alert
  to both there;
- `international_de`: shared with international bodies, in Germany only; its alert to them there;
- `everyone`: shared with every kind in every country; its alert to customs, market surveillance
  and international bodies in Germany and Italy (not the police, not France).

The personas: French and German customs (tests/conftest.py), French police, German market
surveillance, an international body covering DE, ES and FR and one covering only IT
(tests/network_fixtures.py); for contrast Acme's viewer and a platform admin (everything), another
right holder (nothing) and anonymous.

What each gets is derived from one rule, `sees` below; the tables are the brands' and alerts'
sharing, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from alerts import services as alert_services
from alerts.models import AlertAcknowledgement, Case
from authentication_guides import services as guide_services
from brands import services
from uploads.images import clean_image
from uploads.testing import image_bytes, upload

from .alerts_fixtures import alert_data, case_data
from .matrix import ANONYMOUS, SIGN_IN, UNAUTHENTICATED, Matrix
from .test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.network_fixtures"]
pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
ALL_AGENCIES = frozenset({"customs", "police", "market_surveillance", "anti_fraud", "international"})
WORD = "quorvane"  # in every brand's, product's and guide's name: one search finds them all

# --------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class Sharing:
    """Kinds of agency and countries (None: every country) a brand is shared with, or an alert
    targets."""

    agencies: frozenset[str]
    countries: frozenset[str] | None = None

    def admits(self, kind: str, jurisdiction: frozenset[str]) -> bool:
        return kind in self.agencies and (self.countries is None or bool(jurisdiction & self.countries))


# Each enforcement persona's kind and jurisdiction.
ENFORCEMENT = {
    "officer_fr": ("customs", frozenset({"FR"})),
    "officer_de": ("customs", frozenset({"DE"})),
    "police_officer_fr": ("police", frozenset({"FR"})),
    "market_officer_de": ("market_surveillance", frozenset({"DE"})),
    "international_officer": ("international", frozenset({"DE", "ES", "FR"})),
    "international_officer_it": ("international", frozenset({"IT"})),
}
SEE_ALL = {"acme_viewer", "platform_admin"}  # the owner's member, the platform
PERSONAS = [*ENFORCEMENT, *sorted(SEE_ALL), "other_rightholder", ANONYMOUS]

BRANDS = {
    "customs": Sharing(frozenset({"customs"})),
    "police_market_fr": Sharing(frozenset({"police", "market_surveillance"}), frozenset({"FR"})),
    "international_de": Sharing(frozenset({"international"}), frozenset({"DE"})),
    "everyone": Sharing(ALL_AGENCIES),
}
# Each brand's published alert: whom it targets (within the brand's sharing).
ALERTS = {
    "customs": Sharing(frozenset({"customs"}), frozenset({"FR"})),
    "police_market_fr": BRANDS["police_market_fr"],
    "international_de": BRANDS["international_de"],
    "everyone": Sharing(frozenset({"customs", "market_surveillance", "international"}), frozenset({"DE", "IT"})),
}


def sees(persona: str, brand: str, *, alert: bool = False) -> bool:
    """THE rule: an enforcement persona sees a brand (its product, picture and published guide)
    when its kind is among the brand's agencies and its jurisdiction meets the brand's countries;
    the brand's alert when, besides, the alert targets its kind and a country of its jurisdiction.
    The owner's members and platform admins see everything, another right holder nothing."""
    if persona in SEE_ALL:
        return True
    if persona not in ENFORCEMENT:
        return False
    kind, jurisdiction = ENFORCEMENT[persona]
    return BRANDS[brand].admits(kind, jurisdiction) and (not alert or ALERTS[brand].admits(kind, jurisdiction))


def matrix(brand: str, *, alert: bool = False, page: bool = False) -> Matrix:
    """Who reads the brand's rows (or its alert), through the API or (`page`) the pages."""
    readers = {persona for persona in PERSONAS if sees(persona, brand, alert=alert)}
    return Matrix(readers=readers, writers=(), anonymous=SIGN_IN if page else UNAUTHENTICATED)


def test_the_rule_gives_every_persona_something_and_hides_something():
    """A table where someone sees all or nothing would test little: every enforcement persona
    sees at least one brand and one alert and misses at least one of each."""
    for persona in ENFORCEMENT:
        for alert in (False, True):
            seen = {brand for brand in BRANDS if sees(persona, brand, alert=alert)}
            assert seen and seen != set(BRANDS), (persona, alert, seen)
    # The alert's targeting matters: German customs see the customs brand but not its alert to France.
    assert sees("officer_de", "customs") and not sees("officer_de", "customs", alert=True)


# --------------------------------------------------------------------------- the catalogue


def ean13(first12: str) -> str:
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(acme_editor) -> dict[str, dict]:
    """brand key -> {brand, product, gtin, picture, guide, alert}."""
    rows = {}
    for number, (key, sharing) in enumerate(BRANDS.items(), start=1):
        visibility = {
            "all": sharing.countries is None,
            "countries": sorted(sharing.countries or ()),
            "agencies": sorted(sharing.agencies),
        }
        brand = services.brand_create(actor=acme_editor, data={"name": f"Quorvane {key}", "visibility": visibility})
        gtin = ean13(f"40063813{number:04d}")
        product = services.product_create(
            actor=acme_editor,
            brand=brand,
            data={"name": f"Quorvane {key} watch", "sku": f"Q-{number}", "gtins": [gtin]},
        )
        picture = services.product_image_add(
            actor=acme_editor, product=product, image=clean_image(upload(image_bytes())), caption="Dial", kind="front"
        )
        guide = make_guide(acme_editor, brand, f"Spotting a fake Quorvane {key}", product=product)
        add_indicator(acme_editor, guide, "Engraved serial", importance="decisive")
        guide = guide_services.guide_publish(actor=acme_editor, guide=guide)
        target = ALERTS[key]
        alert = alert_services.alert_create(
            actor=acme_editor,
            data=alert_data(
                brand,
                title=f"Fake Quorvane {key}",
                target_countries=sorted(target.countries or ()),
                target_agencies=sorted(target.agencies),
            ),
        )
        alert = alert_services.alert_publish(actor=acme_editor, alert=alert)
        rows[key] = {
            "brand": brand,
            "product": product,
            "gtin": gtin,
            "picture": picture,
            "guide": guide,
            "alert": alert,
        }
    return rows


@pytest.fixture
def people(request) -> dict:
    return {persona: request.getfixturevalue(persona) for persona in PERSONAS if persona != ANONYMOUS}


@pytest.fixture
def api_as(api, people):
    return lambda persona: api(people.get(persona))


@pytest.fixture
def pages_as(client, people):
    def make(persona: str):
        if persona != ANONYMOUS:
            client.force_login(people[persona], backend=BACKEND)
        return client

    return make


def api_reads(row: dict) -> dict[str, bool]:
    """Every API read of one brand's rows: path -> is it the alert."""
    product, picture = row["product"].pk, row["picture"].pk
    return {
        f"/api/v1/brands/{row['brand'].pk}/": False,
        f"/api/v1/brands/{row['brand'].pk}/contacts/": False,
        f"/api/v1/products/{product}/": False,
        f"/api/v1/products/lookup/?gtin={row['gtin']}": False,
        f"/api/v1/products/{product}/images/": False,
        f"/api/v1/products/{product}/images/{picture}/": False,
        f"/api/v1/products/{product}/images/{picture}/file/?size=small": False,
        f"/api/v1/guides/{row['guide'].pk}/": False,
        f"/api/v1/alerts/{row['alert'].pk}/": True,
    }


def page_reads(row: dict) -> dict[str, bool]:
    """Every page and file of one brand's rows: path -> is it the alert."""
    guide = row["guide"].pk
    return {
        f"/catalogue/brands/{row['brand'].pk}/": False,
        f"/catalogue/products/{row['product'].pk}/": False,
        f"/catalogue/media/products/{row['picture'].pk}/small/": False,
        f"/guides/{guide}/": False,
        f"/guides/{guide}/print/": False,
        f"/alerts/{row['alert'].pk}/": True,
    }


def expected_ids(catalogue, persona: str, kind: str) -> set[int]:
    """The ids of `kind` rows (brand, product, guide, alert) `persona` should find in a list."""
    return {row[kind].pk for key, row in catalogue.items() if sees(persona, key, alert=kind == "alert")}


def expected_hits(catalogue, persona: str) -> set[tuple[str, int]]:
    """(type, id) of every search hit `persona` should get for WORD: the brands it sees, their
    products and guides."""
    kinds = ("brand", "product", "guide")
    return {(kind, row[kind].pk) for key, row in catalogue.items() if sees(persona, key) for kind in kinds}


# --------------------------------------------------------------------------- the API


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_details(api_as, catalogue, persona):
    client = api_as(persona)
    got, expected = {}, {}
    for key, row in catalogue.items():
        for path, is_alert in api_reads(row).items():
            got[path] = client.get(path).status_code
            expected[path] = matrix(key, alert=is_alert).status(persona, write=False)
    assert got == expected


# DESIGN.md's API table also reads a scanned code's text (`?code=`): the same answers.
@pytest.mark.parametrize("persona", list(ENFORCEMENT))
def test_api_lookup_by_scanned_code(api_as, catalogue, persona):
    client = api_as(persona)
    got = {
        key: client.get("/api/v1/products/lookup/", {"code": row["gtin"]}).status_code
        for key, row in catalogue.items()
    }
    assert got == {key: matrix(key).status(persona, write=False) for key in catalogue}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists(api_as, catalogue, persona):
    client = api_as(persona)
    lists = {
        "brand": "/api/v1/brands/",
        "product": "/api/v1/products/",
        "guide": "/api/v1/guides/",
        "alert": "/api/v1/alerts/",
    }
    for kind, path in lists.items():
        response = client.get(path)
        if persona == ANONYMOUS:
            assert response.status_code == UNAUTHENTICATED, path
            continue
        assert response.status_code == 200, path
        assert {row["id"] for row in response.json()["results"]} == expected_ids(catalogue, persona, kind), path


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_pictures_listed_are_those_of_the_product(api_as, catalogue, persona):
    client = api_as(persona)
    for key, row in catalogue.items():
        response = client.get(f"/api/v1/products/{row['product'].pk}/images/")
        if sees(persona, key):
            assert [image["id"] for image in response.json()["results"]] == [row["picture"].pk]


@pytest.mark.parametrize("persona", PERSONAS)
def test_search_hits(api_as, catalogue, persona):
    response = api_as(persona).get("/api/v1/search/", {"q": WORD})
    if persona == ANONYMOUS:
        assert response.status_code == UNAUTHENTICATED
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert {(hit["type"], hit["id"]) for hit in body["results"]} == expected_hits(catalogue, persona)
    assert body["count"] == len(expected_hits(catalogue, persona))


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(pages_as, catalogue, persona):
    client = pages_as(persona)
    got, expected = {}, {}
    for key, row in catalogue.items():
        for path, is_alert in page_reads(row).items():
            got[path] = client.get(path).status_code
            expected[path] = matrix(key, alert=is_alert, page=True).status(persona, write=False)
    assert got == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_pages(pages_as, catalogue, persona):
    client = pages_as(persona)
    lists = {"brand": "/catalogue/", "guide": "/guides/", "alert": "/alerts/"}
    for kind, path in lists.items():
        response = client.get(path)
        if persona == ANONYMOUS:
            assert response.status_code == SIGN_IN and response["Location"].startswith("/accounts/login/"), path
            continue
        assert response.status_code == 200, path
        assert {row.pk for row in response.context["page"]} == expected_ids(catalogue, persona, kind), path
    search = client.get("/search/", {"q": WORD})
    if persona == ANONYMOUS:
        assert search.status_code == SIGN_IN
    else:
        assert {(hit.type, hit.id) for hit in search.context["hits"]} == expected_hits(catalogue, persona)


# --------------------------------------------------------------------------- writes


def case_body(persona: str, key: str, row: dict) -> dict:
    """A case about the brand; an international body names a country of its jurisdiction, one where
    the brand is shared when there is one."""
    data = case_data(row["brand"])
    kind, jurisdiction = ENFORCEMENT[persona]
    if kind == "international":
        shared = jurisdiction & (BRANDS[key].countries or jurisdiction)
        data["country"] = min(shared or jurisdiction)
    return data


@pytest.mark.parametrize("persona", list(ENFORCEMENT))
def test_a_case_about_a_brand_not_seen_is_a_400_naming_brand(api_as, catalogue, persona):
    client = api_as(persona)
    got, expected = {}, {}
    for key, row in catalogue.items():
        response = client.post("/api/v1/cases/", case_body(persona, key, row), format="json")
        body = response.json()
        got[key] = (response.status_code, set(body) if response.status_code == 400 else None)
        expected[key] = (201, None) if sees(persona, key) else (400, {"brand"})
    assert got == expected
    opened = set(Case.objects.values_list("brand_id", flat=True))
    assert opened == {row["brand"].pk for key, row in catalogue.items() if sees(persona, key)}


@pytest.mark.parametrize("persona", list(ENFORCEMENT))
def test_acknowledging_an_alert_not_targeted_is_a_404(api_as, pages_as, catalogue, persona):
    client = api_as(persona)
    got, expected = {}, {}
    for key, row in catalogue.items():
        alert = row["alert"]
        got[key] = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code
        expected[key] = matrix(key, alert=True).status(persona, write=False)
    assert got == expected
    acknowledged = set(AlertAcknowledgement.objects.values_list("alert_id", flat=True))
    assert acknowledged == expected_ids(catalogue, persona, "alert")

    page = pages_as(persona)
    for key, row in catalogue.items():
        response = page.post(f"/alerts/{row['alert'].pk}/acknowledge/")
        assert response.status_code == (302 if sees(persona, key, alert=True) else 404), key
