from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("brands", views.BrandViewSet, basename="brand")
router.register("products", views.ProductViewSet, basename="product")

ITEM_LIST = {"get": "list", "post": "create"}
ITEM_DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    # Before the router: "import" and "export" are not product ids.
    path("products/import/", views.ProductImportView.as_view(), name="product-import"),
    path("products/export/", views.ProductExportView.as_view(), name="product-export"),
    path("", include(router.urls)),
    path("brands/<int:brand_pk>/logo/", views.BrandLogoView.as_view(), name="brand-logo"),
]
for prefix, viewset in (
    ("trademarks", views.TrademarkViewSet),
    ("contacts", views.ContactViewSet),
    ("supply-chain", views.SupplyChainViewSet),
):
    urlpatterns += [
        path(f"brands/<int:brand_pk>/{prefix}/", viewset.as_view(ITEM_LIST), name=f"brand-{prefix}-list"),
        path(f"brands/<int:brand_pk>/{prefix}/<int:pk>/", viewset.as_view(ITEM_DETAIL), name=f"brand-{prefix}-detail"),
    ]
urlpatterns += [
    path("products/<int:product_pk>/images/", views.ProductImageViewSet.as_view(ITEM_LIST), name="product-image-list"),
    path(
        "products/<int:product_pk>/images/<int:pk>/",
        views.ProductImageViewSet.as_view(ITEM_DETAIL),
        name="product-image-detail",
    ),
    path(
        "products/<int:product_pk>/images/<int:pk>/file/",
        views.ProductImageViewSet.as_view({"get": "file"}),
        name="product-image-file",
    ),
]
