from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("inbox/read-all/", views.mark_all_read, name="mark_all_read"),
    path("inbox/preferences/", views.preferences, name="preferences"),
    path("inbox/follow/<int:pk>/", views.follow, name="follow"),
    path("inbox/unfollow/<int:pk>/", views.unfollow, name="unfollow"),
]
