"""Sending follow-up work to the broker from domain actions, which must succeed without it."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Protocol

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class Task(Protocol):
    """What is used of a Celery task (Celery ships no types)."""

    name: str

    def apply_async(self, args: tuple[Any, ...], kwargs: dict[str, Any], *, retry: bool) -> Any: ...


def send(task: Task, *args: Any, then: str = "", **kwargs: Any) -> bool:
    """Send `task(*args, **kwargs)` now; False, with a warning logged (ending with `then`: what
    happens instead), when the broker cannot be reached.
    No publish retries (and CELERY_BROKER_TRANSPORT_OPTIONS max_retries 0): the request answers
    at once instead of waiting on a broker that is down."""
    try:
        task.apply_async(args, kwargs, retry=False)
    except (OperationalError, OSError) as error:
        logger.warning("Could not send %s%r to the broker (%s).%s", task.name, args, error, f" {then}" if then else "")
        return False
    return True


def send_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task(*args, **kwargs)` once the current transaction commits. With the broker down the action
    has still happened; what the task would do is done by a sweeper, or has a fallback."""
    transaction.on_commit(partial(send, task, *args, **kwargs))
