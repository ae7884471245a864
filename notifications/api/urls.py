from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("", include(router.urls)),
]
