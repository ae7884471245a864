"""Background work for guides: thin tasks that take ids."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def make_indicator_thumbnails(indicator_id: int) -> int:
    """The phone-sized copies of an indicator's pictures (idempotent: only missing ones are
    made, each written with a conditional update). Answers how many it made."""
    from uploads.images import make_thumbnail

    from .models import Indicator

    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        return 0
    made = 0
    for side in ("genuine", "counterfeit"):
        image, thumb = getattr(indicator, f"{side}_image"), getattr(indicator, f"{side}_thumb")
        if not image or thumb:
            continue
        content = make_thumbnail(image, max_side=settings.THUMBNAIL_SIZES[-1])
        thumb.save(f"{indicator.pk}-{side}.webp", content, save=False)
        made += Indicator.objects.filter(pk=indicator.pk, **{f"{side}_image": image.name, f"{side}_thumb": ""}).update(
            **{f"{side}_thumb": thumb.name}
        )
    return made
