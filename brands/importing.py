"""Bulk import and export of a brand's products (CSV or XLSX).

Import is all or nothing: every row is checked with the same rules as a product made by hand
(GTIN check digits and uniqueness, HS codes, categories, countries, prices); if any row is
wrong, nothing is written and each bad row is reported (row, column, message). The file is read
as a stream and written in batches, so a 50,000-row file never sits in memory at once.

A row whose SKU matches an existing product of the brand updates that product with the cells
it fills (empty cells leave the product as it is); other rows create products. The export's
extra columns (id, brand) are accepted and ignored, so an export can be edited and imported back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.changes import record_change
from jobs.writers import unneutralize

from .models import Brand, Product, ProductGTIN
from .services.products import _check_prices, _clean_gtins, _clean_product, _set_gtins

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
IGNORED_COLUMNS = ("id", "brand")  # written by the export, for people; not imported
BATCH = 1000
_LIST_SEPARATORS = re.compile(r"[;|,\n]")


def _row_data(values: dict) -> dict:
    """The filled cells of a row, as the services take them (lists split)."""
    data = {}
    for column in COLUMNS:
        value = values.get(column)
        # The export's guard against spreadsheet formulas comes off again (jobs.writers).
        value = "" if value is None else unneutralize(str(value).strip()).strip()
        if not value:
            continue
        if column in LIST_COLUMNS:
            data[column] = [v.strip() for v in _LIST_SEPARATORS.split(value) if v.strip()]
        else:
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

    def __init__(self, brand: Brand, errors, *, actor=None):
        self.brand = brand
        self.errors = errors
        self.actor = actor
        self.refused_claims: list[tuple[str, int]] = []  # (GTIN-14, product holding it), logged after
        self.created = 0
        self.updated = 0
        self.seen_gtins: dict[str, int] = {}  # GTIN-14 → the row that claimed it in this file
        self.seen_skus: dict[str, int] = {}
        self.existing_by_sku = {
            sku.casefold(): pk
            for sku, pk in Product.objects.filter(brand=brand).exclude(sku="").values_list("sku", "pk")
        }
        self.batch = _Batch(brand)

    def check_header(self, header: list[str]) -> bool:
        unknown = [h for h in header if h and h not in COLUMNS and h not in IGNORED_COLUMNS]
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
        existing = self.existing_by_sku.get(data["sku"].casefold()) if data.get("sku") else None
        try:
            # A new product needs its name; an existing one changes only where the row says so.
            cleaned = _clean_product(data, partial=existing is not None)
            gtins = _clean_gtins(data["gtins"]) if "gtins" in data else None
            _check_prices(cleaned)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.errors.add(row, field, message)
            return
        sku = cleaned.get("sku", "")
        if sku:
            if sku.casefold() in self.seen_skus:
                other = self.seen_skus[sku.casefold()]
                self.errors.add(row, "sku", _("SKU %(sku)s is also on row %(other)d.") % {"sku": sku, "other": other})
                return
            self.seen_skus[sku.casefold()] = row
        for gtin, entered in gtins or ():
            if gtin in self.seen_gtins:
                other = self.seen_gtins[gtin]
                self.errors.add(
                    row, "gtins", _("%(value)s is also on row %(other)d.") % {"value": entered, "other": other}
                )
                return
            self.seen_gtins[gtin] = row
        self.batch.rows.append((row, cleaned, gtins, existing))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.batch = self.batch.rows, _Batch(self.brand)
        if not rows:
            return
        self._refuse_gtins_of_other_products(rows)
        if self.errors:
            return  # nothing will be kept: check the rest without writing
        try:
            with transaction.atomic():
                self._write(rows)
        except (IntegrityError, ValidationError):
            # A GTIN or SKU taken by another change while the file was being checked.
            self.errors.add(
                None, "", _("The catalogue changed while the file was being imported. Import the file again.")
            )

    def _write(self, rows) -> None:
        creates = [(row, cleaned, gtins or []) for row, cleaned, gtins, existing in rows if existing is None]
        products = Product.objects.bulk_create([Product(brand=self.brand, **cleaned) for _r, cleaned, _g in creates])
        ProductGTIN.objects.bulk_create(
            [
                ProductGTIN(product=product, gtin=gtin, entered=entered, position=position)
                for product, (_row, _cleaned, gtins) in zip(products, creates, strict=True)
                for position, (gtin, entered) in enumerate(gtins)
            ]
        )
        # bulk_create sends no signals: index the new products in one pass.
        record_change("product", (product.pk for product in products))
        self.created += len(products)
        for _row, cleaned, gtins, existing in rows:
            if existing is None:
                continue
            product = Product.objects.get(pk=existing)
            for field, value in cleaned.items():
                setattr(product, field, value)
            product.save()
            if gtins is not None:
                _set_gtins(product, gtins)
            self.updated += 1

    def _refuse_gtins_of_other_products(self, rows) -> None:
        row_of = {gtin: (row, entered, existing) for row, _c, gtins, existing in rows for gtin, entered in gtins or ()}
        taken = ProductGTIN.objects.filter(gtin__in=list(row_of)).values_list("gtin", "product_id")
        for gtin, product_id in taken:
            row, entered, existing = row_of[gtin]
            if product_id != existing:
                self.refused_claims.append((gtin, product_id))
                self.errors.add(
                    row,
                    "gtins",
                    _("%(value)s is already registered on the platform for another product.") % {"value": entered},
                )


def import_products(
    *, brand: Brand, header: list[str], rows: Iterator[tuple[int, dict]], errors, progress, actor=None
) -> dict:
    """Import `rows` (row number, {column: value}) into `brand`, all or nothing: raises
    jobs.errors.RowErrors (through `errors.raise_if_any()`) when any row is wrong. GTINs refused
    because another product holds them are logged for platform admins, as when made by hand."""
    run = ProductImport(brand, errors, actor=actor)
    if not run.check_header(header):
        errors.raise_if_any()
    processed = 0
    try:
        with transaction.atomic():
            # One import of a brand at a time: a second waits for the first to end.
            Brand.objects.select_for_update().filter(pk=brand.pk).first()
            for row, values in rows:
                run.add(row, values)
                processed += 1
                progress(processed)
            run.flush()
            progress(processed, processed)
            errors.raise_if_any()
    finally:
        _log_refused_claims(run)  # after the rollback, so the log stays
    return {"created": run.created, "updated": run.updated, "rows": processed}


MAX_LOGGED_CLAIMS = 1000


def _log_refused_claims(run: ProductImport) -> None:
    if not run.refused_claims or run.actor is None:
        return
    from accounts.models import AuditAction, AuditEntry

    claims = run.refused_claims[:MAX_LOGGED_CLAIMS]
    holders = dict(Product.objects.filter(pk__in={p for _g, p in claims}).values_list("pk", "brand__owner_id"))
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=run.actor,
                actor_email=run.actor.email,
                action=AuditAction.GTIN_CLAIM_REFUSED,
                target_type=Product._meta.label_lower,
                target_id=str(product_id),
                target_repr=gtin,
                organization=run.actor.organization,
                details={
                    "gtin": gtin,
                    "holder_organization": holders.get(product_id),
                    "via": "import",
                    "claims_in_file": len(run.refused_claims),
                },
            )
            for gtin, product_id in claims
        ]
    )


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
