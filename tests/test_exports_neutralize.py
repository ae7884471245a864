"""CSV exports stay text in a spreadsheet, whatever separator it splits the lines on: a formula
trigger at the start of a cell or right after a separator inside it is neutralized, every text
cell is quoted, numbers stay numbers, and the portal's own import reads an export back as it was."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from jobs.readers import iter_rows
from jobs.writers import csv_lines, neutralize

pytest_plugins = ["tests.brand_fixtures"]

TRIGGERS = ("=", "+", "-", "@")
# What a spreadsheet may split a line on, whatever the file says (a ";" locale, a pasted line...).
SEPARATORS = (";", ",", "\t", "|", "\n", "\r")


def unneutralize(value: str) -> str:
    from jobs.writers import unneutralize

    return unneutralize(value)


def export(rows, header=("a",)) -> str:
    return "".join(csv_lines(rows, list(header))).removeprefix("\ufeff")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def cells_after_splitting(line: str, separator: str) -> list[str]:
    """The cells a spreadsheet gets when it splits the raw line on `separator` (quotes aside)."""
    return [cell.strip().strip('"').strip() for cell in line.split(separator)]


def test_a_formula_after_a_semicolon_inside_a_cell_is_neutralized():
    text = export([["foo;=1+1"]])
    assert parse(text)[1] == ["foo;'=1+1"]
    for cell in cells_after_splitting(text.splitlines()[1], ";"):
        assert not cell.startswith(TRIGGERS), cell


@pytest.mark.parametrize("separator", SEPARATORS, ids=repr)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_trigger_after_any_separator_is_neutralized(separator, trigger):
    value = f"foo{separator}{trigger}cmd|' /C calc'!A0"
    assert neutralize(value) == f"foo{separator}'{trigger}cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["foo; =1+1", 'foo;"=1+1', "foo,\t@SUM(A1)", "a;=1;b,+2"])
def test_spaces_or_quotes_between_the_separator_and_the_trigger_do_not_hide_it(value):
    neutral = neutralize(value)
    for separator in SEPARATORS:
        for cell in neutral.split(separator)[1:]:
            assert not cell.lstrip(' \t\r\n"').startswith(TRIGGERS), (value, neutral)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =1", '"=1'])
def test_a_trigger_at_the_start_of_a_cell_is_neutralized(value):
    assert neutralize(value).startswith("'")


@pytest.mark.parametrize(
    "value", ["plain", "a=b", "x-y", "A-1", "4006381333931|0012345678905", "FR|DE", "Montre à quartz"]
)
def test_ordinary_text_is_left_alone(value):
    assert neutralize(value) == value


def test_every_text_cell_is_quoted_and_numbers_stay_numbers():
    text = export([["foo;=1+1", 12, Decimal("-1.50"), 2.5, "", None, True, "plain"]], header=list("abcdefgh"))
    line = text.splitlines()[1]
    assert line == '"foo;\'=1+1",12,-1.50,2.5,"","","true","plain"'
    assert parse(text)[0] == list("abcdefgh")
    assert parse(text)[1] == ["foo;'=1+1", "12", "-1.50", "2.5", "", "", "true", "plain"]


def test_a_cell_split_on_a_separator_cannot_start_a_formula_in_the_next_column():
    # A ";"-locale spreadsheet splitting this line would make "=1+1" a cell of its own.
    text = export([["x", "y;=1+1;z"]], header=["a", "b"])
    for separator in SEPARATORS:
        for cell in cells_after_splitting(text.splitlines()[1], separator):
            assert not cell.startswith(TRIGGERS), (separator, cell)


@pytest.mark.parametrize(
    "value",
    [
        "foo;=1+1",
        "=HYPERLINK(1)",
        "-5",
        "a, -b; +c | @d\n=e",
        'foo;"=1',
        "plain",
        "a=b",
        "Line\nbreak",
    ],
)
def test_unneutralize_gives_back_what_was_written(value):
    assert unneutralize(neutralize(value)) == value


def test_the_portals_reader_reads_an_export_back():
    rows = [["foo;=1+1", "A-1", 12], ["=HYPERLINK(1)", "B-2", 7], ["Montre à quartz", "x,-y", 3]]
    raw = "".join(csv_lines(rows, ["name", "sku", "n"])).encode("utf-8")
    header, read = iter_rows(io.BytesIO(raw), "export.csv")
    assert header == ["name", "sku", "n"]
    assert [{k: unneutralize(v) for k, v in values.items()} for _number, values in read] == [
        {"name": "foo;=1+1", "sku": "A-1", "n": "12"},
        {"name": "=HYPERLINK(1)", "sku": "B-2", "n": "7"},
        {"name": "Montre à quartz", "sku": "x,-y", "n": "3"},
    ]


@pytest.mark.django_db
def test_a_product_export_imports_back_unchanged(
    api, acme_editor, brand_all, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from brands import services
    from brands.models import Product

    settings.MEDIA_ROOT = tmp_path
    product = services.product_create(
        actor=acme_editor,
        brand=brand_all,
        data={
            "name": "Chrono;=1+1",
            "sku": "-C-1",
            "description": "Steel, +2 straps; @night: =glow",
            "packaging_notes": "Box|=SUM(A1)",
        },
    )
    client = api(acme_editor)
    exported = b"".join(client.get("/api/v1/products/export/", {"brand": brand_all.pk}).streaming_content)
    Product.objects.filter(pk=product.pk).update(name="changed", description="", packaging_notes="")
    upload = SimpleUploadedFile("export.csv", exported, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/products/import/", {"brand": brand_all.pk, "file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    job = client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job
    product.refresh_from_db()
    assert (product.name, product.sku, product.description, product.packaging_notes) == (
        "Chrono;=1+1",
        "-C-1",
        "Steel, +2 straps; @night: =glow",
        "Box|=SUM(A1)",
    )
