"""Waiting on real processes (workers, servers) in tests: poll until something holds."""

from __future__ import annotations

import time


def wait_for(predicate, seconds: float = 60.0, step: float = 0.1, tick=None, tick_every: float = 1.0) -> bool:
    """True once `predicate()` holds within `seconds`, False otherwise; `tick()` (a sweeper or
    beat task run, say) meanwhile, every `tick_every` seconds."""
    deadline = time.monotonic() + seconds
    ticked = time.monotonic()
    while time.monotonic() < deadline:
        if predicate():
            return True
        if tick is not None and time.monotonic() - ticked >= tick_every:
            tick()
            ticked = time.monotonic()
        time.sleep(step)
    return False
