"""Products and their GTINs: a product belongs to one brand, its SKU is unique in the brand, and
each GTIN identifies one trade item on the whole platform (a GTIN held by another product is
refused, and the refusal logged). The bulk import (brands.importing) checks its rows with the
same cleaners."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditAction, User
from core.validators import clean_countries, clean_text

from ..identifiers import normalize_gtin, normalize_hs_code
from ..models import Brand, Category, Product, ProductGTIN
from .common import _apply, _clean_code, _delete_files_after_commit, require_editable
from .pictures import _product_files

CATEGORIES = frozenset(Category.values)
MAX_GTINS_PER_PRODUCT = 50


def _clean_price(data: Mapping[str, Any], field: str) -> Decimal | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:  # a decimal comma, as written in French or Spanish
        text = text.replace(",", ".")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: [_("Enter a number, e.g. 129.90.")]}) from None
    if not price.is_finite():
        raise ValidationError({field: [_("Enter a number, e.g. 129.90.")]})
    if price < 0 or price >= Decimal("1e10") or price != price.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Enter an amount from 0 with at most two decimals.")]})
    return price


def _clean_product(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = clean_text(data, "name", required=True, max_length=200)
    for field, limit in (("sku", 100), ("description", 20_000), ("packaging_notes", 20_000)):
        if field in data:
            cleaned[field] = clean_text(data, field, max_length=limit)
    if "hs_code" in data:
        cleaned["hs_code"] = _clean_code(data, "hs_code", normalize_hs_code)
    if not partial or "category" in data:
        category = data.get("category") or Category.OTHER
        if category not in CATEGORIES:
            raise ValidationError({"category": [_("Choose one of: %(c)s.") % {"c": ", ".join(Category.values)}]})
        cleaned["category"] = category
    for field in ("price_min", "price_max"):
        if field in data:
            cleaned[field] = _clean_price(data, field)
    if "price_currency" in data:
        currency = clean_text(data, "price_currency").upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            raise ValidationError({"price_currency": [_("Enter an ISO 4217 currency code, e.g. EUR.")]})
        cleaned["price_currency"] = currency
    if "sold_in" in data:
        cleaned["sold_in"] = clean_countries(data, "sold_in")
    return cleaned


def _check_prices(product: Product | dict[str, Any]) -> None:
    """`product`: a Product, or a dict of its fields (the import checks rows before making any)."""
    get = product.get if isinstance(product, dict) else lambda field, default=None: getattr(product, field, default)
    price_min, price_max = get("price_min"), get("price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ValidationError({"price_max": [_("The upper price is below the lower one.")]})
    if (price_min is not None or price_max is not None) and not get("price_currency", ""):
        raise ValidationError({"price_currency": [_("Give the currency of the prices.")]})


def _clean_gtins(values: Any) -> list[tuple[str, str]]:
    """[(gtin14, as entered)], each checked; all the errors at once."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.replace("\n", ",").split(",") if v.strip()]
    if not isinstance(values, (list, tuple)):
        raise ValidationError({"gtins": [_("Give a list of GTINs.")]})
    if len(values) > MAX_GTINS_PER_PRODUCT:
        raise ValidationError({"gtins": [_("At most %(max)d GTINs a product.") % {"max": MAX_GTINS_PER_PRODUCT}]})
    cleaned, errors, seen = [], [], set()
    for value in values:
        entered = str(value).strip()
        try:
            gtin = normalize_gtin(entered)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if gtin in seen:
            errors.append(_("“%(value)s” is listed twice.") % {"value": entered})
            continue
        seen.add(gtin)
        cleaned.append((gtin, entered[:32]))
    if errors:
        raise ValidationError({"gtins": errors})
    return cleaned


def _refuse_claimed_gtins(actor: User, gtins: list[tuple[str, str]], *, product: Product | None) -> None:
    """A GTIN identifies one trade item of one company: one already on the platform for another
    product is refused. The refusal is logged for platform admins (it may be a counterfeiter
    claiming a genuine brand's GTIN), and says nothing of who holds it."""
    taken = ProductGTIN.objects.filter(gtin__in=[g for g, _entered in gtins]).select_related("product__brand__owner")
    if product is not None:
        taken = taken.exclude(product=product)
    claims = list(taken)
    if not claims:
        return
    entered = dict(gtins)
    for claim in claims:
        # Logged in its own transaction: the refusal rolls the caller's back, not the log.
        with transaction.atomic():
            audit_log(
                actor=actor,
                action=AuditAction.GTIN_CLAIM_REFUSED,
                target=claim.product,
                organization=actor.organization,
                details={
                    "gtin": claim.gtin,
                    "holder_organization": claim.product.brand.owner_id,
                    "claimed_for_product": product.pk if product else None,
                },
            )
    raise ValidationError(
        {
            "gtins": [
                _(
                    "%(value)s is already registered on the platform for another product. If it is yours, "
                    "contact the platform administrators."
                )
                % {"value": entered[claim.gtin]}
                for claim in claims
            ]
        }
    )


def _set_gtins(product: Product, gtins: list[tuple[str, str]]) -> None:
    ProductGTIN.objects.filter(product=product).exclude(gtin__in=[g for g, _e in gtins]).delete()
    current = {g.gtin: g for g in ProductGTIN.objects.filter(product=product)}
    for position, (gtin, entered) in enumerate(gtins):
        existing = current.get(gtin)
        if existing is None:
            try:
                with transaction.atomic():
                    ProductGTIN.objects.create(product=product, gtin=gtin, entered=entered, position=position)
            except IntegrityError:  # claimed by another product a moment ago
                raise ValidationError(
                    {
                        "gtins": [
                            _("%(value)s is already registered on the platform for another product.")
                            % {"value": entered}
                        ]
                    }
                ) from None
        elif (existing.entered, existing.position) != (entered, position):
            existing.entered, existing.position = entered, position
            existing.save(update_fields=["entered", "position"])


SKU_TAKEN = _("The brand already has a product with this SKU.")


def _save_product(product: Product) -> None:
    """Save, with the SKU rule (one product per SKU in a brand) as a field error."""
    if product.sku:
        twins = Product.objects.filter(brand=product.brand_id, sku__iexact=product.sku).exclude(pk=product.pk)
        if twins.exists():
            raise ValidationError({"sku": [SKU_TAKEN]})
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"sku": [SKU_TAKEN]}) from None


def product_create(*, actor: User, brand: Brand, data: Mapping[str, Any]) -> Product:
    brand = require_editable(actor, Brand.objects, brand)
    cleaned = _clean_product(data, partial=False)
    gtins = _clean_gtins(data.get("gtins"))
    _refuse_claimed_gtins(actor, gtins, product=None)
    with transaction.atomic():
        product = Product(brand=brand, **cleaned)
        _check_prices(product)
        _save_product(product)
        _set_gtins(product, gtins)
    return product


def product_update(*, actor: User, product: Product, data: Mapping[str, Any]) -> Product:
    product = require_editable(actor, Product.objects.select_related("brand"), product)
    cleaned = _clean_product(data, partial=True)
    gtins = _clean_gtins(data["gtins"]) if "gtins" in data else None
    if gtins is not None:
        _refuse_claimed_gtins(actor, gtins, product=product)
    with transaction.atomic():
        _apply(product, cleaned)
        _check_prices(product)
        _save_product(product)
        if gtins is not None:
            _set_gtins(product, gtins)
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    product = require_editable(actor, Product.objects, product)
    files = _product_files([product])
    product.delete()
    _delete_files_after_commit(files)
