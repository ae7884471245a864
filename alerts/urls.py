"""The alert pages, under /alerts/."""

from django.urls import path

from .views import alerts

app_name = "alerts"

urlpatterns = [
    path("", alerts.alert_list, name="list"),
    path("new/", alerts.alert_create, name="create"),
    path("<int:pk>/", alerts.alert_detail, name="detail"),
    path("<int:pk>/edit/", alerts.alert_edit, name="edit"),
    path("<int:pk>/publish/", alerts.alert_publish, name="publish"),
    path("<int:pk>/withdraw/", alerts.alert_withdraw, name="withdraw"),
    path("<int:pk>/acknowledge/", alerts.alert_acknowledge, name="acknowledge"),
]
