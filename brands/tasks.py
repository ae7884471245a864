"""Background work for the catalogue: thin tasks that take ids."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def make_product_thumbnails(picture_id: int) -> bool:
    """Make the small and large thumbnails of a product picture (idempotent: a picture that
    already has them, or no longer exists, is left alone)."""
    from uploads.images import make_thumbnail

    from .models import ProductImage
    from .services import product_image_store_thumbnails

    picture = ProductImage.objects.filter(pk=picture_id, thumb_small="").first()
    if picture is None:
        return False
    small_side, large_side = settings.THUMBNAIL_SIZES
    small = make_thumbnail(picture.image, max_side=small_side)
    large = make_thumbnail(picture.image, max_side=large_side)
    return product_image_store_thumbnails(picture_id=picture_id, small=small, large=large)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=180)
def tell_widen_possible() -> int:
    """`sharing.widen_possible` to each right holder recorded by migration 0006, once
    (brands.services.sharing_notices_send; a second run finds nothing left to send)."""
    from .services import sharing_notices_send

    return sharing_notices_send()
