"""Writes on the brand catalogue. Every function takes the acting person, checks that they may
edit the brand (its owner's admins and editors), validates, and writes.

Validation raises django ValidationError keyed by field, which the API answers with 400 and the
pages show next to the fields.
"""

from .brands import brand_create, brand_delete, brand_set_logo, brand_update
from .common import require_editable
from .items import BRAND_ITEMS, brand_item_create, brand_item_delete, brand_item_update, clean_route
from .pictures import product_image_add, product_image_delete, product_image_store_thumbnails, product_image_update
from .products import product_create, product_delete, product_update
from .sharing import sharing_notices_send

__all__ = [
    "BRAND_ITEMS",
    "brand_create",
    "brand_delete",
    "brand_item_create",
    "brand_item_delete",
    "brand_item_update",
    "brand_set_logo",
    "brand_update",
    "clean_route",
    "product_create",
    "product_delete",
    "product_image_add",
    "product_image_delete",
    "product_image_store_thumbnails",
    "product_image_update",
    "product_update",
    "require_editable",
    "sharing_notices_send",
]
