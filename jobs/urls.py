from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_page, name="list"),
    path("<uuid:job_id>/", views.job_detail, name="detail"),
]
