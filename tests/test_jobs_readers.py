"""Reading uploaded CSV and XLSX files row by row: encodings and delimiters, spreadsheet row
numbers, type detection from the content, clear refusals, and bounded memory."""

from __future__ import annotations

import datetime
import gc
import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from jobs.readers import count_rows, detect_format, iter_rows


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, filename: str = "upload.csv"):
    header, rows = iter_rows(io.BytesIO(data), filename)
    return header, list(rows)


def refusal(data: bytes, filename: str = "upload.csv") -> str:
    with pytest.raises(ValidationError) as refused:
        read(data, filename)
    return " ".join(refused.value.messages)


# --------------------------------------------------------------------------- CSV


def test_csv_with_a_byte_order_mark():
    header, rows = read("\ufeffName,SKU\nSwiss watch,A-1\n".encode())
    assert header == ["name", "sku"]
    assert rows == [(2, {"name": "Swiss watch", "sku": "A-1"})]


def test_csv_without_a_byte_order_mark_and_with_accents():
    _header, rows = read("name,description\nMontre,Boîtier en acier\n".encode())
    assert rows == [(2, {"name": "Montre", "description": "Boîtier en acier"})]


def test_csv_separated_by_semicolons():
    header, rows = read(b"name;sku;price\nWatch;A-1;12,50\n")
    assert header == ["name", "sku", "price"]
    assert rows == [(2, {"name": "Watch", "sku": "A-1", "price": "12,50"})]


def test_csv_separated_by_tabs():
    assert read(b"name\tsku\nWatch\tA-1\n")[1] == [(2, {"name": "Watch", "sku": "A-1"})]


def test_quoted_newlines_stay_in_their_cell_and_count_as_one_spreadsheet_row():
    data = (
        b'name,description,sku\r\n"Watch","Line one\r\nLine two, with a comma",A-1\r\n'
        b'Belt,"He said ""genuine""",B-2\r\n'
    )
    _header, rows = read(data)
    assert rows == [
        (2, {"name": "Watch", "description": "Line one\r\nLine two, with a comma", "sku": "A-1"}),
        (3, {"name": "Belt", "description": 'He said "genuine"', "sku": "B-2"}),
    ]


def test_header_names_are_normalized():
    header, rows = read(b" Product Name ,GTIN  Code,sku\nA,1,2\n")
    assert header == ["product_name", "gtin_code", "sku"]
    assert rows[0][1] == {"product_name": "A", "gtin_code": "1", "sku": "2"}


def test_empty_rows_are_skipped_but_counted():
    _header, rows = read(b"name,sku\nA,1\n\n,\n  ,  \nB,2\n")
    assert [number for number, _values in rows] == [2, 6]


def test_short_rows_are_padded_and_values_stripped():
    _header, rows = read(b"name,sku,gtin\n  A  ,1\n")
    assert rows == [(2, {"name": "A", "sku": "1", "gtin": ""})]


def test_columns_without_a_name_are_ignored():
    header, rows = read(b"name,,sku\nA,ignored,1\n")
    assert header == ["name", "sku"]
    assert rows == [(2, {"name": "A", "sku": "1"})]


def test_duplicate_columns_are_refused():
    assert "sku" in refusal(b"SKU,name,sku\n1,2,3\n")


def test_a_header_only_file_has_no_rows():
    assert read(b"name,sku\n") == (["name", "sku"], [])


def test_windows_1252_text_is_refused_with_advice():
    assert "UTF-8" in refusal("name\nMontre à quartz\n".encode("cp1252"))


def test_invalid_utf8_further_down_names_the_row():
    data = b"name\n" + b"ok\n" * 30_000 + "café\n".encode("latin-1")
    _header, rows = iter_rows(io.BytesIO(data), "x.csv")
    with pytest.raises(ValidationError) as refused:
        list(rows)
    assert "UTF-8" in refused.value.messages[0]
    assert refused.value.params["row"] == 30_002


def test_an_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."
    assert refusal(b"\n\n  \n") == "The file is empty."


def test_a_file_of_empty_rows_has_no_header():
    assert "first row" in refusal(b",,\n,,\n")


def test_the_callers_file_stays_open():
    stream = io.BytesIO(b"name\nA\nB\n")
    _header, rows = iter_rows(stream, "x.csv")
    assert len(list(rows)) == 2
    assert not stream.closed
    assert count_rows(stream, "x.csv") == 2  # and it can be read again


def test_a_stored_file_is_read_from_storage(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("upload.csv", ContentFile(b"name;sku\nA;1\n"))
    with storage.open(name, "rb") as stored:
        _header, rows = iter_rows(stored, name)
        assert list(rows) == [(2, {"name": "A", "sku": "1"})]


# --------------------------------------------------------------------------- XLSX


def test_xlsx_first_sheet_with_spreadsheet_row_numbers():
    data = xlsx_bytes(
        [
            ["Name", "GTIN", "Price", "Launched", "Active"],
            ["Watch", 4006381333931, 12.5, datetime.datetime(2024, 3, 1), True],
            [None, None, None, None, None],
            ["Belt", 4006381333931.0, 3, datetime.datetime(2024, 3, 1, 10, 30), False],
        ]
    )
    header, rows = read(data, "catalogue.xlsx")
    assert header == ["name", "gtin", "price", "launched", "active"]
    assert rows == [
        (2, {"name": "Watch", "gtin": "4006381333931", "price": "12.5", "launched": "2024-03-01", "active": "TRUE"}),
        (
            4,
            {
                "name": "Belt",
                "gtin": "4006381333931",
                "price": "3",
                "launched": "2024-03-01 10:30:00",
                "active": "FALSE",
            },
        ),
    ]


def test_xlsx_rows_after_a_gap_keep_their_numbers():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "name", "sku"
    sheet["A2"], sheet["B2"] = "A", "1"
    sheet["A7"], sheet["B7"] = "B", "2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue(), "x.xlsx")[1] == [(2, {"name": "A", "sku": "1"}), (7, {"name": "B", "sku": "2"})]


def test_only_the_first_sheet_is_read():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["name"])
    workbook.active.append(["first"])
    other = workbook.create_sheet("Other")
    other.append(["name"])
    other.append(["second"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read(buffer.getvalue(), "x.xlsx")[1] == [(2, {"name": "first"})]


def test_the_type_comes_from_the_content_not_the_name():
    assert detect_format(io.BytesIO(xlsx_bytes([["a"], [1]])), "misnamed.csv") == "xlsx"
    assert read(xlsx_bytes([["a"], [1]]), "misnamed.csv")[1] == [(2, {"a": "1"})]
    assert detect_format(io.BytesIO(b"a,b\n1,2\n"), "") == "csv"
    assert detect_format(io.BytesIO(b"a,b\n1,2\n"), "export.txt") == "csv"


def test_text_named_like_a_workbook_is_refused():
    assert "not one" in refusal(b"a,b\n1,2\n", "fake.xlsx")


def test_an_old_xls_file_is_refused_with_advice():
    assert ".xlsx" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "not a valid Excel workbook" in refusal(buffer.getvalue(), "x.xlsx")
    assert "not a valid Excel workbook" in refusal(b"PK\x03\x04 truncated", "x.xlsx")


def test_a_workbook_that_would_unpack_too_large_is_refused(monkeypatch):
    import zipfile

    from jobs import readers

    monkeypatch.setattr(readers, "XLSX_MAX_UNCOMPRESSED", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "0" * 100_000)  # compresses to almost nothing
    assert "too large" in refusal(buffer.getvalue(), "bomb.xlsx")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.7\n\x00\x01\x02"])
def test_other_binary_files_are_refused(data):
    assert "neither CSV nor" in refusal(data, "picture.csv")


# --------------------------------------------------------------------------- memory


def write_large_csv(path, rows: int) -> int:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeffname;sku;gtin;description\n")
        for n in range(rows):
            out.write(
                f'Product {n};SKU-{n:06d};{4006381333931 + n};"A description of product {n}, long enough to matter"\n'
            )
    return path.stat().st_size


def test_a_50000_row_csv_is_read_with_bounded_memory(tmp_path):
    path = tmp_path / "large.csv"
    size = write_large_csv(path, 50_000)
    gc.collect()
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            _header, rows = iter_rows(stream, path.name)
            count = 0
            for count, (_number, values) in enumerate(rows, start=1):  # noqa: B007
                assert values["sku"]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert size > 4 * 1024 * 1024  # the file is larger than what the reader may hold
    assert peak < 1 * 1024 * 1024, f"peak {peak / 1024:.0f} KiB while reading a {size / 2**20:.1f} MiB file"
