from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("guides", views.GuideViewSet, basename="guide")

urlpatterns = [
    path("guides/<int:pk>/indicators/<uuid:key>/", views.IndicatorView.as_view(), name="indicator-detail"),
    path(
        "guides/<int:pk>/indicators/<uuid:key>/<str:side>/",
        views.IndicatorImageView.as_view(),
        name="indicator-image",
    ),
    path("", include(router.urls)),
]
