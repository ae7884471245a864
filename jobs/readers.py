"""Rows out of an uploaded CSV or XLSX file, one at a time, never the whole file in memory.

    header, rows = iter_rows(job.file, job.filename)
    for row_number, values in rows:      # values: {"sku": "A-1", "name": "...", ...}
        ...

The type is read from the content (an XLSX workbook is a zip archive), not from the name. Header
names are normalized ("  GTIN Code " → "gtin_code"); every value is a string, stripped ("" when
the cell is empty; XLSX numbers as written, 4006381333931 and not 4.006381333931e12; dates ISO
8601). Row numbers are those a person sees in a spreadsheet: the header is row 1, and empty rows
are skipped but still counted. A file that cannot be read raises a ValidationError whose message
can be shown as is (with `params["row"]` when it concerns one row).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from itertools import chain

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"

Row = tuple[int, dict[str, str]]

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Excel (.xls) and other OLE documents
SNIFF_BYTES = 64 * 1024
# One physical CSV line longer than this is refused: it bounds the memory one line can take.
MAX_LINE_CHARS = 1024 * 1024
# A workbook larger than this once uncompressed is refused (zip bombs).
XLSX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
CSV_DELIMITERS = ",;\t"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xltx", ".xltm")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def iter_rows(file, filename: str = "") -> tuple[list[str], Iterator[Row]]:
    """(header, rows) of a CSV or XLSX file. `file` is a binary file object that can seek (an
    uploaded file, a FieldFile, `open(path, "rb")`). The header is read at once, so an unreadable
    file raises here; the rows are read as they are asked for."""
    _open(file)
    kind = detect_format(file, filename)
    records = _xlsx_records(file) if kind == XLSX else _csv_records(file)
    try:
        header = _header(*_first_non_empty(records))
    except BaseException:
        records.close()
        raise
    return [name for name in header if name], _rows(header, records)


def count_rows(file, filename: str = "") -> int:
    """How many non-empty data rows the file has (one quick pass), e.g. to show a percentage."""
    _header_names, rows = iter_rows(file, filename)
    return sum(1 for _row in rows)


def detect_format(file, filename: str = "") -> str:
    """CSV or XLSX, from the content. Anything else raises a ValidationError."""
    _open(file)
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if isinstance(head, str):
        raise TypeError("iter_rows reads binary files: open the file in 'rb' mode.")
    if head.startswith(ZIP_SIGNATURE):
        return XLSX
    if head.startswith(OLE_SIGNATURE):
        raise ValidationError(
            _("This is an old Excel (.xls) file. Save it as a workbook (.xlsx) or as CSV UTF-8, then upload it.")
        )
    if (filename or "").lower().endswith(WORKBOOK_SUFFIXES):
        raise ValidationError(_("This file is named like an Excel workbook but is not one. Upload .xlsx or CSV."))
    if not head.strip():
        raise ValidationError(_("The file is empty."))
    if b"\x00" in head:
        raise ValidationError(_("This file is neither CSV nor an Excel workbook (.xlsx)."))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise ValidationError(_not_utf8()) from None
    return CSV


def _not_utf8() -> str:  # read when raised, so that it is in the person's language
    return _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”, then upload it again.")


def _open(file) -> None:
    # A FieldFile closed since it was saved opens again from storage.
    if getattr(file, "closed", False) and hasattr(file, "open"):
        file.open("rb")


# --------------------------------------------------------------------------- rows


def _first_non_empty(records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    for number, cells in records:
        if any(cells):
            return number, cells
    raise ValidationError(_("The file has no rows: the first row must hold the column names."))


def _normalize_name(value: str) -> str:
    return re.sub(r"\s+", "_", value.replace("\ufeff", "").strip().lower())


def _header(row: int, cells: list[str]) -> list[str]:
    """Normalized names; a column with an empty name is ignored (its name stays "")."""
    names = [_normalize_name(cell) for cell in cells]
    seen, duplicates = set(), []
    for name in names:
        if name and name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise ValidationError(
            _("These columns appear more than once in the first row: %(names)s."),
            params={"names": ", ".join(duplicates), "row": row},
        )
    if not any(names):
        raise ValidationError(_("The first row must hold the column names."), params={"row": row})
    return names


def _rows(header: list[str], records: Iterator[tuple[int, list[str]]]) -> Iterator[Row]:
    columns = [(index, name) for index, name in enumerate(header) if name]
    try:
        for number, cells in records:
            if not any(cells):
                continue
            yield number, {name: cells[index] if index < len(cells) else "" for index, name in columns}
    finally:
        records.close()


# --------------------------------------------------------------------------- CSV


def _csv_records(file) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) per CSV record; a record may span several lines (a quoted
    newline) and is still one spreadsheet row."""
    # Bytes that are not UTF-8 become lone surrogates, found per record: the error names the row
    # where they are (a strict decoder would fail somewhere in an 8 KB chunk).
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="surrogateescape", newline="")
    number = 0
    try:
        lines = _bounded_lines(text)
        first = next(lines, "")
        try:
            # Sniffing is quadratic in the sample: the start of the header line is enough.
            delimiter = csv.Sniffer().sniff(first[:4096], delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:  # one column, or nothing to tell: the usual comma
            delimiter = ","
        reader = csv.reader(chain([first], lines), delimiter=delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ValidationError(
                    _("Row %(row)d cannot be read as CSV (%(error)s)."), params={"row": number + 1, "error": error}
                ) from None
            number += 1
            if any(_UNDECODABLE.search(cell) for cell in cells):
                raise ValidationError(_not_utf8(), params={"row": number})
            yield number, [cell.strip() for cell in cells]
    finally:
        # Leave the caller's file open: closing (or collecting) the wrapper would close it.
        with contextlib.suppress(ValueError):  # already detached
            text.detach()


def _bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    while True:
        line = text.readline(MAX_LINE_CHARS)
        if not line:
            return
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ValidationError(_("A line of the file is too long (more than a million characters)."))
        yield line


# --------------------------------------------------------------------------- XLSX


def _xlsx_records(file) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) per row of the first worksheet, streamed by openpyxl's read-only
    mode (values as last computed by the spreadsheet: data_only)."""
    from openpyxl import load_workbook

    _check_archive(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The declared size (<dimension>) may be stale: a wrong one would silently drop rows.
        sheet.reset_dimensions()
    except Exception:  # openpyxl raises many kinds for a damaged or foreign archive
        file.seek(0)
        raise ValidationError(_("This file is not a valid Excel workbook (.xlsx).")) from None
    return _xlsx_rows(workbook, sheet)


XLSX_MAX_ROWS = 1_048_576  # Excel's last row


def _xlsx_rows(workbook, sheet) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        # Read-only mode yields every row from the first one, empty rows included, so counting
        # gives the spreadsheet's row numbers.
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > XLSX_MAX_ROWS:  # a row numbered past Excel's last one: a forged sheet
                raise ValidationError(_("The workbook has more rows than Excel allows."))
            yield number, [_cell_text(value) for value in values]
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            _("The workbook cannot be read after row %(row)d: it may be damaged."), params={"row": number}
        ) from None
    finally:
        workbook.close()


def _check_archive(file) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            size = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ValidationError(_("This file is not a valid Excel workbook (.xlsx).")) from None
    finally:
        file.seek(0)
    if size > XLSX_MAX_UNCOMPRESSED:
        raise ValidationError(_("This workbook is too large once uncompressed. Split it or upload it as CSV."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()
