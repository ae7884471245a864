"""Searching with a photo, shared by the API (POST /api/v1/search/photo/) and the scan page: the
codes read in the picture, the products among those the person may see that carry their GTINs,
and the per-person budget of photos both spend."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from brands.models import Product
from core.api import UserThrottle

from . import barcodes
from .barcodes import Code


def products_with_codes(user: User, codes: list[Code]) -> QuerySet[Product]:
    gtins = {code.gtin for code in codes if code.gtin}
    if not gtins:
        return Product.objects.none()
    return Product.objects.restrict(user, "view").filter(gtin_set__gtin__in=gtins).with_details().distinct()


def decode_photo(picture) -> list[Code]:
    """The codes in a photo as the API's PhotoField (or the scan page's form) gives it."""
    # Through the module: tests watch barcodes.read_codes for the size of what is read.
    return barcodes.read_codes(picture)


class PhotoSearchThrottle(UserThrottle):
    """Photo searches per person, API and scan page together: API_THROTTLE_PHOTO (30 a minute by
    default), counted apart from, and on top of, the general API budget."""

    scope = "photo_search"
    rate_setting = "API_THROTTLE_PHOTO"
