"""The products an officer opened last, for their home page."""

from __future__ import annotations

from django.utils import timezone

from core.permissions import allowed

from .models import Product, RecentView
from .permissions import RECENTLY_VIEWED

RECENT_LIMIT = 8


def record_view(user, product: Product) -> None:
    """Remember that an officer opened this product (one row per person and product)."""
    if not allowed(user, RECENTLY_VIEWED):
        return
    RecentView.objects.bulk_create(  # one upsert
        [RecentView(user=user, product=product, viewed=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "product"],
        update_fields=["viewed"],
    )


def recently_viewed(user, limit: int = RECENT_LIMIT) -> list[Product]:
    """The products the person opened last, among those they may still see."""
    if not getattr(user, "is_authenticated", False):
        return []
    seen = RecentView.objects.filter(user=user, product__in=Product.objects.restrict(user, "view")).order_by("-viewed")
    return [view.product for view in seen.select_related("product__brand")[:limit]]
