"""Products' pictures: added as checked, re-encoded uploads, captioned and ordered; thumbnails
are made by a task after commit, and the files are removed once their rows are gone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import User
from core.broker import send_after_commit
from core.validators import clean_text
from uploads.images import CleanImage

from ..models import ImageCaption, Product, ProductImage
from .common import _delete_files_after_commit, require_editable


def _product_files(products: Iterable[Product]) -> list[FieldFile]:
    pictures = ProductImage.objects.filter(product__in=products).only("image", "thumb_small", "thumb_large")
    return [f for p in pictures for f in (p.image, p.thumb_small, p.thumb_large)]


@transaction.atomic
def product_image_add(
    *, actor: User, product: Product, image: CleanImage, caption: str = "", kind: str = ""
) -> ProductImage:
    """Add a picture (an uploads.images.CleanImage: checked, re-encoded, metadata stripped).
    Thumbnails are made by a task after commit; the original is shown until they exist."""
    product = require_editable(actor, Product.objects, product)
    kind = kind or ImageCaption.OTHER
    if kind not in ImageCaption.values:
        raise ValidationError({"kind": [_("Choose one of: %(c)s.") % {"c": ", ".join(ImageCaption.values)}]})
    caption = clean_text({"caption": caption}, "caption", max_length=200)
    last = ProductImage.objects.filter(product=product).aggregate(last=Max("order"))["last"]
    picture = ProductImage(
        product=product, caption=caption, kind=kind, order=(last or 0) + 1, width=image.width, height=image.height
    )
    picture.image.save(image.name, image.content, save=False)
    picture.save()
    from ..tasks import make_product_thumbnails

    # With the broker down the picture is saved all the same, and served full size.
    send_after_commit(make_product_thumbnails, picture.pk)
    return picture


@transaction.atomic
def product_image_update(*, actor: User, picture: ProductImage, data: Mapping[str, Any]) -> ProductImage:
    picture = require_editable(actor, ProductImage.objects, picture)
    if "caption" in data:
        picture.caption = clean_text(data, "caption", max_length=200)
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
    picture = require_editable(actor, ProductImage.objects, picture)
    files = [picture.image, picture.thumb_small, picture.thumb_large]
    picture.delete()
    _delete_files_after_commit(files)


def product_image_store_thumbnails(*, picture_id: int, small: File[bytes], large: File[bytes]) -> bool:
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
