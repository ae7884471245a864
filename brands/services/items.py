"""A brand's items: its trade-mark registrations, its contacts for the administrations, and its
supply chain (manufacturers, distributors and routes, each possibly of one of its products).
One set of create, update and delete services serves the three kinds (BRAND_ITEMS)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.validators import clean_choices, clean_countries, clean_string_list, clean_text, normalize_country

from ..models import Brand, Contact, Product, SupplyChainEntry, SupplyChainRole, TrademarkRegistration, TransportMode
from .common import _apply, _clean_code, require_editable

ISO_639_1 = frozenset(code for code in LANG_INFO if len(code) == 2)


def _clean_nice_classes(data: Mapping[str, Any]) -> list[int]:
    values = data.get("nice_classes") or []
    if isinstance(values, str):
        values = [v for v in values.replace(" ", ",").split(",") if v]
    if not isinstance(values, (list, tuple)):
        raise ValidationError({"nice_classes": [_("Give a list of class numbers.")]})
    try:
        classes = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ValidationError({"nice_classes": [_("Nice classes are numbers from 1 to 45.")]}) from None
    if any(not 1 <= c <= 45 for c in classes):
        raise ValidationError({"nice_classes": [_("Nice classes are numbers from 1 to 45.")]})
    return classes


def _clean_date(data: Mapping[str, Any], field: str) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _clean_trademark(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, limit in (("office", 100), ("number", 50)):
        if not partial or field in data:
            cleaned[field] = clean_text(data, field, required=True, max_length=limit)
    if "nice_classes" in data:
        cleaned["nice_classes"] = _clean_nice_classes(data)
    if "expiry_date" in data:
        cleaned["expiry_date"] = _clean_date(data, "expiry_date")
    return cleaned


def _clean_languages(data: Mapping[str, Any]) -> list[str]:
    values = [v.lower() for v in clean_string_list(data, "languages", max_length=8)]
    wrong = [v for v in values if v not in ISO_639_1]
    if wrong:
        raise ValidationError({"languages": [_("Not ISO 639-1 language codes: %(v)s.") % {"v": ", ".join(wrong)}]})
    return values


def _clean_contact(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = clean_text(data, "name", required=True, max_length=200)
    for field, limit in (("title", 200), ("phone", 40), ("hours", 200), ("notes", 5000)):
        if field in data:
            cleaned[field] = clean_text(data, field, max_length=limit)
    if "email" in data:
        email = clean_text(data, "email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
        cleaned["email"] = email
    if "countries" in data:
        cleaned["countries"] = clean_countries(data, "countries")
    if "languages" in data:
        cleaned["languages"] = _clean_languages(data)
    if "order" in data:
        try:
            cleaned["order"] = max(0, min(int(data["order"] or 0), 32_000))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    return cleaned


def _clean_supply_chain(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "role" in data:
        role = data.get("role")
        if role not in SupplyChainRole.values:
            raise ValidationError({"role": [_("Choose one of: %(c)s.") % {"c": ", ".join(SupplyChainRole.values)}]})
        cleaned["role"] = role
    for field, limit in (("name", 200), ("address", 2000), ("notes", 5000)):
        if field in data:
            cleaned[field] = clean_text(data, field, max_length=limit)
    if "country" in data:
        cleaned["country"] = _clean_code(data, "country", normalize_country)
    return cleaned | clean_route(data)


def clean_route(data: Mapping[str, Any]) -> dict[str, Any]:
    """The route fields given in `data` (origin countries, ports, transport modes), cleaned: a
    supply-chain route and an alert describe a flow of goods the same way."""
    cleaned: dict[str, Any] = {}
    if "origin_countries" in data:
        cleaned["origin_countries"] = clean_countries(data, "origin_countries")
    if "ports" in data:
        cleaned["ports"] = clean_string_list(data, "ports")
    if "transport_modes" in data:
        cleaned["transport_modes"] = clean_choices(data, "transport_modes", TransportMode)
    return cleaned


def _check_supply_chain(entry: SupplyChainEntry) -> None:
    if entry.role == SupplyChainRole.ROUTE:
        if not (entry.origin_countries or entry.ports or entry.transport_modes):
            raise ValidationError({"origin_countries": [_("Describe the route: origin countries, ports or modes.")]})
    elif not entry.name:
        raise ValidationError({"name": [_("Name the company.")]})


# What BRAND_ITEMS holds: a brand's trade marks, contacts and supply-chain entries.
BrandItem = TrademarkRegistration | Contact | SupplyChainEntry


class _Cleaner(Protocol):
    def __call__(self, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]: ...


@dataclass(frozen=True)
class BrandItemKind:
    model: type[BrandItem]
    clean: _Cleaner
    check: Callable[[Any], None] | None = None


BRAND_ITEMS = {
    "trademarks": BrandItemKind(TrademarkRegistration, _clean_trademark),
    "contacts": BrandItemKind(Contact, _clean_contact),
    "supply-chain": BrandItemKind(SupplyChainEntry, _clean_supply_chain, _check_supply_chain),
}


def _item_product(actor: User, brand: Brand, data: Mapping[str, Any]) -> dict[str, Product | None]:
    """A supply-chain entry may name one of the brand's products (a 400 on `product` otherwise)."""
    if "product" not in data:
        return {}
    value = data.get("product")
    if value in (None, ""):
        return {"product": None}
    product = Product.objects.restrict(actor, "change").filter(pk=getattr(value, "pk", value), brand=brand).first()
    if product is None:
        raise ValidationError({"product": [_("Choose a product of this brand.")]})
    return {"product": product}


@transaction.atomic
def brand_item_create(*, actor: User, brand: Brand, kind: str, data: Mapping[str, Any]) -> BrandItem:
    """Create a trade mark, contact or supply-chain entry of `brand` (kind: a BRAND_ITEMS key)."""
    spec = BRAND_ITEMS[kind]
    brand = require_editable(actor, Brand.objects, brand)
    cleaned = spec.clean(data, partial=False)
    if spec.model is SupplyChainEntry:
        cleaned.update(_item_product(actor, brand, data))
    return _check_and_save(spec, spec.model(brand=brand, **cleaned))


def _check_and_save(spec: BrandItemKind, item: BrandItem) -> BrandItem:
    if spec.check:
        spec.check(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # the one unique rule: a trade mark's office and number per brand
        raise ValidationError({"number": [_("This registration is already listed for the brand.")]}) from None
    return item


@transaction.atomic
def brand_item_update(*, actor: User, item: BrandItem, data: Mapping[str, Any]) -> BrandItem:
    spec = next(s for s in BRAND_ITEMS.values() if isinstance(item, s.model))
    item = require_editable(actor, spec.model.objects.select_related("brand"), item)
    cleaned = spec.clean(data, partial=True)
    if spec.model is SupplyChainEntry:
        cleaned.update(_item_product(actor, item.brand, data))
    _apply(item, cleaned)
    return _check_and_save(spec, item)


@transaction.atomic
def brand_item_delete(*, actor: User, item: BrandItem) -> None:
    spec = next(s for s in BRAND_ITEMS.values() if isinstance(item, s.model))
    item = require_editable(actor, spec.model.objects, item)
    item.delete()
