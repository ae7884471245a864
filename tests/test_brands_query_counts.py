"""Catalogue lists issue a bounded number of queries, whatever the number of rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import ean

from brands import services
from uploads import testing as pictures
from uploads.images import clean_image

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fill(editor, brand, n):
    for i in range(n):
        body = f"77{brand.pk:04d}{i:06d}"
        product = services.product_create(
            actor=editor,
            brand=brand,
            data={"name": f"P{i}", "gtins": [body + ean.calc_check_digit(body)], "sold_in": ["FR"]},
        )
        services.product_image_add(
            actor=editor,
            product=product,
            image=clean_image(SimpleUploadedFile("p.png", pictures.image_bytes("PNG"))),
        )
        for kind, data in (
            ("contacts", {"name": f"C{i}"}),
            ("trademarks", {"office": "EUIPO", "number": str(i)}),
            ("supply-chain", {"role": "manufacturer", "name": f"M{i}"}),
        ):
            services.brand_item_create(actor=editor, brand=brand, kind=kind, data=data)
        services.brand_create(
            actor=editor,
            data={"name": f"Brand {brand.pk}-{i}", "visibility": {"all": False, "countries": ["FR", "DE"]}},
        )


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("persona", ["acme_editor", "officer_fr"])
def test_lists_are_bounded(api, request, acme_editor, brand_fr, persona, rows, django_assert_max_num_queries):
    fill(acme_editor, brand_fr, rows)
    client = api(request.getfixturevalue(persona))
    for path in (
        "/api/v1/brands/",
        "/api/v1/products/",
        f"/api/v1/brands/{brand_fr.pk}/contacts/",
        f"/api/v1/brands/{brand_fr.pk}/trademarks/",
        f"/api/v1/brands/{brand_fr.pk}/supply-chain/",
    ):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(path)
        assert response.status_code == 200
        assert response.json()["count"] >= rows
    product = client.get("/api/v1/products/").json()["results"][0]["id"]
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"/api/v1/products/{product}/images/").status_code == 200
