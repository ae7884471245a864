"""API authentication: a token or a session counts only while the person has access.

A suspended user, or a member of a suspended organization, is refused on the very next request,
with the token or session they already hold; reinstated, the same token works again.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from core import versions
from core.scope import scope_of

from .two_factor import second_factor_required

NOT_APPROVED = _("This account is not approved, or no longer is.")
SECOND_FACTOR_MISSING = _("Your role requires two-factor authentication: turn it on in the portal first.")
SECOND_FACTOR_PENDING = _("Enter your two-factor code in the portal first.")
LAST_USED_RESOLUTION_SECONDS = 300
PERSON_CACHE_SECONDS = 300


class ApprovedTokenAuthentication(TokenAuthentication):
    """knox's tokens, refused to anyone without access, and looked up once per cache version:
    the token's row, its user, membership and organization, checked and kept in the cache under
    the current version (core/versions.py), which any change of the user, their membership, their
    organization, their tokens or devices replaces. A request with a warm cache reads only the
    version (one statement); the token is still checked against its digest and expiry each time.
    With Redis away every request reads the rows."""

    def authenticate_credentials(self, token):
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error, ValueError) as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        version = versions.current()
        key = f"token-person:{version}:{text[: CONSTANTS.TOKEN_KEY_LENGTH]}"
        cached = cache.get(key) if version is not None else None
        if cached is not None and self._still_good(cached, digest):
            user, auth_token = cached
        else:
            user, auth_token = super().authenticate_credentials(token)
            versions.forget(user)
            user._scope = scope_of(user)  # computed now, kept with the person
            if version is not None:
                cache.set(key, (user, auth_token), PERSON_CACHE_SECONDS)
        versions.remember(user, version)
        return user, auth_token

    @staticmethod
    def _still_good(cached, digest: str) -> bool:
        """The cached token is this one, unexpired, and its last use recent enough not to need
        writing (past that, the full path writes it and caches the token anew)."""
        _user, auth_token = cached
        now = timezone.now()
        return (
            compare_digest(digest, auth_token.digest)
            and (auth_token.expiry is None or auth_token.expiry > now)
            and auth_token.last_used is not None
            and (now - auth_token.last_used).total_seconds() <= LAST_USED_RESOLUTION_SECONDS
        )

    def validate_user(self, auth_token):
        user = auth_token.user
        if not user.has_access:
            raise exceptions.AuthenticationFailed(NOT_APPROVED)
        # A token issued before the person got a role that requires two-factor stops working
        # until they turn it on (the token itself was issued after the code, if they had one).
        if second_factor_required(user) and not user_has_device(user, confirmed=True):
            raise exceptions.AuthenticationFailed(SECOND_FACTOR_MISSING)
        now = timezone.now()
        # Record use at a coarse grain: one write per token every few minutes at most.
        if auth_token.last_used is None or (now - auth_token.last_used).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            type(auth_token).objects.filter(pk=auth_token.pk).update(last_used=now)
            auth_token.last_used = now
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        # knox deletes every expired token of the user on each request (one query per token);
        # checking this token's own expiry is enough here, a periodic job can sweep the rest.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class ApprovedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not user.has_access:
            raise exceptions.AuthenticationFailed(NOT_APPROVED)
        # The web pages send an unverified session to the two-factor page; the API must not be
        # a way around it.
        from .middleware import needs_second_factor

        if needs_second_factor(request._request):
            raise exceptions.PermissionDenied(SECOND_FACTOR_PENDING)
        return user, auth


def axes_username(request, credentials: dict | None) -> str | None:
    """The account a sign-in attempt is for, for django-axes: the e-mail address, lower-cased,
    whether it came as `username` (the sign-in form) or `email` (the API)."""
    source = credentials or getattr(request, "data", None) or request.POST
    value = source.get("username") or source.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets: JSON with Retry-After for the API (the token view has
    already written it), the lock-out page for the browser. Always 429."""
    from django.http import JsonResponse
    from django.shortcuts import render

    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        if original_response is not None and original_response.status_code == 429:
            return original_response
        response = JsonResponse({"detail": str(LOCKED_OUT)}, status=429)
    else:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        response = render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = retry_after
    return response


LOCKED_OUT = _("Too many failed sign-ins: this account is locked for a while. Try again later.")
