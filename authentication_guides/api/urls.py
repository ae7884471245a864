from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("guides", views.GuideViewSet, basename="guide")

INDICATOR = "guides/<int:pk>/indicators/<uuid:key>/"

urlpatterns = [
    path(INDICATOR, views.IndicatorView.as_view(), name="indicator-detail"),
    # Before "<side>/": "pictures" is not a side.
    path(f"{INDICATOR}pictures/", views.IndicatorPicturesView.as_view(), name="indicator-pictures"),
    path(f"{INDICATOR}pictures/<uuid:picture_key>/", views.IndicatorPictureView.as_view(), name="indicator-picture"),
    path(
        f"{INDICATOR}pictures/<uuid:picture_key>/file/",
        views.IndicatorPictureFileView.as_view(),
        name="indicator-picture-file",
    ),
    path(f"{INDICATOR}<str:side>/", views.IndicatorImageView.as_view(), name="indicator-image"),
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
