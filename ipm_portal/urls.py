from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("jobs/", include("jobs.urls")),
    path("catalogue/", include("brands.urls")),
    path("guides/", include("authentication_guides.urls")),
    path("search/", include("search.web_urls")),
    path("", include("notifications.urls")),
    path("alerts/", include("alerts.urls")),
    path("cases/", include("alerts.case_urls")),
    path("operations/", include("alerts.operation_urls")),
    path("applications/", include("applications.urls")),
    path("accounts/webhooks/", include("webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's starting script as a file: no inline code (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/v1/", include(("accounts.api.urls", "api"), namespace="api")),
    path("api/v1/", include(("jobs.api.urls", "jobs-api"), namespace="jobs-api")),
    path("api/v1/", include(("brands.api.urls", "brands-api"), namespace="brands-api")),
    path("api/v1/", include(("authentication_guides.api.urls", "guides-api"), namespace="guides-api")),
    path("api/v1/", include(("notifications.api.urls", "notifications-api"), namespace="notifications-api")),
    path("api/v1/", include(("alerts.api.urls", "alerts-api"), namespace="alerts-api")),
    path("api/v1/", include(("applications.api.urls", "applications-api"), namespace="applications-api")),
    path("api/v1/", include(("webhooks.api.urls", "webhooks-api"), namespace="webhooks-api")),
    path("api/v1/", include(("search.urls", "search-api"), namespace="search-api")),
]

handler400 = "ipm_portal.views.bad_request"
handler404 = "ipm_portal.views.page_not_found"
handler500 = "ipm_portal.views.server_error"
handler403 = "ipm_portal.views.permission_denied"

admin.site.site_header = "IPM Portal"
admin.site.site_title = "IPM Portal"
if settings.DEBUG:
    admin.site.site_header = "IPM Portal (development)"
