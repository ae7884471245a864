"""Errors a job handler reports: the rows of the input that are wrong, and why.

A handler collects row errors (an `ErrorList` keeps the first MAX_STORED_ERRORS and counts the
rest) and raises `RowErrors` to fail the job: the exception leaves the handler's transaction,
which rolls its writes back, and the job records the errors.

    errors = ErrorList()
    with transaction.atomic():
        for row, values in rows:
            if not values.get("sku"):
                errors.add(row, "sku", _("A SKU is required."))
            ...
        errors.raise_if_any()   # rolls the whole import back
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypedDict

from .models import MAX_STORED_ERRORS


class RowError(TypedDict):
    row: int | None  # as a person sees it in a spreadsheet (the header is row 1); None: the whole file
    column: str  # the normalized header name, or "" for the whole row
    message: str


def row_error(row: int | None, column: str, message) -> RowError:
    return {"row": row, "column": str(column or ""), "message": str(message)}


class ErrorList:
    """Row errors as a handler finds them: keeps the first `limit`, counts them all."""

    def __init__(self, limit: int = MAX_STORED_ERRORS):
        self.limit = limit
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, row: int | None, column: str, message) -> None:
        self.count += 1
        if len(self.errors) < self.limit:
            self.errors.append(row_error(row, column, message))

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count:
            raise RowErrors(self.errors, total=self.count)


class RowErrors(Exception):
    """Fail the job with these row errors. `errors` holds dicts with row, column and message (or
    is an ErrorList); `total` is how many there were if more were found than are given."""

    def __init__(self, errors: Iterable[Mapping] | ErrorList, *, total: int | None = None):
        if isinstance(errors, ErrorList):
            total = errors.count if total is None else total
            errors = errors.errors
        normalized = [row_error(e.get("row"), e.get("column", ""), e.get("message", "")) for e in errors]
        self.total = max(total or 0, len(normalized))
        self.errors = normalized[:MAX_STORED_ERRORS]
        super().__init__(f"{self.total} row error(s)")
