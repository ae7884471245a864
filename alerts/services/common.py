"""What the alert, case and coordination services share: refusing a person the gate does not let
act on one object (with the message the API shows), locking an open case, auditing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from core.gate import may

from ..models import Case, CaseStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Organization, User


def refuse_unless(actor: Any, action: str, obj: models.Model, message: StrOrPromise) -> None:
    """PermissionDenied(message) unless the scoping gate lets `actor` `action` `obj` (one query)."""
    if not may(actor, action, obj):
        raise PermissionDenied(message)


def open_for(case: Case) -> Case:
    """The case locked for a change, refused once closed (the actor was checked by the caller)."""
    case = Case.objects.select_for_update(of=("self",)).select_related("owner", "organization").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": [_("This case is closed.")]})
    return case


def audit(
    actor: User | None,
    action: str,
    target: models.Model,
    ip: str | None,
    organization: Organization | None,
    **details: Any,
) -> None:
    audit_log(actor=actor, action=action, target=target, ip=ip, organization=organization, details=details or None)


def as_date(value: Any) -> datetime.date | None:
    """A date given as a date, a datetime or an ISO string; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None
