"""The kinds of event the portal tells people about, registered by each app's `notifying.py`.

``event_type(kind, *, recipients, title, link, email_template=None, transactional=False)``;
see the package docstring (``notifications/__init__.py``) for what each argument means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Event


@dataclass(frozen=True)
class EventType:
    kind: str
    recipients: Callable[[Event], QuerySet]
    title: Callable[[Event], str]
    link: Callable[[Event], str]
    email_template: str
    transactional: bool = False


_registry: dict[str, EventType] = {}


def event_type(
    kind: str,
    *,
    recipients: Callable[[Event], QuerySet],
    title: Callable[[Event], str],
    link: Callable[[Event], str],
    email_template: str | None = None,
    transactional: bool = False,
) -> EventType:
    """Register (or re-register: importing a module twice is harmless) an event kind."""
    registered = EventType(
        kind=kind,
        recipients=recipients,
        title=title,
        link=link,
        email_template=email_template or kind.replace(".", "_"),
        transactional=transactional,
    )
    _registry[kind] = registered
    return registered


def get(kind: str) -> EventType | None:
    return _registry.get(kind)


def kinds() -> list[str]:
    return sorted(_registry)
