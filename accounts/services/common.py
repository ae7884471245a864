"""What the account services share: the reason a refusal must give, the check that a moderation
step applies to the current status, the decision itself (status, audit entry) and the account
event sent once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import AuditEntry, Organization, User


def send_account_event(entry: AuditEntry) -> None:
    """Emit the account event of this audit entry (notifications pipeline: in-app and e-mail,
    dispatched once the transaction commits)."""
    from ..notifying import account_event_emit

    account_event_emit(entry)


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the person concerned is told it.")})
    return reason


def check_transition(current: Organization | User, allowed_from: tuple[str, ...], message: str) -> None:
    """Refuse a moderation step that does not apply to the current status (400 on `status`)."""
    if current.status not in allowed_from:
        raise ValidationError({"status": [message % {"status": current.get_status_display().lower()}]})


def record_decision(
    target: Organization | User,
    status: str,
    *,
    actor: User,
    action: str,
    reason: str,
    ip: str | None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """A moderation decision on an organization or a person: its new status with the reason
    (trimmed), the audit entry (with the reason as given) and the account event telling the
    people concerned."""
    target.status, target.status_reason = status, reason.strip()
    target.save(update_fields=["status", "status_reason"])
    entry = audit_log(actor=actor, action=action, target=target, reason=reason, ip=ip, details=details)
    send_account_event(entry)
    return entry
