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
    path(
        "guides/<int:pk>/feedback/<int:feedback_pk>/answer/",
        views.FeedbackAnswerView.as_view(),
        name="feedback-answer",
    ),
    path(
        "guides/<int:pk>/feedback/<int:feedback_pk>/photo/", views.FeedbackPhotoView.as_view(), name="feedback-photo"
    ),
    path("", include(router.urls)),
]
