"""The joint operation pages, under /operations/."""

from django.urls import path

from .views import operations

app_name = "operations"

urlpatterns = [
    path("", operations.operation_list, name="list"),
    path("new/", operations.operation_create, name="create"),
    path("<int:pk>/", operations.operation_detail, name="detail"),
    path("<int:pk>/edit/", operations.operation_edit, name="edit"),
    path("<int:pk>/close/", operations.operation_close, name="close"),
    path("<int:pk>/invite/", operations.operation_invite, name="invite"),
    path("<int:pk>/accept/", operations.operation_accept, name="accept"),
    path("<int:pk>/decline/", operations.operation_decline, name="decline"),
    path("<int:pk>/results/", operations.operation_results, name="results"),
    path("<int:pk>/results.csv", operations.operation_results_csv, name="results_csv"),
]
