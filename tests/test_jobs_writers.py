"""CSV exports: streamed in chunks, safe to open in a spreadsheet, readable by our own reader."""

from __future__ import annotations

import csv
import datetime
import io
import tracemalloc
from decimal import Decimal

from jobs.readers import iter_rows
from jobs.writers import csv_lines, neutralize, stream_csv


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_formula_injection_is_neutralized():
    response = stream_csv(
        [
            ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
            ["plain", "a=b", "", "0", "12", "x-y"],
        ],
        header=["a", "b", "c", "d", "e", "f"],
    )
    rows = parse(body(response))
    assert rows[1] == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1:A2)",
        "'\t'=1",  # split on the tab, "=1" would be a cell of its own
        "'\r'=1",
    ]
    assert rows[2] == ["plain", "a=b", "", "0", "12", "x-y"]


def test_a_dangerous_header_is_neutralized_too():
    assert parse(body(stream_csv([], header=["=cmd", "sku"])))[0] == ["'=cmd", "sku"]


def test_numbers_dates_and_empty_values():
    assert neutralize(-5) == -5
    assert neutralize(Decimal("-1.50")) == Decimal("-1.50")
    assert neutralize(None) == ""
    assert neutralize(True) == "true"
    assert neutralize(datetime.date(2024, 3, 1)) == "2024-03-01"
    assert neutralize("-5") == "'-5"  # text that a spreadsheet would evaluate


def test_rows_may_be_mappings_keyed_by_the_header():
    rows = [{"sku": "A-1", "name": "Watch", "ignored": "x"}, {"name": "Belt"}]
    assert parse(body(stream_csv(rows, header=["name", "sku"])))[1:] == [["Watch", "A-1"], ["Belt", ""]]


def test_the_response_is_a_download_that_no_cache_keeps():
    response = stream_csv([["a"]], header=["x"], filename="acme products.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme products.csv"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_export_starts_with_a_byte_order_mark_and_reads_back():
    response = stream_csv([["Montre à quartz", "A-1"], ["Line\nbreak", "B-2"]], header=["name", "sku"])
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    header, rows = iter_rows(io.BytesIO(raw), "export.csv")
    assert header == ["name", "sku"]
    assert list(rows) == [(2, {"name": "Montre à quartz", "sku": "A-1"}), (3, {"name": "Line\nbreak", "sku": "B-2"})]


def test_lines_are_sent_in_chunks_not_one_write_per_row():
    chunks = list(csv_lines(([n, f"product {n}"] for n in range(50_000)), ["n", "name"]))
    assert 10 < len(chunks) < 100
    assert sum(chunk.count("\n") for chunk in chunks) == 50_001


def test_a_50000_row_export_is_streamed_with_bounded_memory():
    def rows():
        for n in range(50_000):
            yield [f"SKU-{n:06d}", f"Product {n}", 4006381333931 + n, "A description that is long enough to matter"]

    tracemalloc.start()
    try:
        response = stream_csv(rows(), header=["sku", "name", "gtin", "description"])
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 3 * 1024 * 1024
    assert peak < 1 * 1024 * 1024, f"peak {peak / 1024:.0f} KiB for a {size / 2**20:.1f} MiB export"
