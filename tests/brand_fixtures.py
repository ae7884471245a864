"""Catalogue fixtures shared by the brand tests: Acme's brands, one visible to all, one only to
France; Globex's brand (another right holder)."""

from __future__ import annotations

import pytest

from brands import services


@pytest.fixture
def brand_all(acme_editor):
    return services.brand_create(actor=acme_editor, data={"name": "Lumina", "aliases": ["LMN"]})


@pytest.fixture
def brand_fr(acme_editor):
    return services.brand_create(
        actor=acme_editor, data={"name": "Lumina Secret", "visibility": {"all": False, "countries": ["FR"]}}
    )


@pytest.fixture
def globex_brand(other_rightholder):
    return services.brand_create(actor=other_rightholder, data={"name": "Globex Wear"})


@pytest.fixture
def product_fr(acme_editor, brand_fr):
    return services.product_create(
        actor=acme_editor,
        brand=brand_fr,
        data={
            "name": "Lumina Chrono",
            "sku": "LC-1",
            "gtins": ["4006381333931"],
            "hs_code": "9102.11",
            "category": "watches_jewellery",
        },
    )
