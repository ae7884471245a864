"""Workbooks whose declared size lies: every row is still read, and a forged row number past
Excel's last row is refused instead of spinning through a billion empty rows."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from jobs.readers import iter_rows


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            out.writestr(item, content)
    return target.getvalue()


def test_a_stale_dimension_does_not_drop_rows():
    data = workbook_bytes([["name", "sku"], ["A", "1"], ["B", "2"], ["C", "3"]])
    stale = rewrite_sheet(data, lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1"', xml))
    header, rows = iter_rows(io.BytesIO(stale), "p.xlsx")
    assert header == ["name", "sku"]
    assert [values["name"] for _row, values in rows] == ["A", "B", "C"]


def test_a_row_past_excels_last_one_is_refused():
    data = workbook_bytes([["name"], ["A"]])
    forged = rewrite_sheet(
        data, lambda xml: xml.replace('<row r="2"', '<row r="900000000"').replace('r="A2"', 'r="A900000000"')
    )
    _header, rows = iter_rows(io.BytesIO(forged), "p.xlsx")
    with pytest.raises(ValidationError):
        list(rows)
