"""The event log: the one call domain services make to say that something happened.

``emit(kind, *, subject, actor=None, organization=None, data=None) -> Event`` is called inside
the domain transaction and writes the event row there (an outbox: the event exists exactly when
the change does). Once the transaction commits, every subscriber is told the event's id; the
notifications app subscribes (``on_emitted``, in its ``AppConfig.ready()``) and enqueues the
dispatch, and its beat sweeper dispatches from the database whatever a subscriber could not hand
over (a broker that does not answer). Domain apps therefore record events without importing the
exchange (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import Event

Subscriber = Callable[[uuid.UUID], Any]

_subscribers: list[Subscriber] = []


def on_emitted(subscriber: Subscriber) -> Subscriber:
    """Register `subscriber(event_id)`, called after the emitting transaction commits (once per
    registration, however often the registering module is imported)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def emit(
    kind: str,
    *,
    subject: models.Model,
    actor: Any = None,
    organization: Any = None,
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        organization=organization,
        data=data or {},
    )
    transaction.on_commit(lambda: _tell_subscribers(event.id))
    return event


def _tell_subscribers(event_id: uuid.UUID) -> None:
    for subscriber in list(_subscribers):
        subscriber(event_id)
