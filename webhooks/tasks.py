"""Thin tasks of the webhooks app: they take ids and call `services`."""

from __future__ import annotations

from celery import shared_task

from core import broker

from . import services


def enqueue_deliveries(due: list[tuple[int, int]]) -> int:
    """Hand (delivery id, attempts) pairs to the broker; one that cannot be reached is logged
    and the beat task takes the deliveries up once their lease is over."""
    then = "The beat's retries take the delivery up."
    return sum(broker.send(deliver, delivery_id, attempts, then=then) for delivery_id, attempts in due)


def enqueue_due() -> int:
    return enqueue_deliveries(services.due_claim())


# Routed to the webhooks queue (settings.CELERY_TASK_ROUTES), served by workers of its own, so
# that no receiver can delay in-app or e-mail delivery. The attempt itself ends within
# WEBHOOKS_TIMEOUT_SECONDS; the time limits are a last resort above it.
@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def deliver(self, delivery_id: int, attempts: int) -> str | None:
    """One attempt of one webhook delivery. Returns its status afterwards (None: nothing to do,
    another run already made this attempt; "busy": another attempt to the same endpoint was in
    flight, which enqueues this one when it ends)."""
    result = services.delivery_attempt(delivery_id, attempts)
    if result.next_due is not None and not self.request.is_eager:
        # The endpoint's next delivery, now that it is free (in-process, the caller's loop
        # already goes through them one after the other).
        enqueue_deliveries([result.next_due])
    if result.busy:
        return "busy"
    return result.delivery.status if result.delivery is not None else None


@shared_task(acks_late=True)
def retry_due() -> int:
    """Beat: the deliveries whose next attempt is due (failed before, or lost with a killed
    worker or an unreachable broker), from the database. Returns how many were enqueued."""
    return enqueue_due()
