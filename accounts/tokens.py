"""Issuing API tokens: the checks a sign-in through the API goes through."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device

from .models import ApiToken, User


class TokenRefused(Exception):
    def __init__(self, body: dict):
        super().__init__(body)
        self.body = body


def issue_token(user: User | None, *, otp: str = "", name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` (already authenticated by password, or None if that failed).
    Refused with field errors for wrong credentials, an account not (or no longer) approved, a
    missing or wrong two-factor code, or two-factor required but not set up."""
    if user is None:
        raise TokenRefused({"detail": _("Wrong e-mail address or password.")})
    if not user.has_access:
        raise TokenRefused({"detail": _("This account is not approved, or no longer is.")})
    if user_has_device(user, confirmed=True):
        if not otp:
            raise TokenRefused({"otp": [_("Enter the code from your authenticator app.")]})
        if match_token(user, otp) is None:
            raise TokenRefused({"otp": [_("This code is wrong or has expired.")]})
    elif settings.REQUIRE_2FA and user.requires_2fa:
        raise TokenRefused({"otp": [_("Your role requires two-factor: turn it on in the portal first.")]})
    instance, token = ApiToken.objects.create(user=user, name=name)
    return instance, token
