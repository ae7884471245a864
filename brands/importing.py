"""Bulk import and export of a brand's products (CSV or XLSX).

Import is all or nothing: every row is checked with the same rules as a product made by hand
(GTIN check digits and uniqueness, HS codes, categories, countries, prices); if any row is
wrong, nothing is written and each bad row is reported (row, column, message). The file is read
as a stream and written in batches, so a 50,000-row file never sits in memory at once.

A row whose SKU matches an existing product of the brand updates that product; other rows
create products.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Brand, Product, ProductGTIN
from .services import _check_prices, _clean_gtins, _clean_product, _set_gtins

log = logging.getLogger(__name__)

COLUMNS = (
    "name",
    "sku",
    "gtins",
    "hs_code",
    "category",
    "description",
    "packaging_notes",
    "price_min",
    "price_max",
    "price_currency",
    "sold_in",
)
LIST_COLUMNS = ("gtins", "sold_in")
BATCH = 1000
_LIST_SEPARATORS = re.compile(r"[;|,\n]")


def _row_data(values: dict) -> dict:
    data = {}
    for column in COLUMNS:
        if column not in values:
            continue
        value = values[column]
        value = "" if value is None else str(value).strip()
        if column in LIST_COLUMNS:
            data[column] = [v.strip() for v in _LIST_SEPARATORS.split(value) if v.strip()]
        elif value or column == "name":
            data[column] = value
    return data


class _Batch:
    def __init__(self, brand: Brand):
        self.brand = brand
        self.rows: list[tuple[int, dict, list[tuple[str, str]], int | None]] = []

    def __len__(self) -> int:
        return len(self.rows)


class ProductImport:
    """One run of an import of rows into `brand`; `errors` is a jobs.errors.ErrorList."""

    def __init__(self, brand: Brand, errors):
        self.brand = brand
        self.errors = errors
        self.created = 0
        self.updated = 0
        self.seen_gtins: dict[str, int] = {}  # GTIN-14 → the row that claimed it in this file
        self.seen_skus: dict[str, int] = {}
        self.existing_by_sku = dict(Product.objects.filter(brand=brand).exclude(sku="").values_list("sku", "pk"))
        self.batch = _Batch(brand)

    def check_header(self, header: list[str]) -> bool:
        unknown = [h for h in header if h and h not in COLUMNS]
        if "name" not in header:
            self.errors.add(1, "name", _("The file needs a “name” column."))
        for column in unknown:
            self.errors.add(
                1,
                column,
                _("Unknown column “%(column)s”. Columns: %(columns)s.")
                % {"column": column, "columns": ", ".join(COLUMNS)},
            )
        return not self.errors

    def add(self, row: int, values: dict) -> None:
        data = _row_data(values)
        try:
            cleaned = _clean_product(data, partial=False)
            gtins = _clean_gtins(data.get("gtins"))
            _check_prices(cleaned)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.errors.add(row, field, message)
            return
        sku = cleaned.get("sku", "")
        if sku:
            if sku.casefold() in self.seen_skus:
                self.errors.add(
                    row,
                    "sku",
                    _("SKU %(sku)s is also on row %(other)d.") % {"sku": sku, "other": self.seen_skus[sku.casefold()]},
                )
                return
            self.seen_skus[sku.casefold()] = row
        for gtin, entered in gtins:
            if gtin in self.seen_gtins:
                self.errors.add(
                    row,
                    "gtins",
                    _("%(value)s is also on row %(other)d.") % {"value": entered, "other": self.seen_gtins[gtin]},
                )
                return
            self.seen_gtins[gtin] = row
        self.batch.rows.append((row, cleaned, gtins, self.existing_by_sku.get(sku) if sku else None))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.batch = self.batch.rows, _Batch(self.brand)
        if not rows:
            return
        self._refuse_gtins_of_other_products(rows)
        if self.errors:
            return  # nothing will be kept: check the rest without writing
        creates = [(row, cleaned, gtins) for row, cleaned, gtins, existing in rows if existing is None]
        products = Product.objects.bulk_create([Product(brand=self.brand, **cleaned) for _r, cleaned, _g in creates])
        ProductGTIN.objects.bulk_create(
            [
                ProductGTIN(product=product, gtin=gtin, entered=entered, position=position)
                for product, (_row, _cleaned, gtins) in zip(products, creates, strict=True)
                for position, (gtin, entered) in enumerate(gtins)
            ]
        )
        self.created += len(products)
        for _row, cleaned, gtins, existing in rows:
            if existing is None:
                continue
            product = Product.objects.get(pk=existing)
            for field, value in cleaned.items():
                setattr(product, field, value)
            product.save()
            _set_gtins(product, gtins)
            self.updated += 1

    def _refuse_gtins_of_other_products(self, rows) -> None:
        row_of = {gtin: (row, entered, existing) for row, _c, gtins, existing in rows for gtin, entered in gtins}
        taken = ProductGTIN.objects.filter(gtin__in=list(row_of)).values_list("gtin", "product_id")
        for gtin, product_id in taken:
            row, entered, existing = row_of[gtin]
            if product_id != existing:
                self.errors.add(
                    row,
                    "gtins",
                    _("%(value)s is already registered on the platform for another product.") % {"value": entered},
                )


def import_products(*, brand: Brand, header: list[str], rows: Iterator[tuple[int, dict]], errors, progress) -> dict:
    """Import `rows` (row number, {column: value}) into `brand`, all or nothing: raises
    jobs.errors.RowErrors (through `errors.raise_if_any()`) when any row is wrong."""
    run = ProductImport(brand, errors)
    if not run.check_header(header):
        errors.raise_if_any()
    processed = 0
    with transaction.atomic():
        for row, values in rows:
            run.add(row, values)
            processed += 1
            progress(processed)
        run.flush()
        progress(processed, processed)
        errors.raise_if_any()
    return {"created": run.created, "updated": run.updated, "rows": processed}


EXPORT_COLUMNS = [*COLUMNS, "id", "brand"]


def export_rows(products) -> Iterator[list]:
    """Rows for the CSV export, in EXPORT_COLUMNS order; `products` is an iterable of products
    with their GTINs prefetched (use .iterator(chunk_size=...) for large catalogues)."""
    for product in products:
        yield [
            product.name,
            product.sku,
            "|".join(product.gtins),
            product.hs_code,
            product.category,
            product.description,
            product.packaging_notes,
            "" if product.price_min is None else str(product.price_min),
            "" if product.price_max is None else str(product.price_max),
            product.price_currency,
            "|".join(product.sold_in),
            product.pk,
            product.brand.name,
        ]
