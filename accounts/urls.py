# Placeholder routes; the web pages land in the next commit.
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("pending/", TemplateView.as_view(template_name="accounts/pending.html"), name="pending"),
    path("two-factor/", TemplateView.as_view(template_name="accounts/two_factor.html"), name="two_factor"),
]
