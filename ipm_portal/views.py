"""The home page and error pages. API paths answer errors in JSON, pages in HTML."""

from __future__ import annotations

import base64
import hashlib
import re

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from core.gate import scoped
from core.permissions import allowed


@scoped
def home(request):
    """Everyone's start page. Officers get the search box first, the scan button, the alerts
    for their country, the products they opened last and the brands they follow."""
    user = request.user
    context = {}
    if allowed(user, "alerts.read") and not allowed(user, "accounts.moderate_platform"):
        from alerts.services import alerts_for_home

        context["home_alerts"] = alerts_for_home(user)
    if allowed(user, "brands.recently_viewed"):
        from brands.recent import recently_viewed
        from notifications.selectors import followed_brands

        context["recent_products"] = recently_viewed(user)
        context["followed_brands"] = list(followed_brands(user=user))
    return render(request, "home.html", context)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


@requires_csrf_token
def bad_request(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return render(request, "400.html", status=400)


@requires_csrf_token
def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


@requires_csrf_token
def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the portal's own 403 page (Django's has inline styles, which the
    Content-Security-Policy refuses), saying what happened and what to do."""
    if _wants_json(request):
        return JsonResponse({"detail": _("CSRF check failed: reload the page and try again.")}, status=403)
    return render(request, "403.html", {"csrf_failure": True}, status=403)


@requires_csrf_token
def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    # Rendered without the request: no context processor may touch a database that just failed.
    html = loader.get_template("500.html").render()
    response = HttpResponseServerError(html)
    # Self-contained, so its styles are inline: the Content-Security-Policy allows exactly these
    # <style> elements, by their hash, on this answer only (no 'unsafe-inline').
    response._csp_update = {"style-src": [_csp_hash(css) for css in _STYLE_ELEMENT.findall(html)]}
    return response


_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)


def _csp_hash(text: str) -> str:
    """The CSP source that allows an inline element with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"
