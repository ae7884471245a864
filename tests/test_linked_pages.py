"""Alert and case pages link to what they concern (issue 17, item 4): the brand and products the
reader may open, the guides they may read, and "Open a case" pre-filled for an officer; what the
reader may not open is named, never linked."""

from __future__ import annotations

import re

import pytest

from alerts import services
from authentication_guides import services as guides
from brands import services as catalogue
from tests.alerts_fixtures import alert_data
from tests.test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def alert_on_product(acme_editor, brand_fr, product_fr):
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_fr, products=[product_fr.pk]))
    return services.alert_publish(actor=acme_editor, alert=alert)


@pytest.fixture
def guide_fr(acme_editor, brand_fr, product_fr):
    guide = make_guide(acme_editor, brand_fr, "Spotting a fake Chrono", product=product_fr.pk, language="fr")
    add_indicator(acme_editor, guide, "Crown", importance="decisive")
    guides.guide_publish(actor=acme_editor, guide=guide)
    return guide


def page(client_for, persona, alert) -> str:
    response = client_for(persona).get(f"/alerts/{alert.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_gets_the_brand_product_guide_and_a_prefilled_case(
    client_for, alert_on_product, guide_fr, brand_fr, product_fr, django_assert_max_num_queries
):
    with django_assert_max_num_queries(37):
        html = page(client_for, "officer_fr", alert_on_product)
    assert f'href="/catalogue/brands/{brand_fr.pk}/"' in html
    assert f'href="/catalogue/products/{product_fr.pk}/"' in html
    assert f'href="/guides/{guide_fr.pk}/"' in html
    assert re.search(rf'id="open-case" href="/cases/open/\?product={product_fr.pk}"', html)


def test_the_owner_gets_the_links_but_opens_no_case(client_for, alert_on_product, brand_fr, product_fr):
    html = page(client_for, "acme_editor", alert_on_product)
    assert f'href="/catalogue/products/{product_fr.pk}/"' in html
    assert f'href="/catalogue/brands/{brand_fr.pk}/"' in html
    assert 'id="open-case"' not in html


def test_an_alert_on_several_products_prefills_the_brand(client_for, acme_editor, brand_fr, product_fr):
    other = catalogue.product_create(actor=acme_editor, brand=brand_fr, data={"name": "Lumina Diver"})
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_fr, products=[product_fr.pk, other.pk]))
    services.alert_publish(actor=acme_editor, alert=alert)
    html = page(client_for, "officer_fr", alert)
    assert re.search(rf'id="open-case" href="/cases/open/\?brand={brand_fr.pk}"', html)
    assert f'href="/catalogue/products/{other.pk}/"' in html


# --- A case's page links to its brand, product and their guides the same way.


def case_page(client_for, persona, case) -> str:
    response = client_for(persona).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_links_to_its_product_and_guide(client_for, case_fr, guide_fr, brand_fr, product_fr):
    for persona in ("officer_fr", "acme_admin"):
        html = case_page(client_for, persona, case_fr)
        assert f'href="/catalogue/products/{product_fr.pk}/"' in html, persona
        assert f'href="/catalogue/brands/{brand_fr.pk}/"' in html, persona
        assert f'href="/guides/{guide_fr.pk}/"' in html, persona


def test_a_case_names_what_its_reader_may_no_longer_open(
    client_for, acme_editor, case_fr, guide_fr, brand_fr, product_fr
):
    catalogue.brand_update(actor=acme_editor, brand=brand_fr, data={"visibility": {"all": False, "countries": ["DE"]}})
    html = case_page(client_for, "officer_fr", case_fr)
    assert brand_fr.name in html and product_fr.name in html
    assert f"/catalogue/brands/{brand_fr.pk}/" not in html and f"/catalogue/products/{product_fr.pk}/" not in html
    assert f"/guides/{guide_fr.pk}/" not in html
