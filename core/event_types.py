"""The kinds of event the portal tells people about, registered by each app's `notifying.py`.

``event_type(kind, *, recipients, title, link, email_template=None, transactional=False, webhooks=True)``;
see the package docstring (``notifications/__init__.py``) for what each argument means.
``on_dispatch(hook)`` registers a function called once per event when it is dispatched (the
webhooks channel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Event


@dataclass(frozen=True)
class EventType:
    kind: str
    recipients: Callable[[Event], QuerySet[Any]]
    title: Callable[[Event], str]
    link: Callable[[Event], str]
    email_template: str
    transactional: bool = False
    # Whether a right holder's webhook may subscribe to it: not the enforcement side's own
    # events (deconfliction, operations), which never concern a right holder.
    webhooks: bool = True


_registry: dict[str, EventType] = {}


def event_type(
    kind: str,
    *,
    recipients: Callable[[Event], QuerySet[Any]],
    title: Callable[[Event], str],
    link: Callable[[Event], str],
    email_template: str | None = None,
    transactional: bool = False,
    webhooks: bool = True,
) -> EventType:
    """Register (or re-register: importing a module twice is harmless) an event kind."""
    registered = EventType(
        kind=kind,
        recipients=recipients,
        title=title,
        link=link,
        email_template=email_template or kind.replace(".", "_"),
        transactional=transactional,
        webhooks=webhooks,
    )
    _registry[kind] = registered
    return registered


_dispatch_hooks: list[Callable[[Event], None]] = []


def on_dispatch(hook: Callable[[Event], None]) -> Callable[[Event], None]:
    """Register `hook(event)`, called once per event inside the dispatch transaction, after its
    recipients are recorded and whatever their number (the webhooks app records its deliveries
    to the organization's endpoints there and enqueues them with `transaction.on_commit`). An
    exception rolls the dispatch back: the sweeper dispatches the event again later."""
    if hook not in _dispatch_hooks:
        _dispatch_hooks.append(hook)
    return hook


def dispatch_hooks() -> list[Callable[[Event], None]]:
    return list(_dispatch_hooks)


def get(kind: str) -> EventType | None:
    return _registry.get(kind)


def kinds() -> list[str]:
    return sorted(_registry)
