from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import operations, views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("cases", views.CaseViewSet, basename="case")
router.register("operations", operations.OperationViewSet, basename="operation")

LIST = {"get": "list", "post": "create"}

urlpatterns = [
    path("", include(router.urls)),
    path("cases/<int:case_pk>/messages/", views.CaseMessageViewSet.as_view(LIST), name="case-message-list"),
    path(
        "cases/<int:case_pk>/messages/<int:pk>/attachment/",
        views.CaseMessageViewSet.as_view({"get": "attachment"}),
        name="case-message-attachment",
    ),
    path("cases/<int:case_pk>/photos/", views.CasePhotoViewSet.as_view(LIST), name="case-photo-list"),
    path(
        "cases/<int:case_pk>/photos/<int:pk>/file/",
        views.CasePhotoViewSet.as_view({"get": "file"}),
        name="case-photo-file",
    ),
]
