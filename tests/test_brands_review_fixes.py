"""Holes a review found in the catalogue, kept closed."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditAction, AuditEntry
from brands.models import Brand, Product

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_import(client, brand, text, capture, name="p.csv"):
    upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    with capture(execute=True):
        response = client.post("/api/v1/products/import/", {"brand": brand.pk, "file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    return client.get(f"/api/v1/jobs/{response.json()['id']}/").json()


def test_a_visibility_without_all_is_refused_not_widened(api, acme_editor, brand_fr, officer_de):
    response = api(acme_editor).patch(
        f"/api/v1/brands/{brand_fr.pk}/", {"visibility": {"countries": ["FR", "DE"]}}, format="json"
    )
    assert response.status_code == 400 and "visibility" in response.json()
    assert Brand.objects.get(pk=brand_fr.pk).visibility == {
        "all": False,
        "countries": ["FR"],
        "agencies": ["customs", "police", "market_surveillance", "anti_fraud", "international"],
    }
    assert not Brand.objects.restrict(officer_de, "view").filter(pk=brand_fr.pk).exists()


def test_gtins_refused_in_an_import_are_logged(
    api, other_rightholder, globex_brand, product_fr, django_capture_on_commit_callbacks
):
    job = run_import(
        api(other_rightholder), globex_brand, "name,gtins\nFake,4006381333931\n", django_capture_on_commit_callbacks
    )
    assert job["status"] == "failed"
    entry = AuditEntry.objects.get(action=AuditAction.GTIN_CLAIM_REFUSED)
    assert entry.actor == other_rightholder and entry.details["gtin"] == "04006381333931"
    assert entry.details["via"] == "import" and entry.target_id == str(product_fr.pk)


def test_an_update_row_changes_only_the_cells_it_fills(
    api, acme_editor, brand_fr, product_fr, django_capture_on_commit_callbacks
):
    job = run_import(
        api(acme_editor), brand_fr, "name,sku,gtins,category\nRenamed,lc-1,,\n", django_capture_on_commit_callbacks
    )
    assert job["status"] == "succeeded", job
    assert job["result"]["updated"] == 1 and job["result"]["created"] == 0  # the SKU matched, any case
    product_fr.refresh_from_db()
    assert product_fr.name == "Renamed"
    assert product_fr.category == "watches_jewellery" and product_fr.gtins == ["4006381333931"]


def test_an_export_imports_back(api, acme_editor, brand_fr, product_fr, django_capture_on_commit_callbacks):
    client = api(acme_editor)
    Product.objects.filter(pk=product_fr.pk).update(description="-5 % off, =cheap")
    exported = b"".join(client.get("/api/v1/products/export/", {"brand": brand_fr.pk}).streaming_content)
    job = run_import(client, brand_fr, exported.decode("utf-8-sig"), django_capture_on_commit_callbacks)
    assert job["status"] == "succeeded", job
    assert job["result"] == {"created": 0, "updated": 1, "rows": 1}
    product_fr.refresh_from_db()
    assert product_fr.description == "-5 % off, =cheap"  # the export's formula guard is undone


@pytest.mark.parametrize(("cell", "column"), [("NaN", "price_min"), ("sNaN", "price_min"), ("Infinity", "price_max")])
def test_odd_cells_are_row_errors(api, acme_editor, brand_all, django_capture_on_commit_callbacks, cell, column):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["name", column, "price_currency"], ["Thing", cell, "EUR"]])
    job = run_import(api(acme_editor), brand_all, buffer.getvalue(), django_capture_on_commit_callbacks)
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, column)]


def test_the_import_api_refuses_a_file_that_is_not_a_spreadsheet(api, acme_editor, brand_all):
    upload = SimpleUploadedFile("p.csv", b"%PDF-1.7\n\x00\x01binary", content_type="text/csv")
    response = api(acme_editor).post(
        "/api/v1/products/import/", {"brand": brand_all.pk, "file": upload}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()


def test_one_sku_per_brand(api, acme_editor, product_fr, brand_fr):
    response = api(acme_editor).post(
        "/api/v1/products/", {"brand": brand_fr.pk, "name": "Twin", "sku": "lc-1"}, format="json"
    )
    assert response.status_code == 400 and "sku" in response.json()


def test_a_product_does_not_move_to_another_brand(api, acme_editor, product_fr, brand_all):
    response = api(acme_editor).patch(f"/api/v1/products/{product_fr.pk}/", {"brand": brand_all.pk}, format="json")
    assert response.status_code == 400 and "brand" in response.json()
    product_fr.refresh_from_db()
    assert product_fr.brand_id != brand_all.pk


def test_a_reference_out_of_reach_says_which(api, acme_editor, brand_fr):
    response = api(acme_editor).post(
        f"/api/v1/brands/{brand_fr.pk}/supply-chain/",
        {"role": "manufacturer", "name": "M", "product": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["product"] == ["No such object that you can edit: 999999."]


def test_who_may_upload_is_settled_before_the_picture_is_read(api, officer_fr, product_fr, brand_fr):
    garbage = SimpleUploadedFile("x.png", b"not a picture")
    response = api(officer_fr).post(
        f"/api/v1/products/{product_fr.pk}/images/", {"image": garbage}, format="multipart"
    )
    assert response.status_code == 403
    garbage.seek(0)
    response = api(officer_fr).post(f"/api/v1/brands/{brand_fr.pk}/logo/", {"image": garbage}, format="multipart")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["officer_fr", "platform_admin", "acme_viewer"])
def test_refused_writes_change_nothing(api, request, brand_fr, product_fr, persona):
    client = api(request.getfixturevalue(persona))
    client.patch(f"/api/v1/brands/{brand_fr.pk}/", {"name": "Hijacked"}, format="json")
    client.patch(f"/api/v1/products/{product_fr.pk}/", {"name": "Hijacked"}, format="json")
    client.delete(f"/api/v1/products/{product_fr.pk}/")
    client.delete(f"/api/v1/brands/{brand_fr.pk}/")
    brand_fr.refresh_from_db()
    product_fr.refresh_from_db()
    assert (brand_fr.name, product_fr.name) == ("Lumina Secret", "Lumina Chrono")
