from django.urls import path

from . import api

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="search"),
    path("search/photo/", api.PhotoSearchView.as_view(), name="photo"),
]
