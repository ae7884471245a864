"""Small helpers shared by the account pages."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 25


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address given with the request if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def paginate(request: HttpRequest, queryset, *, param: str = "page") -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def require_platform_admin(request: HttpRequest) -> None:
    if not request.user.is_platform_admin:
        raise PermissionDenied


def require_member_manager(request: HttpRequest) -> None:
    """Platform admins, and organization admins or coordinators (for their own members)."""
    user = request.user
    if not (user.is_platform_admin or user.is_org_approver):
        raise PermissionDenied


def throttle_posts(view):
    """Limit POSTs to `view` per client address (FormIPThrottle): 429 with Retry-After past it.
    django-axes locks one account after failures; this stops one address trying many."""
    from core.api import FormIPThrottle

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = FormIPThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, int(throttle.wait() or 1))
                response = render(request, "429.html", {"retry_after": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
