"""The catalogue's brand and product pages list the guides each person may see, with a link,
and a "New guide" button for the brand's writers; listing them costs one query, however many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authentication_guides import services

from .test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_brand_and_product_pages_list_the_guides_each_person_may_see(
    client_for, acme_editor, brand_fr, product_fr, draft_guide, published_guide
):
    services.guide_update(actor=acme_editor, guide=published_guide, data={"product": product_fr.pk})
    other_category = make_guide(acme_editor, brand_fr, "Handbags only", category="leather_goods")
    brand_path, product_path = f"/catalogue/brands/{brand_fr.pk}/", f"/catalogue/products/{product_fr.pk}/"
    officer = client_for("officer_fr")
    for path in (brand_path, product_path):
        html = page(officer, path)
        assert f'href="/guides/{published_guide.pk}/"' in html, path
        assert f'href="/guides/{draft_guide.pk}/"' not in html, path
    owner = client_for("acme_viewer")
    html = page(owner, brand_path)
    for guide in (published_guide, draft_guide, other_category):
        assert f'href="/guides/{guide.pk}/"' in html
    html = page(owner, product_path)
    assert f'href="/guides/{published_guide.pk}/"' in html and f'href="/guides/{draft_guide.pk}/"' in html
    assert f'href="/guides/{other_category.pk}/"' not in html  # another category's guide
    assert "/guides/new/" not in html  # a viewer writes nothing
    editor = page(client_for("acme_editor"), product_path)
    assert f'href="/guides/new/?brand={brand_fr.pk}&amp;product={product_fr.pk}"' in editor


def test_the_number_of_guides_does_not_change_the_number_of_queries(client_for, acme_editor, brand_fr, product_fr):
    client = client_for("officer_fr")
    paths = [f"/catalogue/brands/{brand_fr.pk}/", f"/catalogue/products/{product_fr.pk}/"]
    before = [count(client, path) for path in paths]
    for number in range(12):
        guide = make_guide(acme_editor, brand_fr, f"Guide {number}", product=product_fr.pk)
        add_indicator(acme_editor, guide, "Seam")
        services.guide_publish(actor=acme_editor, guide=guide)
    assert [count(client, path) for path in paths] == before
