"""API tokens: issuing, with the checks a sign-in through the API goes through, and revoking.

Each token issued or revoked is written to the audit log with its public id (`token_key`, the
first characters of the token, shown in the API and on the account page) and its name, never the
token itself nor its stored hash.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device

from core.permissions import require

from .audit import audit_log
from .models import ApiToken, AuditAction, User
from .permissions import PLATFORM_MODERATION
from .two_factor import second_factor_required


class TokenRefused(Exception):
    def __init__(self, body: dict):
        super().__init__(body)
        self.body = body


def _described(token: ApiToken) -> dict:
    return {"id": token.token_key, "name": token.name}


def issue_token(user: User | None, *, otp: str = "", name: str = "", ip: str | None = None) -> tuple[ApiToken, str]:
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
    elif second_factor_required(user):
        raise TokenRefused({"otp": [_("Your role requires two-factor: turn it on in the portal first.")]})
    return api_token_issue(user=user, name=name, ip=ip)


@transaction.atomic
def api_token_issue(*, user: User, name: str = "", ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, made by themselves: the stored row and the token, which only
    this answer carries (only a hash of it is kept)."""
    instance, token = ApiToken.objects.create(user=user, name=name)
    audit_log(
        actor=user, action=AuditAction.API_TOKEN_ISSUED, target=user, ip=ip, details={"token": _described(instance)}
    )
    return instance, token


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, ip: str | None = None) -> None:
    """Revoke one token: its owner does, or a platform admin (the Django admin). A token already
    gone (revoked twice at once) is not logged twice."""
    if token.user_id != actor.pk:
        require(actor, PLATFORM_MODERATION)
    deleted, _by_model = ApiToken.objects.filter(pk=token.pk).delete()
    if deleted:
        audit_log(
            actor=actor,
            action=AuditAction.API_TOKEN_REVOKED,
            target=token.user,
            ip=ip,
            details={"token": _described(token)},
        )


@transaction.atomic
def api_tokens_revoke_all(*, user: User, cause: str, ip: str | None = None) -> int:
    """Revoke every API token of `user`, by themselves: after a password change or reset
    (`cause`), whoever had the old password may have made tokens with it. One audit entry
    naming them all, none if there were none; answers how many went."""
    revoked = list(ApiToken.objects.select_for_update().filter(user=user).order_by("created"))
    if not revoked:
        return 0
    deleted, _by_model = ApiToken.objects.filter(pk__in=[token.pk for token in revoked]).delete()
    audit_log(
        actor=user,
        action=AuditAction.API_TOKENS_REVOKED_ALL,
        target=user,
        ip=ip,
        details={"cause": cause, "tokens": [_described(token) for token in revoked]},
    )
    return deleted
