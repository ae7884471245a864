"""Bulk work from a brand's page: the CSV export for the owner's members, and the product import
started as a background job for the owner's admins and editors."""

from __future__ import annotations

import csv
import io

import pytest

from brands.models import Product
from jobs.models import Job
from uploads.testing import image_bytes, upload

from .matrix import ACME_MEMBERS, ACME_WRITERS, BRAND_FR_READERS, PERSONAS, SIGN_IN, Matrix

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

# Of brand_fr: every member of Acme exports its products, its admins and editors import them; the
# others who see the brand (a French officer, a platform admin) get 403.
EXPORT = Matrix(readers=BRAND_FR_READERS, writers=ACME_MEMBERS, anonymous=SIGN_IN)
IMPORT = Matrix(readers=BRAND_FR_READERS, writers=ACME_WRITERS, anonymous=SIGN_IN)

BACKEND = "django.contrib.auth.backends.ModelBackend"


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


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("persona", PERSONAS)
def test_export_permissions(client_for, product_fr, persona):
    response = client_for(persona).get(f"/catalogue/brands/{product_fr.brand_id}/products/export.csv")
    assert response.status_code == EXPORT.status(persona, write=True)


def test_the_export_holds_the_brands_products_as_entered(client_for, product_fr, brand_all, acme_editor):
    from brands import services

    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "=HYPERLINK(1)"})
    response = client_for("acme_viewer").get(f"/catalogue/brands/{product_fr.brand_id}/products/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="lumina-secret-products.csv"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    (row,) = csv_rows(response)
    assert (row["name"], row["sku"], row["gtins"], row["hs_code"]) == (
        "Lumina Chrono",
        "LC-1",
        "4006381333931",
        "910211",
    )
    (other,) = csv_rows(client_for("acme_viewer").get(f"/catalogue/brands/{brand_all.pk}/products/export.csv"))
    assert other["name"] == "'=HYPERLINK(1)", "a formula is neutralized"


def test_only_right_holders_see_the_export_link_and_only_editors_the_import_link(client_for, brand_fr):
    path = f"/catalogue/brands/{brand_fr.pk}/"
    viewer = client_for("acme_viewer").get(path).content.decode()
    assert f"/catalogue/brands/{brand_fr.pk}/products/export.csv" in viewer
    assert "/products/import/" not in viewer
    editor = client_for("acme_editor").get(path).content.decode()
    assert f"/catalogue/brands/{brand_fr.pk}/products/import/" in editor
    officer = client_for("officer_fr").get(path).content.decode()
    assert "export.csv" not in officer


# --------------------------------------------------------------------------- import


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_page_permissions(client_for, brand_fr, persona):
    client = client_for(persona)
    path = f"/catalogue/brands/{brand_fr.pk}/products/import/"
    assert client.get(path).status_code == IMPORT.status(persona, write=True)
    data = upload(b"name\nSmuggled\n", "p.csv", "text/csv")
    assert client.post(path, {"file": data}).status_code == IMPORT.status(persona, write=True, ok=302)
    if persona not in IMPORT.writers:
        assert not Job.objects.exists()


def test_import_a_csv_through_the_page(client_for, brand_fr, django_capture_on_commit_callbacks):
    client = client_for("acme_editor")
    content = "name,sku,gtins,hs_code,category\nLumina Diver,LD-1,7612345678900,9102.11,watches_jewellery\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/catalogue/brands/{brand_fr.pk}/products/import/",
            {"file": upload(content.encode(), "products.csv", "text/csv")},
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert client.get(response["Location"]).status_code == 200
    product = Product.objects.get(name="Lumina Diver")
    assert (product.brand, product.sku, product.gtins, product.hs_code) == (
        brand_fr,
        "LD-1",
        ["7612345678900"],
        "910211",
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (None, "picture.csv"),  # a JPEG named .csv
        (b"", "empty.csv"),
        (b"not a workbook", "products.xlsx"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_at_once(client_for, brand_fr, data, name):
    data = image_bytes() if data is None else data
    response = client_for("acme_editor").post(
        f"/catalogue/brands/{brand_fr.pk}/products/import/", {"file": upload(data, name, "text/csv")}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Job.objects.exists()


def test_an_import_without_a_file_is_a_field_error(client_for, brand_fr):
    response = client_for("acme_editor").post(f"/catalogue/brands/{brand_fr.pk}/products/import/", {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
