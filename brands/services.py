"""Writes on the brand catalogue. Every function takes the acting person, checks that they may
edit the brand (its owner's admins and editors), validates, and writes.

Validation raises django ValidationError keyed by field, which the API answers with 400 and the
pages show next to the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditAction, User
from core.broker import send_after_commit

from .identifiers import (
    normalize_countries,
    normalize_country,
    normalize_gtin,
    normalize_hs_code,
    parse_visibility,
)
from .models import (
    Brand,
    BrandCountry,
    Category,
    Contact,
    ImageCaption,
    Product,
    ProductGTIN,
    ProductImage,
    SupplyChainEntry,
    SupplyChainRole,
    TrademarkRegistration,
    TransportMode,
)

ISO_639_1 = frozenset(code for code in LANG_INFO if len(code) == 2)
CATEGORIES = frozenset(Category.values)
MAX_GTINS_PER_PRODUCT = 50
MAX_LIST_ITEMS = 100


# --------------------------------------------------------------------------- helpers


def _editable(actor: User, queryset, obj):
    """`obj` again, fetched through the `editable_by(actor)` scope (PermissionDenied if out of it)."""
    found = queryset.editable_by(actor).filter(pk=obj.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this."))
    return found


def _text(data: dict, field: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = data.get(field, "")
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if max_length and len(value) > max_length:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": max_length}]})
    return value


def _string_list(data: dict, field: str, *, max_length: int = 200) -> list[str]:
    values = data.get(field) or []
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    if not isinstance(values, (list, tuple)):
        raise ValidationError({field: [_("Give a list.")]})
    cleaned: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if len(value) > max_length or "\x00" in value:
            raise ValidationError({field: [_("Each entry has at most %(max)d characters.") % {"max": max_length}]})
        if value.casefold() not in seen:
            seen.add(value.casefold())
            cleaned.append(value)
            if len(cleaned) > MAX_LIST_ITEMS:
                raise ValidationError({field: [_("At most %(max)d entries.") % {"max": MAX_LIST_ITEMS}]})
    return cleaned


def _countries(data: dict, field: str) -> list[str]:
    values = data.get(field) or []
    if isinstance(values, str):
        values = [v for v in values.replace("\n", ",").split(",") if v.strip()]
    try:
        return normalize_countries(values)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _choices(data: dict, field: str, choices) -> list[str]:
    values = _string_list(data, field, max_length=64)
    allowed = set(choices.values)
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ValidationError(
            {
                field: [
                    _("Unknown value: %(values)s. Choose from %(allowed)s.")
                    % {"values": ", ".join(wrong), "allowed": ", ".join(sorted(allowed))}
                ]
            }
        )
    return values


def _apply(obj, values: dict) -> None:
    for field, value in values.items():
        setattr(obj, field, value)


# --------------------------------------------------------------------------- brands


def _clean_brand(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = _text(data, "name", required=True, max_length=200)
    if "aliases" in data:
        cleaned["aliases"] = _string_list(data, "aliases")
    if "description" in data:
        cleaned["description"] = _text(data, "description", max_length=20_000)
    if "categories" in data:
        cleaned["categories"] = _choices(data, "categories", Category)
    return cleaned


def _clean_visibility(visibility) -> tuple[bool, list[str]]:
    return parse_visibility(
        visibility, empty_message=_("Choose at least one country, or make the brand visible to every administration.")
    )


def _set_visibility(brand: Brand, visibility) -> None:
    visible_to_all, countries = _clean_visibility(visibility)
    brand.visible_to_all = visible_to_all
    brand.save(update_fields=["visible_to_all", "updated"])
    BrandCountry.objects.filter(brand=brand).exclude(country__in=countries).delete()
    existing = set(BrandCountry.objects.filter(brand=brand).values_list("country", flat=True))
    BrandCountry.objects.bulk_create([BrandCountry(brand=brand, country=c) for c in countries if c not in existing])


def _check_brand_name_free(owner, name: str, *, exclude: Brand | None = None) -> None:
    clash = Brand.objects.filter(owner=owner, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": [_("Your organization already has a brand with this name.")]})


@transaction.atomic
def brand_create(*, actor: User, data: dict) -> Brand:
    """A brand of the actor's organization; visible to every administration unless the data
    says {"visibility": {"all": false, "countries": [...]}}."""
    if not (actor.is_right_holder and actor.has_access and actor.role in ("admin", "editor")):
        raise PermissionDenied(_("Only a right holder's admins and editors can create brands."))
    cleaned = _clean_brand(data, partial=False)
    _check_brand_name_free(actor.organization, cleaned["name"])
    visibility = data.get("visibility") or {"all": True}
    _clean_visibility(visibility)  # refuse before writing anything
    brand = Brand(owner=actor.organization, created_by=actor, **cleaned)
    _save_named(brand)
    _set_visibility(brand, visibility)
    return brand


def _save_named(brand: Brand) -> None:
    """Save, turning the name constraint (a concurrent twin) into the same field error."""
    try:
        with transaction.atomic():
            brand.save()
    except IntegrityError:
        raise ValidationError({"name": [_("Your organization already has a brand with this name.")]}) from None


@transaction.atomic
def brand_update(*, actor: User, brand: Brand, data: dict) -> Brand:
    brand = _editable(actor, Brand.objects.select_for_update(), brand)
    cleaned = _clean_brand(data, partial=True)
    if "name" in cleaned:
        _check_brand_name_free(brand.owner, cleaned["name"], exclude=brand)
    _apply(brand, cleaned)
    _save_named(brand)
    if "visibility" in data:
        _set_visibility(brand, data["visibility"])
    return brand


def _delete_files_after_commit(fields) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    names = [(f.storage, f.name) for f in fields if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def _product_files(products):
    pictures = ProductImage.objects.filter(product__in=products).only("image", "thumb_small", "thumb_large")
    return [f for p in pictures for f in (p.image, p.thumb_small, p.thumb_large)]


@transaction.atomic
def brand_delete(*, actor: User, brand: Brand) -> None:
    brand = _editable(actor, Brand.objects, brand)
    files = [brand.logo, *_product_files(Product.objects.filter(brand=brand))]
    brand.delete()
    _delete_files_after_commit(files)


@transaction.atomic
def brand_set_logo(*, actor: User, brand: Brand, image) -> Brand:
    """`image` is an uploads.images.CleanImage (checked, re-encoded, metadata stripped)."""
    brand = _editable(actor, Brand.objects.select_for_update(), brand)
    old = brand.logo.name if brand.logo else ""
    brand.logo.save(image.name, image.content, save=False)
    brand.save(update_fields=["logo", "updated"])
    if old:
        storage = brand.logo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return brand


# --------------------------------------------------------------------------- products


def _clean_price(data: dict, field: str) -> Decimal | None:
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


def _clean_product(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = _text(data, "name", required=True, max_length=200)
    for field, limit in (("sku", 100), ("description", 20_000), ("packaging_notes", 20_000)):
        if field in data:
            cleaned[field] = _text(data, field, max_length=limit)
    if "hs_code" in data:
        raw = _text(data, "hs_code")
        try:
            cleaned["hs_code"] = normalize_hs_code(raw) if raw else ""
        except ValidationError as error:
            raise ValidationError({"hs_code": error.messages}) from None
    if not partial or "category" in data:
        category = data.get("category") or Category.OTHER
        if category not in CATEGORIES:
            raise ValidationError({"category": [_("Choose one of: %(c)s.") % {"c": ", ".join(Category.values)}]})
        cleaned["category"] = category
    for field in ("price_min", "price_max"):
        if field in data:
            cleaned[field] = _clean_price(data, field)
    if "price_currency" in data:
        currency = _text(data, "price_currency").upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            raise ValidationError({"price_currency": [_("Enter an ISO 4217 currency code, e.g. EUR.")]})
        cleaned["price_currency"] = currency
    if "sold_in" in data:
        cleaned["sold_in"] = _countries(data, "sold_in")
    return cleaned


def _check_prices(product) -> None:
    """`product`: a Product, or a dict of its fields (the import checks rows before making any)."""
    get = product.get if isinstance(product, dict) else lambda field, default=None: getattr(product, field, default)
    price_min, price_max = get("price_min"), get("price_max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise ValidationError({"price_max": [_("The upper price is below the lower one.")]})
    if (price_min is not None or price_max is not None) and not get("price_currency", ""):
        raise ValidationError({"price_currency": [_("Give the currency of the prices.")]})


def _clean_gtins(values) -> list[tuple[str, str]]:
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
    taken = list(taken)
    if not taken:
        return
    entered = dict(gtins)
    for claim in taken:
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
                for claim in taken
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


def product_create(*, actor: User, brand: Brand, data: dict) -> Product:
    brand = _editable(actor, Brand.objects, brand)
    cleaned = _clean_product(data, partial=False)
    gtins = _clean_gtins(data.get("gtins"))
    _refuse_claimed_gtins(actor, gtins, product=None)
    with transaction.atomic():
        product = Product(brand=brand, **cleaned)
        _check_prices(product)
        _save_product(product)
        _set_gtins(product, gtins)
    return product


def product_update(*, actor: User, product: Product, data: dict) -> Product:
    product = _editable(actor, Product.objects.select_related("brand"), product)
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
    product = _editable(actor, Product.objects, product)
    files = _product_files([product])
    product.delete()
    _delete_files_after_commit(files)


@transaction.atomic
def product_image_add(*, actor: User, product: Product, image, caption: str = "", kind: str = "") -> ProductImage:
    """Add a picture (an uploads.images.CleanImage: checked, re-encoded, metadata stripped).
    Thumbnails are made by a task after commit; the original is shown until they exist."""
    product = _editable(actor, Product.objects, product)
    kind = kind or ImageCaption.OTHER
    if kind not in ImageCaption.values:
        raise ValidationError({"kind": [_("Choose one of: %(c)s.") % {"c": ", ".join(ImageCaption.values)}]})
    caption = _text({"caption": caption}, "caption", max_length=200)
    last = ProductImage.objects.filter(product=product).aggregate(last=Max("order"))["last"]
    picture = ProductImage(
        product=product, caption=caption, kind=kind, order=(last or 0) + 1, width=image.width, height=image.height
    )
    picture.image.save(image.name, image.content, save=False)
    picture.save()
    from .tasks import make_product_thumbnails

    # With the broker down the picture is saved all the same, and served full size.
    send_after_commit(make_product_thumbnails, picture.pk)
    return picture


@transaction.atomic
def product_image_update(*, actor: User, picture: ProductImage, data: dict) -> ProductImage:
    picture = _editable(actor, ProductImage.objects, picture)
    if "caption" in data:
        picture.caption = _text(data, "caption", max_length=200)
    if "kind" in data:
        if data["kind"] not in ImageCaption.values:
            raise ValidationError({"kind": [_("Choose one of: %(c)s.") % {"c": ", ".join(ImageCaption.values)}]})
        picture.kind = data["kind"]
    if "order" in data:
        try:
            picture.order = max(0, min(int(data["order"]), 32_000))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    picture.save()
    return picture


@transaction.atomic
def product_image_delete(*, actor: User, picture: ProductImage) -> None:
    picture = _editable(actor, ProductImage.objects, picture)
    files = [picture.image, picture.thumb_small, picture.thumb_large]
    picture.delete()
    _delete_files_after_commit(files)


def product_image_store_thumbnails(*, picture_id: int, small, large) -> bool:
    """Attach the thumbnails made by the task (ContentFiles), unless the picture is gone or
    already has them. Answers whether it stored them."""
    picture = ProductImage.objects.filter(pk=picture_id).first()
    if picture is None or picture.thumb_small:
        return False
    picture.thumb_small.save(f"{picture.pk}-s.webp", small, save=False)
    picture.thumb_large.save(f"{picture.pk}-l.webp", large, save=False)
    updated = ProductImage.objects.filter(pk=picture.pk, thumb_small="").update(
        thumb_small=picture.thumb_small.name, thumb_large=picture.thumb_large.name
    )
    return bool(updated)


# --------------------------------------------------------------------------- brand items


def _clean_nice_classes(data: dict) -> list[int]:
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


def _clean_date(data: dict, field: str):
    import datetime

    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _clean_trademark(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, limit in (("office", 100), ("number", 50)):
        if not partial or field in data:
            cleaned[field] = _text(data, field, required=True, max_length=limit)
    if "nice_classes" in data:
        cleaned["nice_classes"] = _clean_nice_classes(data)
    if "expiry_date" in data:
        cleaned["expiry_date"] = _clean_date(data, "expiry_date")
    return cleaned


def _clean_languages(data: dict) -> list[str]:
    values = [v.lower() for v in _string_list(data, "languages", max_length=8)]
    wrong = [v for v in values if v not in ISO_639_1]
    if wrong:
        raise ValidationError({"languages": [_("Not ISO 639-1 language codes: %(v)s.") % {"v": ", ".join(wrong)}]})
    return values


def _clean_contact(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = _text(data, "name", required=True, max_length=200)
    for field, limit in (("title", 200), ("phone", 40), ("hours", 200), ("notes", 5000)):
        if field in data:
            cleaned[field] = _text(data, field, max_length=limit)
    if "email" in data:
        from django.core.validators import validate_email

        email = _text(data, "email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
        cleaned["email"] = email
    if "countries" in data:
        cleaned["countries"] = _countries(data, "countries")
    if "languages" in data:
        cleaned["languages"] = _clean_languages(data)
    if "order" in data:
        try:
            cleaned["order"] = max(0, min(int(data["order"] or 0), 32_000))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    return cleaned


def _clean_supply_chain(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "role" in data:
        role = data.get("role")
        if role not in SupplyChainRole.values:
            raise ValidationError({"role": [_("Choose one of: %(c)s.") % {"c": ", ".join(SupplyChainRole.values)}]})
        cleaned["role"] = role
    for field, limit in (("name", 200), ("address", 2000), ("notes", 5000)):
        if field in data:
            cleaned[field] = _text(data, field, max_length=limit)
    if "country" in data:
        raw = _text(data, "country")
        try:
            cleaned["country"] = normalize_country(raw) if raw else ""
        except ValidationError as error:
            raise ValidationError({"country": error.messages}) from None
    if "origin_countries" in data:
        cleaned["origin_countries"] = _countries(data, "origin_countries")
    if "ports" in data:
        cleaned["ports"] = _string_list(data, "ports")
    if "transport_modes" in data:
        cleaned["transport_modes"] = _choices(data, "transport_modes", TransportMode)
    return cleaned


def _check_supply_chain(entry: SupplyChainEntry) -> None:
    if entry.role == SupplyChainRole.ROUTE:
        if not (entry.origin_countries or entry.ports or entry.transport_modes):
            raise ValidationError({"origin_countries": [_("Describe the route: origin countries, ports or modes.")]})
    elif not entry.name:
        raise ValidationError({"name": [_("Name the company.")]})


@dataclass(frozen=True)
class BrandItemKind:
    model: type
    clean: Any
    check: Any = None


BRAND_ITEMS = {
    "trademarks": BrandItemKind(TrademarkRegistration, _clean_trademark),
    "contacts": BrandItemKind(Contact, _clean_contact),
    "supply-chain": BrandItemKind(SupplyChainEntry, _clean_supply_chain, _check_supply_chain),
}


def _item_product(actor: User, brand: Brand, data: dict) -> dict:
    """A supply-chain entry may name one of the brand's products (a 400 on `product` otherwise)."""
    if "product" not in data:
        return {}
    value = data.get("product")
    if value in (None, ""):
        return {"product": None}
    product = Product.objects.editable_by(actor).filter(pk=getattr(value, "pk", value), brand=brand).first()
    if product is None:
        raise ValidationError({"product": [_("Choose a product of this brand.")]})
    return {"product": product}


@transaction.atomic
def brand_item_create(*, actor: User, brand: Brand, kind: str, data: dict):
    """Create a trade mark, contact or supply-chain entry of `brand` (kind: a BRAND_ITEMS key)."""
    spec = BRAND_ITEMS[kind]
    brand = _editable(actor, Brand.objects, brand)
    cleaned = spec.clean(data, partial=False)
    if spec.model is SupplyChainEntry:
        cleaned.update(_item_product(actor, brand, data))
    return _check_and_save(spec, spec.model(brand=brand, **cleaned))


def _check_and_save(spec: BrandItemKind, item):
    if spec.check:
        spec.check(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # the one unique rule: a trade mark's office and number per brand
        raise ValidationError({"number": [_("This registration is already listed for the brand.")]}) from None
    return item


@transaction.atomic
def brand_item_update(*, actor: User, item, data: dict):
    spec = next(s for s in BRAND_ITEMS.values() if isinstance(item, s.model))
    item = _editable(actor, spec.model.objects.select_related("brand"), item)
    cleaned = spec.clean(data, partial=True)
    if spec.model is SupplyChainEntry:
        cleaned.update(_item_product(actor, item.brand, data))
    _apply(item, cleaned)
    return _check_and_save(spec, item)


@transaction.atomic
def brand_item_delete(*, actor: User, item) -> None:
    spec = next(s for s in BRAND_ITEMS.values() if isinstance(item, s.model))
    item = _editable(actor, spec.model.objects, item)
    item.delete()
