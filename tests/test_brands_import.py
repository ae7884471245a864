"""Bulk import and export of products: all rows or none, each bad row reported."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import Product, ProductGTIN

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


HEADER = ["name", "sku", "gtins", "hs_code", "category", "price_min", "price_max", "price_currency", "sold_in"]


def csv_file(rows, header=HEADER, name="products.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def start(client, brand, upload, capture):
    with capture(execute=True):
        response = client.post("/api/v1/products/import/", {"brand": brand.pk, "file": upload}, format="multipart")
    return response


def test_a_good_file_imports_every_row(api, acme_editor, brand_all, django_capture_on_commit_callbacks):
    client = api(acme_editor)
    upload = csv_file(
        [
            ["Chrono", "C-1", "4006381333931", "9102.11", "watches_jewellery", "100", "150", "EUR", "FR;DE"],
            ["Shirt", "S-1", "96385074|0012345678905", "610910", "apparel", "", "", "", ""],
        ]
    )
    response = start(client, brand_all, upload, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    job = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job
    assert job["result"]["created"] == 2
    shirt = Product.objects.get(sku="S-1")
    assert shirt.gtins == ["96385074", "0012345678905"] and shirt.brand == brand_all
    assert Product.objects.get(sku="C-1").sold_in == ["FR", "DE"]


def test_a_file_with_errors_imports_nothing_and_reports_each_row(
    api, acme_editor, brand_all, product_fr, django_capture_on_commit_callbacks
):
    client = api(acme_editor)
    upload = csv_file(
        [
            ["Good", "G-1", "96385074", "610910", "apparel", "", "", "", ""],
            ["Bad digit", "B-1", "4006381333932", "610910", "apparel", "", "", "", ""],
            ["", "B-2", "", "610910", "apparel", "", "", "", ""],
            ["Bad HS", "B-3", "", "12", "apparel", "", "", "", ""],
            ["Taken", "B-4", "4006381333931", "", "apparel", "", "", "", ""],
            ["Twice", "B-5", "96385074", "", "apparel", "", "", "", ""],
            ["Bad country", "B-6", "", "", "apparel", "", "", "", "XX"],
        ]
    )
    before = Product.objects.count()
    response = start(client, brand_all, upload, django_capture_on_commit_callbacks)
    job = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["status"] == "failed"
    found = {(e["row"], e["column"]) for e in job["errors"]}
    assert found == {(3, "gtins"), (4, "name"), (5, "hs_code"), (6, "gtins"), (7, "gtins"), (8, "sold_in")}
    assert Product.objects.count() == before
    assert not ProductGTIN.objects.filter(gtin="00000096385074").exists()


def test_unknown_columns_are_reported(api, acme_editor, brand_all, django_capture_on_commit_callbacks):
    client = api(acme_editor)
    upload = csv_file([["x", "y"]], header=["title", "colour"])
    job = client.get(
        f"/api/v1/jobs/{start(client, brand_all, upload, django_capture_on_commit_callbacks).json()['id']}/"
    ).json()
    assert job["status"] == "failed"
    assert {e["column"] for e in job["errors"]} == {"name", "title", "colour"}


def test_rows_with_a_known_sku_update_the_product(
    api, acme_editor, brand_fr, product_fr, django_capture_on_commit_callbacks
):
    client = api(acme_editor)
    upload = csv_file([["Lumina Chrono II", "LC-1", "4006381333931", "910211", "watches_jewellery", "", "", "", ""]])
    job = client.get(
        f"/api/v1/jobs/{start(client, brand_fr, upload, django_capture_on_commit_callbacks).json()['id']}/"
    ).json()
    assert job["status"] == "succeeded", job
    assert job["result"] == {"created": 0, "updated": 1, "rows": 1}
    product_fr.refresh_from_db()
    assert product_fr.name == "Lumina Chrono II"


def test_xlsx_files_import_too(api, acme_editor, brand_all, django_capture_on_commit_callbacks):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "SKU", "GTINs"])
    sheet.append(["Boot", "BT-1", "96385074"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("p.xlsx", buffer.getvalue())
    client = api(acme_editor)
    job = client.get(
        f"/api/v1/jobs/{start(client, brand_all, upload, django_capture_on_commit_callbacks).json()['id']}/"
    ).json()
    assert job["status"] == "succeeded", job
    assert Product.objects.get(sku="BT-1").gtins == ["96385074"]


@pytest.mark.parametrize("persona", ["acme_viewer", "other_rightholder", "officer_fr", "platform_admin"])
def test_only_the_brands_editors_import(api, request, brand_all, persona):
    client = api(request.getfixturevalue(persona))
    response = client.post(
        "/api/v1/products/import/", {"brand": brand_all.pk, "file": csv_file([])}, format="multipart"
    )
    assert response.status_code == 400 and "brand" in response.json()


def test_export_is_the_visible_catalogue_as_csv(api, acme_editor, officer_de, brand_fr, product_fr, brand_all):
    response = api(acme_editor).get("/api/v1/products/export/", {"brand": brand_fr.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "sku", "gtins"]
    assert rows[1][:3] == ["Lumina Chrono", "LC-1", "4006381333931"]
    # The export is a right holder's copy of its own catalogue: officers read, they do not download.
    assert api(officer_de).get("/api/v1/products/export/").status_code == 403
    assert api(acme_editor).get("/api/v1/products/export/", {"brand": "²"}).status_code == 400
