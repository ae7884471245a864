"""A URLconf whose one view fails, for the server error page's tests (tests/test_csp.py and
tests/browser/test_content_security_policy.py): the portal's own handler500 answers."""

from django.urls import path


def broken(request):
    raise RuntimeError("a failure on purpose, for the server error page")


urlpatterns = [path("broken/", broken)]
handler500 = "ipm_portal.views.server_error"
