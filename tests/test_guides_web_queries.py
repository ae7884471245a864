"""The guide pages run a fixed number of queries, whether a guide has 1 or 15 indicators and
whether the list shows 1 or 15 guides."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authentication_guides import services
from brands import services as brand_services

from .test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db

# Session, user, membership, organization and two-factor device (about 7), then the page's own
# (the guide, its versions, indicators, translations, contacts, the view counter).
MAX_QUERIES = 18


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def guide_with(acme_editor, brand, indicators: int, versions: int = 1):
    guide = make_guide(acme_editor, brand, f"Guide with {indicators}")
    for number in range(indicators):
        add_indicator(acme_editor, guide, f"Indicator {number}", importance=("decisive", "strong")[number % 2])
    for _ in range(versions):
        add_indicator(acme_editor, guide, "Another")
        guide = services.guide_publish(actor=acme_editor, guide=guide)
    return guide


@pytest.mark.parametrize("persona", ["officer_fr", "acme_editor", "platform_admin"])
def test_guide_pages_do_not_grow_with_indicators(
    client_for, acme_editor, brand_fr, persona, django_assert_max_num_queries
):
    for name in ("Desk A", "Desk B"):
        brand_services.brand_item_create(actor=acme_editor, brand=brand_fr, kind="contacts", data={"name": name})
    small, large = guide_with(acme_editor, brand_fr, 1), guide_with(acme_editor, brand_fr, 15, versions=3)
    make_guide(acme_editor, brand_fr, "Translation", language="fr", translation_of=large)
    client = client_for(persona)
    for suffix in ("", "print/", "versions/"):
        counts = [count(client, f"/guides/{guide.pk}/{suffix}") for guide in (small, large)]
        assert counts[0] == counts[1], (suffix, counts)
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(f"/guides/{large.pk}/{suffix}")


@pytest.mark.parametrize("persona", ["officer_fr", "acme_editor", "platform_admin"])
def test_the_list_does_not_grow_with_guides(
    client_for, acme_editor, brand_fr, brand_all, persona, django_assert_max_num_queries
):
    client = client_for(persona)
    counts = []
    for rows in (1, 15):
        while len(client.get("/guides/").context["page"]) < rows:
            guide = make_guide(acme_editor, brand_all if rows % 2 else brand_fr, "Guide", product=None)
            add_indicator(acme_editor, guide, "Seam")
            services.guide_publish(actor=acme_editor, guide=guide)
            services.indicator_update(
                actor=acme_editor,
                guide=guide,
                key=guide.versions.get().indicators.get().key,
                data={"title": "Seam, revised"},
            )
        counts.append(count(client, "/guides/"))
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(f"/guides/?brand={brand_fr.pk}&language=en")
    assert counts[0] == counts[1], counts
