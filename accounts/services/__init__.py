"""Writes on accounts and organizations: registration and moderation.

Every function takes the acting user, checks what it may do, writes, logs the action to the
audit log and sends follow-up work after commit. Views, the API and the Django admin call these;
they never change statuses themselves.
"""

from .account import api_tokens_purge_expired, user_update_profile
from .email_proof import email_proof_confirm, email_proof_request
from .members import (
    member_remove,
    member_set_role,
    user_approve,
    user_reinstate,
    user_reject,
    user_suspend,
)
from .organizations import (
    organization_approve,
    organization_reinstate,
    organization_reject,
    organization_set_jurisdiction,
    organization_suspend,
)
from .registration import register_account

__all__ = [
    "api_tokens_purge_expired",
    "email_proof_confirm",
    "email_proof_request",
    "member_remove",
    "member_set_role",
    "organization_approve",
    "organization_reinstate",
    "organization_reject",
    "organization_set_jurisdiction",
    "organization_suspend",
    "register_account",
    "user_approve",
    "user_reinstate",
    "user_reject",
    "user_suspend",
    "user_update_profile",
]
