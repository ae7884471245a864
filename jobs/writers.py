"""CSV exports streamed to the client: rows are written as they are read, so a 50,000-row
export never sits in memory (pass a `queryset.iterator()` or a generator).

    return stream_csv(
        ([p.sku, p.name, ...] for p in products.iterator(chunk_size=2000)),
        header=["sku", "name", ...],
        filename="acme-products.csv",
    )
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet may split a line on another separator than ours (a ";" locale, a line pasted
# into a "|" or tab-separated import), so a trigger after one of these, inside a cell, can start
# a cell of its own: it gets the quote too. Spaces and double quotes between the separator and
# the trigger do not hide it.
_TRIGGER_INSIDE = re.compile(r"([;,|\t\r\n][\s\"]*)(?=[=+\-@])")
_TRIGGER_AFTER_BLANKS = re.compile(r"[\s\"]+[=+\-@]")
_GUARD_INSIDE = re.compile(r"([;,|\t\r\n][\s\"]*)'(?=[=+\-@])")
_GUARD_AT_START = re.compile(r"'(?=[=+\-@\t\r]|[\s\"]+[=+\-@])")
# Lines are sent in chunks of about this many characters, not one network write per row.
CHUNK_CHARS = 64 * 1024


class _Echo:
    """A pseudo-buffer: csv.writer "writes" a line and gets it back to yield."""

    def write(self, value: str) -> str:
        return value


def neutralize(value) -> str | int | float | Decimal:
    """A cell value safe to open in a spreadsheet: text that would start a formula, at its
    start or after a separator inside it, gets a single quote before the trigger (shown as
    text, never run). Numbers stay numbers (and csv_lines writes them unquoted)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    text = _TRIGGER_INSIDE.sub(r"\1'", str(value))
    if text.startswith(FORMULA_TRIGGERS) or _TRIGGER_AFTER_BLANKS.match(text):
        return "'" + text
    return text


def unneutralize(text: str) -> str:
    """The text neutralize() was given: the quotes it added are taken out again, so that an
    export can be edited and imported back. (A text that had such a quote of its own loses it.)"""
    if "'" not in text:
        return text
    text = _GUARD_INSIDE.sub(r"\1", text)
    return text[1:] if _GUARD_AT_START.match(text) else text


def csv_lines(rows: Iterable[Sequence | Mapping], header: Sequence[str]) -> Iterator[str]:
    """The CSV text in chunks: a byte-order mark (so Excel reads UTF-8), the header, the rows.
    A row is a sequence in the header's order, or a mapping keyed by the header's names. Every
    text cell is quoted (a separator inside it stays inside it); numbers are not."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)
    header = list(header)
    buffer = ["\ufeff", writer.writerow([neutralize(name) for name in header])]
    size = 0
    for row in rows:
        values = [row.get(name, "") for name in header] if isinstance(row, Mapping) else row
        line = writer.writerow([neutralize(value) for value in values])
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def stream_csv(rows: Iterable[Sequence | Mapping], header: Sequence[str], *, filename: str = "export.csv"):
    """A StreamingHttpResponse downloading `rows` as a CSV file (UTF-8, comma-separated)."""
    response = StreamingHttpResponse(csv_lines(rows, header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Exports are confidential: no shared cache may keep them.
    patch_cache_control(response, private=True, no_store=True)
    return response
