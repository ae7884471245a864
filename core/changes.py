"""Telling the search index what changed, without the content apps importing search.

``record_change(kind, ids)`` is called by services where model signals do not fire (bulk
creates and updates, queryset updates); ordinary saves and deletes are followed by the search
app's signal receivers. Each subscriber (the search app registers one in its
``AppConfig.ready()``) is called with the kind ("brand", "product", "guide", ...) and the ids,
inside the caller's transaction.

Issue 15 turns this into a change log (a model here in core, read by every node's index);
callers keep calling ``record_change``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Subscriber = Callable[[str, list[int]], object]

_subscribers: list[Subscriber] = []


def on_change(subscriber: Subscriber) -> Subscriber:
    """Register `subscriber(kind, ids)` (once, however often the module registering it is imported)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def record_change(kind: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    for subscriber in list(_subscribers):
        subscriber(kind, ids)
