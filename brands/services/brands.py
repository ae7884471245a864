"""Brands: created by a right holder's admins and editors, named once per organization, shared
along two axes (every country or the countries chosen; the enforcement kinds chosen, all five for
a new brand); deleting one removes its products and their pictures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from core.permissions import require
from core.roles import AGENCY_VALUES
from core.validators import clean_choices, clean_string_list, clean_text
from uploads.images import CleanImage

from ..identifiers import parse_agencies, parse_visibility
from ..models import Brand, BrandAgency, BrandCountry, Category, Product
from ..permissions import BRAND_CREATE
from .common import _apply, _delete_files_after_commit, require_editable
from .pictures import _product_files


def _clean_brand(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "name" in data:
        cleaned["name"] = clean_text(data, "name", required=True, max_length=200)
    if "aliases" in data:
        cleaned["aliases"] = clean_string_list(data, "aliases")
    if "description" in data:
        cleaned["description"] = clean_text(data, "description", max_length=20_000)
    if "categories" in data:
        cleaned["categories"] = clean_choices(data, "categories", Category)
    return cleaned


# What a visibility object means once checked: (every country, countries, agencies), agencies
# None when the request leaves them as they are.
Sharing = tuple[bool, list[str], list[str] | None]


def _clean_visibility(visibility: Any) -> Sharing:
    """{"all": bool, "countries": [...], "agencies": [...]}; "agencies" may be left out (kept as
    they are; all five on create), never empty."""
    visible_to_all, countries = parse_visibility(
        visibility, empty_message=_("Choose at least one country, or make the brand visible to every administration.")
    )
    agencies = None
    if "agencies" in visibility:
        agencies = parse_agencies(
            visibility["agencies"], empty_message=_("Choose at least one kind of agency to share the brand with.")
        )
    return visible_to_all, countries, agencies


def _set_sharing(brand: Brand, sharing: Sharing) -> None:
    """Write the brand's countries and agencies, then save the brand, in any case and last: its
    save tells the search app that what officers see may have changed (search/signals.py), and
    what the search reads then is the new sharing."""
    visible_to_all, countries, agencies = sharing
    BrandCountry.objects.filter(brand=brand).exclude(country__in=countries).delete()
    existing = set(BrandCountry.objects.filter(brand=brand).values_list("country", flat=True))
    BrandCountry.objects.bulk_create([BrandCountry(brand=brand, country=c) for c in countries if c not in existing])
    if agencies is not None:
        BrandAgency.objects.filter(brand=brand).exclude(kind__in=agencies).delete()
        shared = set(BrandAgency.objects.filter(brand=brand).values_list("kind", flat=True))
        BrandAgency.objects.bulk_create([BrandAgency(brand=brand, kind=k) for k in agencies if k not in shared])
    brand.visible_to_all = visible_to_all
    brand.save(update_fields=["visible_to_all", "updated"])


def _check_brand_name_free(owner: Organization, name: str, *, exclude: Brand | None = None) -> None:
    clash = Brand.objects.filter(owner=owner, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": [_("Your organization already has a brand with this name.")]})


@transaction.atomic
def brand_create(*, actor: User, data: Mapping[str, Any]) -> Brand:
    """A brand of the actor's organization; shared with every enforcement kind in every
    country unless the data says otherwise ({"visibility": {"all": false, "countries": [...],
    "agencies": [...]}})."""
    require(actor, BRAND_CREATE)
    cleaned = _clean_brand(data, partial=False)
    organization = actor.organization
    assert organization is not None  # a right holder's writer (BRAND_CREATE) has one
    _check_brand_name_free(organization, cleaned["name"])
    visible_to_all, countries, agencies = _clean_visibility(data.get("visibility") or {"all": True})
    brand = Brand(owner=organization, created_by=actor, **cleaned)
    _save_named(brand)
    _set_sharing(brand, (visible_to_all, countries, list(AGENCY_VALUES) if agencies is None else agencies))
    return brand


def _save_named(brand: Brand) -> None:
    """Save, turning the name constraint (a concurrent twin) into the same field error."""
    try:
        with transaction.atomic():
            brand.save()
    except IntegrityError:
        raise ValidationError({"name": [_("Your organization already has a brand with this name.")]}) from None


@transaction.atomic
def brand_update(*, actor: User, brand: Brand, data: Mapping[str, Any]) -> Brand:
    """Change what `data` names. The owner may widen or narrow the sharing freely; guides and
    alerts narrower than the brand stay so, and readers get the intersection."""
    brand = require_editable(actor, Brand.objects.select_for_update(), brand)
    cleaned = _clean_brand(data, partial=True)
    sharing = _clean_visibility(data["visibility"]) if "visibility" in data else None
    if "name" in cleaned:
        _check_brand_name_free(brand.owner, cleaned["name"], exclude=brand)
    _apply(brand, cleaned)
    _save_named(brand)
    if sharing is not None:
        _set_sharing(brand, sharing)
    return brand


@transaction.atomic
def brand_delete(*, actor: User, brand: Brand) -> None:
    brand = require_editable(actor, Brand.objects, brand)
    files = [brand.logo, *_product_files(Product.objects.filter(brand=brand))]
    brand.delete()
    _delete_files_after_commit(files)


@transaction.atomic
def brand_set_logo(*, actor: User, brand: Brand, image: CleanImage) -> Brand:
    """`image` is an uploads.images.CleanImage (checked, re-encoded, metadata stripped)."""
    brand = require_editable(actor, Brand.objects.select_for_update(), brand)
    old = brand.logo.name if brand.logo else ""
    brand.logo.save(image.name, image.content, save=False)
    brand.save(update_fields=["logo", "updated"])
    if old:
        storage = brand.logo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return brand
