from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("applications", views.ApplicationViewSet, basename="application")

urlpatterns = [path("", include(router.urls))]
