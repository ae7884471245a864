"""A person's own account (name and language), and the housekeeping of expired API tokens."""

from __future__ import annotations

from django.utils import timezone

from ..models import ApiToken, User


def user_update_profile(*, user: User, full_name: str | None = None, language: str | None = None) -> User:
    """A person changes their own name or language; only what changed is written."""
    changed = []
    if full_name is not None and full_name.strip() != user.full_name:
        user.full_name = full_name.strip()
        changed.append("full_name")
    if language is not None and language != user.language:
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    return user


def api_tokens_purge_expired() -> int:
    """Delete API tokens past their expiry; answers how many went. They no longer worked: this is
    housekeeping, not a revocation, so nothing is written to the audit log."""
    deleted, _by_model = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
