"""Per-request access checks for the web pages.

The API does the same in its authentication classes; here a session that lost access (suspended,
rejected, removed) is signed out at once, a pending person sees only the "awaiting approval"
page, and whoever must use two-factor is sent to set it up or enter a code.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import user_has_device

from .models import Status
from .two_factor import second_factor_required

# Paths a signed-in person may reach whatever their state.
ALWAYS_OPEN = (
    "/static/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/api/",
    "/accounts/logout/",
    "/accounts/language/",
    "/favicon",
)
# The link proving an e-mail address, and asking for it again: a pending person needs them.
EMAIL_PROOF_PATHS = ("/accounts/email/",)
OPEN_WHILE_PENDING = (*ALWAYS_OPEN, *EMAIL_PROOF_PATHS, "/accounts/pending/")
OPEN_BEFORE_2FA = (*ALWAYS_OPEN, *EMAIL_PROOF_PATHS, "/accounts/two-factor/")


def needs_second_factor(request) -> bool:
    """Whether this signed-in session must still prove a second factor: anyone who turned
    two-factor on, and (with REQUIRE_2FA) platform admins and enforcement coordinators."""
    cached = getattr(request, "_needs_second_factor", None)
    if cached is not None:
        return cached
    user = request.user
    if user.is_verified():
        needed = False
    elif second_factor_required(user):
        needed = True
    else:
        needed = user_has_device(user, confirmed=True)
    request._needs_second_factor = needed  # asked by the middleware and the navigation
    return needed


class UserLanguageMiddleware:
    """A signed-in person sees the portal in the language saved on their account; the language
    cookie follows it, so that the pages after signing out stay in that language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        # request.user is the person who just signed in on the sign-in page's answer.
        user = request.user
        cookie = settings.LANGUAGE_COOKIE_NAME
        if user.is_authenticated and user.language and request.COOKIES.get(cookie) != user.language:
            response.set_cookie(
                cookie,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path_info
        if user.is_authenticated and not path.startswith(ALWAYS_OPEN):
            if not user.has_access:
                if (user.is_active and user.status == Status.PENDING) or self._organization_pending(user):
                    if not path.startswith(OPEN_WHILE_PENDING):
                        return redirect("accounts:pending")
                else:
                    logout(request)
                    messages.error(request, _("Your access to the portal has ended. Contact your administrator."))
                    return redirect(settings.LOGIN_URL)
            elif needs_second_factor(request) and not path.startswith(OPEN_BEFORE_2FA):
                return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _organization_pending(user) -> bool:
        organization = user.organization
        return bool(
            user.is_active
            and user.status == Status.APPROVED
            and organization is not None
            and organization.status == Status.PENDING
        )
