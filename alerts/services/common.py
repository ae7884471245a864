"""What the alert and case services share: refusing a person the gate does not let act on one
object, with the message the API shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models

from core.gate import may

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def refuse_unless(actor: Any, action: str, obj: models.Model, message: StrOrPromise) -> None:
    """PermissionDenied(message) unless the scoping gate lets `actor` `action` `obj` (one query)."""
    if not may(actor, action, obj):
        raise PermissionDenied(message)
