"""Emitting events: the one call domain services make to tell people something happened.

``emit(kind, *, subject, actor=None, organization=None, data=None) -> Event`` is called inside
the domain transaction. It writes the event row and, once the transaction commits, enqueues
its dispatch; a broker that cannot be reached then is logged and swallowed (the beat sweeper
dispatches the event later, from the database).
"""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from ipm_portal import broker

from .models import Event


def emit(
    kind: str,
    *,
    subject: models.Model,
    actor=None,
    organization=None,
    data: dict | None = None,
) -> Event:
    event = Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        organization=organization,
        data=data or {},
    )
    transaction.on_commit(lambda: enqueue_dispatch(event.id))
    return event


def enqueue_dispatch(event_id: uuid.UUID | str) -> bool:
    """Send the dispatch task to the broker; False (logged) if that failed: the request is
    answered now and the sweeper finishes the event."""
    from .tasks import dispatch_event

    return broker.send(dispatch_event, str(event_id), then="The sweeper dispatches the event later.")
