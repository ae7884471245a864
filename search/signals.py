"""Reindex on save and delete, in the same transaction as the change (see index.py).

A delete that cascades from a parent (a product deleted with its brand) is left to the parent's
handler, which removes every document at once.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Organization
from authentication_guides.models import Guide, GuideCountry, GuideVersion, Indicator
from brands.models import Brand, BrandCountry, Product, ProductGTIN, SupplyChainEntry, TrademarkRegistration
from core import versions

from . import index
from .models import ResultType


def _cascaded(origin, *models) -> bool:
    """True when the delete started from something other than these models (a cascade)."""
    model = getattr(origin, "model", None) or type(origin)
    return origin is not None and not issubclass(model, models)


@receiver(post_save, sender=Brand)
def brand_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.reindex_brands([instance.pk])


@receiver(post_delete, sender=Brand)
def brand_deleted(sender, instance, **kwargs):
    index.forget_brand(instance.pk)


@receiver(post_save, sender=TrademarkRegistration)
@receiver(post_delete, sender=TrademarkRegistration)
def trademark_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _cascaded(origin, TrademarkRegistration):
        index.reindex_brands([instance.brand_id], dependents=False)


@receiver(post_save, sender=Product)
def product_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.reindex_products([instance.pk])


@receiver(post_delete, sender=Product)
def product_deleted(sender, instance, origin=None, **kwargs):
    if not _cascaded(origin, Product):
        index.forget(ResultType.PRODUCT, [instance.pk])


@receiver(post_save, sender=ProductGTIN)
@receiver(post_delete, sender=ProductGTIN)
def gtin_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _cascaded(origin, ProductGTIN):
        index.reindex_products([instance.product_id])


@receiver(post_save, sender=SupplyChainEntry)
@receiver(post_delete, sender=SupplyChainEntry)
def supply_chain_changed(sender, instance, raw=False, origin=None, **kwargs):
    if raw or _cascaded(origin, SupplyChainEntry):
        return
    if instance.product_id:
        index.reindex_products([instance.product_id])
    else:
        index.reindex_products(index.system_product_ids_of([instance.brand_id]))


@receiver(post_save, sender=Guide)
def guide_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.reindex_guides([instance.pk])


@receiver(post_delete, sender=Guide)
def guide_deleted(sender, instance, origin=None, **kwargs):
    if not _cascaded(origin, Guide):
        index.forget(ResultType.GUIDE, [instance.pk])


@receiver(post_save, sender=GuideVersion)
@receiver(post_delete, sender=GuideVersion)
def version_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _cascaded(origin, GuideVersion):
        index.reindex_guides([instance.guide_id])


@receiver(post_save, sender=Indicator)
@receiver(post_delete, sender=Indicator)
def indicator_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _cascaded(origin, Indicator):
        index.reindex_guides(GuideVersion.objects.filter(pk=instance.version_id).values_list("guide_id", flat=True))


@receiver(post_save, sender=Organization)
def organization_saved(sender, instance, raw=False, **kwargs):
    """An organization's status or kind decides who sees its brands: every document of its brands
    goes to the change log (the engines' scope tags), without rebuilding the rows."""
    if not raw:
        index.log_changes(index.BRAND_AND_DEPENDENTS, index.system_brand_ids_of(instance.pk))


@receiver(post_save, sender=Guide)
@receiver(post_delete, sender=Guide)
@receiver(post_save, sender=GuideCountry)
@receiver(post_delete, sender=GuideCountry)
@receiver(post_save, sender=Brand)
@receiver(post_delete, sender=Brand)
@receiver(post_save, sender=BrandCountry)
@receiver(post_delete, sender=BrandCountry)
@receiver(post_save, sender=Organization)
@receiver(post_delete, sender=Organization)
def guide_visibility_changed(sender, raw=False, **kwargs):
    """Anything that changes which guides officers may see (bulk_create sends no signal: the
    services that bulk-create countries also save the guide or brand, in the same transaction)."""
    if not raw:
        versions.bump()
