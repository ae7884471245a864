"""Thin tasks of the webhooks app: they take ids and call `services`."""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from . import services

logger = logging.getLogger(__name__)


def enqueue_deliveries(due: list[tuple[int, int]]) -> int:
    """Hand (delivery id, attempts) pairs to the broker; one that cannot be reached is logged
    and the beat task takes the deliveries up once their lease is over."""
    sent = 0
    for delivery_id, attempts in due:
        try:
            deliver.apply_async((delivery_id, attempts), retry=False)
            sent += 1
        except (OperationalError, OSError):
            logger.warning("Could not enqueue webhook delivery %s.", delivery_id, exc_info=True)
    return sent


def enqueue_due() -> int:
    return enqueue_deliveries(services.due_claim())


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def deliver(delivery_id: int, attempts: int) -> str | None:
    """One attempt of one webhook delivery. Returns its status afterwards (None: nothing to do,
    another run already made this attempt)."""
    delivery = services.delivery_attempt(delivery_id, attempts)
    return delivery.status if delivery is not None else None


@shared_task(acks_late=True)
def retry_due() -> int:
    """Beat: the deliveries whose next attempt is due (failed before, or lost with a killed
    worker or an unreachable broker), from the database. Returns how many were enqueued."""
    return enqueue_due()
