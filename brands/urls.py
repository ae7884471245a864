"""The catalogue's pages, under /catalogue/."""

from django.urls import path, re_path

from .views import catalogue, editing, media, transfer

app_name = "brands"

ITEM_KINDS = r"(?P<kind>trademarks|contacts|supply-chain)"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    # Brands, and what hangs off them.
    path("brands/new/", editing.brand_create, name="brand_create"),
    path("brands/<int:pk>/", catalogue.brand_detail, name="brand_detail"),
    path("brands/<int:pk>/edit/", editing.brand_edit, name="brand_edit"),
    path("brands/<int:pk>/delete/", editing.brand_delete, name="brand_delete"),
    path("brands/<int:brand_pk>/products/new/", editing.product_create, name="product_create"),
    path("brands/<int:pk>/products/import/", transfer.product_import, name="product_import"),
    path("brands/<int:pk>/products/export.csv", transfer.product_export, name="product_export"),
    re_path(rf"^brands/(?P<brand_pk>[0-9]+)/{ITEM_KINDS}/new/$", editing.item_create, name="item_create"),
    re_path(rf"^{ITEM_KINDS}/(?P<pk>[0-9]+)/edit/$", editing.item_edit, name="item_edit"),
    re_path(rf"^{ITEM_KINDS}/(?P<pk>[0-9]+)/delete/$", editing.item_delete, name="item_delete"),
    # Products and their pictures.
    path("products/<int:pk>/", catalogue.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", editing.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", editing.product_delete, name="product_delete"),
    path("products/<int:pk>/pictures/", editing.picture_add, name="picture_add"),
    path("pictures/<int:pk>/edit/", editing.picture_edit, name="picture_edit"),
    path("pictures/<int:pk>/delete/", editing.picture_delete, name="picture_delete"),
    # Files, served only to people who may see them.
    re_path(
        r"^media/products/(?P<pk>[0-9]+)/(?P<variant>original|small|large)/$",
        media.product_image,
        name="product_image",
    ),
    path("media/brands/<int:pk>/logo/", media.brand_logo, name="brand_logo"),
]
