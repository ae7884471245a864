"""Thin tasks of the notification pipeline: they take ids and call `pipeline`."""

from __future__ import annotations

import uuid

from celery import shared_task

from core import broker

from . import pipeline

EMAIL_RETRY_BASE_SECONDS = 30
EMAIL_RETRY_MAX_SECONDS = 3600


def _enqueue_chunks(chunk_ids: list[int]) -> int:
    """Send one delivery task per chunk; a chunk the broker does not take is enqueued again by
    the sweeper once the broker is back."""
    then = "The sweeper enqueues the chunk again."
    return sum(broker.send(deliver_chunk, chunk_id, then=then) for chunk_id in chunk_ids)


@shared_task(acks_late=True)
def dispatch_event(event_id: str) -> int:
    """Expand an event's recipients into chunks and enqueue one delivery task per chunk and
    channel. Returns how many chunks were enqueued."""
    return _enqueue_chunks(pipeline.event_dispatch(event_id))


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_chunk(self, chunk_id: int) -> int:
    """Deliver one chunk: in-app rows in one bulk insert, or the chunk's e-mails. E-mails that
    failed are retried with exponential backoff; after the last retry they stay recorded as
    failed. Returns how many were delivered."""
    result = pipeline.chunk_deliver(chunk_id)
    if result.unfinished:
        # The time budget was spent (a slow SMTP server): a fresh task goes on at once with what
        # is left, failed e-mails included; backoff and the retry count apply only to a run that
        # tried every recipient, so nobody is given up without being tried. If the broker cannot
        # take it, the sweeper will (the chunk's lease is released).
        pipeline.chunk_postpone(chunk_id, 0)
        _enqueue_chunks([chunk_id])
    elif result.failed:
        if self.request.retries >= self.max_retries:
            pipeline.chunk_give_up(chunk_id)
        else:
            countdown = retry_countdown(self.request.retries)
            pipeline.chunk_postpone(chunk_id, countdown)
            if not self.request.is_eager:
                raise self.retry(countdown=countdown)
            # In-process (no broker): the request goes on; the sweeper takes the chunk up again
            # once the countdown has passed.
    return result.delivered


def retry_countdown(retries: int) -> int:
    """Seconds before the next attempt: 30 s, doubling, at most an hour."""
    return min(EMAIL_RETRY_BASE_SECONDS * 2**retries, EMAIL_RETRY_MAX_SECONDS)


@shared_task(acks_late=True)
def sweep(stale_after_seconds: float | None = None) -> dict:
    """Beat, every minute: dispatch events never dispatched (broker down at commit) and
    enqueue again chunks left not done (worker killed), from the database, without waiting
    for the broker's own redelivery."""
    from datetime import timedelta

    kwargs = {} if stale_after_seconds is None else {"stale_after": timedelta(seconds=stale_after_seconds)}
    claimed = pipeline.sweep_claim(**kwargs)
    events = sum(1 for event_id in claimed.events if enqueue_dispatch(event_id))
    chunks = _enqueue_chunks(claimed.chunks)
    return {"events": events, "chunks": chunks}


@shared_task(acks_late=True)
def send_digests() -> int:
    """Beat: the daily digest e-mails (one a day per person who chose them). Returns how many
    were sent."""
    from .digests import digests_send

    return digests_send()


def enqueue_dispatch(event_id: uuid.UUID | str) -> bool:
    """Send the dispatch task to the broker; False (logged) if that failed: the request is
    answered now and the sweeper finishes the event."""
    return broker.send(dispatch_event, str(event_id), then="The sweeper dispatches the event later.")


def on_emitted(event_id: uuid.UUID) -> None:
    """Subscribed to the event log (core.events) by NotificationsConfig.ready()."""
    enqueue_dispatch(event_id)
