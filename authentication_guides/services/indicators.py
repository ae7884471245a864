"""Indicators and their extra pictures, always on the version being written: editing a published
guide opens its next version. Both pictures of an indicator are required; new or replaced ones get
their phone-sized copies made after commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.broker import send_after_commit
from core.validators import clean_text
from uploads.images import CleanImage

from ..models import Guide, Importance, Indicator, IndicatorKind, IndicatorPicture
from .common import MAX_LINE, MAX_TEXT, _editable_guide
from .guides import open_version

MAX_EXTRA_PICTURES = 12


TEXT_FIELDS = ("title", "description", "location")


def _clean_indicator(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        cleaned["title"] = clean_text(data, "title", required=True, max_length=MAX_LINE)
    if "description" in data:
        cleaned["description"] = clean_text(data, "description", max_length=MAX_TEXT)
    if "location" in data:
        cleaned["location"] = clean_text(data, "location", max_length=MAX_LINE)
    if not partial or "kind" in data:
        kind = data.get("kind") or IndicatorKind.CHECK
        if kind not in IndicatorKind.values:
            raise ValidationError({"kind": [_("Choose check or security_feature.")]})
        cleaned["kind"] = kind
    if not partial or "importance" in data:
        importance = data.get("importance") or Importance.SUPPORTING
        if importance not in Importance.values:
            raise ValidationError({"importance": [_("Choose decisive, strong or supporting.")]})
        cleaned["importance"] = importance
    if "order" in data and data["order"] not in (None, ""):
        try:
            cleaned["order"] = max(0, min(int(data["order"]), 32_000))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    return cleaned


@transaction.atomic
def indicator_add(
    *,
    actor: User,
    guide: Guide,
    data: Mapping[str, Any],
    genuine_image: CleanImage | None,
    counterfeit_image: CleanImage | None,
) -> Indicator:
    """Add an indicator to the version being written. Both pictures are required: the genuine
    item's and a fake's (uploads.images.CleanImage each)."""
    guide = _editable_guide(actor, guide, lock=True)
    missing = {
        field: [_("Add a picture of the %(side)s item.") % {"side": side}]
        for field, side, image in (
            ("genuine_image", _("genuine"), genuine_image),
            ("counterfeit_image", _("counterfeit"), counterfeit_image),
        )
        if image is None
    }
    if missing:
        raise ValidationError(missing)
    assert genuine_image is not None and counterfeit_image is not None  # refused above when missing
    cleaned = _clean_indicator(data, partial=False)
    version = open_version(actor, guide)
    if "order" not in cleaned:
        cleaned["order"] = (version.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator = Indicator(version=version, **cleaned)
    indicator.genuine_image.save(genuine_image.name, genuine_image.content, save=False)
    indicator.counterfeit_image.save(counterfeit_image.name, counterfeit_image.content, save=False)
    indicator.save()
    _thumbnails_after_commit(indicator)
    return indicator


def _open_indicator(actor: User, guide: Guide, key: UUID | str) -> Indicator:
    version = open_version(actor, guide)
    indicator = version.indicators.filter(key=key).first()
    if indicator is None:
        raise ValidationError({"indicator": [_("This guide has no such indicator.")]})
    return indicator


@transaction.atomic
def indicator_update(
    *,
    actor: User,
    guide: Guide,
    key: UUID | str,
    data: Mapping[str, Any],
    genuine_image: CleanImage | None = None,
    counterfeit_image: CleanImage | None = None,
) -> Indicator:
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    cleaned = _clean_indicator(data, partial=True)
    texts_changed = any(
        field in TEXT_FIELDS and getattr(indicator, field) != value for field, value in cleaned.items()
    )
    for field, value in cleaned.items():
        setattr(indicator, field, value)
    if not indicator.translated and (texts_changed or data.get("translated") is True):
        # The editor wrote the texts in the guide's language (or confirmed them as they are).
        indicator.translated = True
    if genuine_image is not None:
        indicator.genuine_image.save(genuine_image.name, genuine_image.content, save=False)
        indicator.genuine_thumb = ""
    if counterfeit_image is not None:
        indicator.counterfeit_image.save(counterfeit_image.name, counterfeit_image.content, save=False)
        indicator.counterfeit_thumb = ""
    indicator.save()
    if genuine_image is not None or counterfeit_image is not None:
        _thumbnails_after_commit(indicator)
    return indicator


@transaction.atomic
def indicator_delete(*, actor: User, guide: Guide, key: UUID | str) -> None:
    guide = _editable_guide(actor, guide, lock=True)
    _open_indicator(actor, guide, key).delete()


def _thumbnails_after_commit(indicator: Indicator) -> None:
    from ..tasks import make_indicator_thumbnails

    # With the broker down the pictures are saved all the same, and served full size.
    send_after_commit(make_indicator_thumbnails, indicator.pk)


@transaction.atomic
def indicator_picture_add(
    *, actor: User, guide: Guide, key: UUID | str, image: CleanImage, caption: str = ""
) -> IndicatorPicture:
    """An extra picture of an indicator (a CleanImage), on the version being written."""
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    if indicator.extra_pictures.count() >= MAX_EXTRA_PICTURES:
        raise ValidationError(
            {"image": [_("At most %(max)d extra pictures an indicator.") % {"max": MAX_EXTRA_PICTURES}]}
        )
    order = (indicator.extra_pictures.aggregate(n=Max("order"))["n"] or 0) + 1
    picture = IndicatorPicture(
        indicator=indicator, caption=clean_text({"caption": caption}, "caption", max_length=MAX_LINE), order=order
    )
    picture.image.save(image.name, image.content, save=False)
    picture.save()
    return picture


@transaction.atomic
def indicator_picture_delete(*, actor: User, guide: Guide, key: UUID | str, picture_key: UUID | str) -> None:
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    deleted, _by_model = indicator.extra_pictures.filter(key=picture_key).delete()
    if not deleted:
        raise ValidationError({"picture": [_("This indicator has no such picture.")]})
