"""Real Celery worker processes for the benchmarks (bench/fanout.py, bench/webhooks.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_workers(queue: str, count: int, **extra_env: str) -> list[subprocess.Popen]:
    """`count` solo workers on `queue` and on this process's webhook queue (settings.WEBHOOKS_QUEUE)
    with the production settings (a fresh SECRET_KEY, DEBUG off) and `extra_env`; returns once
    every one answers a ping (Django must be set up)."""
    from django.conf import settings

    from ipm_portal.celery import app

    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        CELERY_QUEUE=queue,
        WEBHOOKS_QUEUE=settings.WEBHOOKS_QUEUE,
        **extra_env,
    )
    queues = f"{queue},{settings.WEBHOOKS_QUEUE}"
    workers = []
    for number in range(count):
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "ipm_portal", "worker", "--pool=solo", "-Q", queues,
                 "-n", f"{queue}-{number}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-l", "WARNING"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
    names = [f"{queue}-{number}@{os.uname().nodename}" for number in range(count)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(app.control.ping(destination=names, timeout=0.5)) == count:
            return workers
    raise SystemExit("The workers did not answer within 60 s.")
