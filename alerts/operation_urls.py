"""The joint operation pages, under /operations/."""

from django.urls import path

from .views import operations

app_name = "operations"

urlpatterns = [
    path("", operations.operation_list, name="list"),
    path("<int:pk>/", operations.operation_detail, name="detail"),
]
