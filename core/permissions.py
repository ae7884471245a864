"""Role checks, written once: what a person may do, as opposed to which rows they reach.

Rows are the scoping gate's (core/scope.py). What remains is "may this kind of person do this
kind of thing at all" (draft an alert, open a case, see the usage figures, manage webhooks):
each app lists those in its ``permissions.py`` as a small table,

    ALERT_DRAFT = permission("alerts.draft", lambda scope: scope.writes,
                             _("Only a right holder's admins and editors can draft alerts."))

and views, the API and templates ask by name: ``require(user, ALERT_DRAFT)`` raises
``PermissionDenied`` with the table's message, ``allowed(user, ALERT_DRAFT)`` answers for a
button, ``{% allowed "alerts.draft" as can_draft %}`` (core/templatetags/permissions.py) the
same in a template. A name nobody registered is an error, never a silent yes or no.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from .scope import Scope, scope_of


@dataclass(frozen=True)
class Permission:
    name: str
    test: Callable[[Scope], bool]
    message: Any  # a lazy translation

    def __str__(self) -> str:
        return self.name


_table: dict[str, Permission] = {}


def permission(name: str, test: Callable[[Scope], bool], message: Any) -> Permission:
    """Register (or register again: importing a module twice is harmless) a permission."""
    registered = Permission(name=name, test=test, message=message)
    _table[name] = registered
    return registered


def get(name: str | Permission) -> Permission:
    if isinstance(name, Permission):
        return name
    try:
        return _table[name]
    except KeyError:
        raise ImproperlyConfigured(f"No permission is named {name!r}.") from None


def allowed(user: Any, name: str | Permission) -> bool:
    """Whether the person may do this at all (anyone without access: never)."""
    scope = scope_of(user)
    return not scope.is_nobody and get(name).test(scope)


def require(user: Any, name: str | Permission) -> None:
    """Refuse (403, with the permission's message) anyone the table does not allow."""
    rule = get(name)
    if not allowed(user, rule):
        raise PermissionDenied(rule.message)


def table() -> dict[str, Permission]:
    return dict(_table)
