from django.urls import path

from . import api

urlpatterns = [
    path("search/photo/", api.PhotoSearchView.as_view(), name="photo"),
]
