"""Real processes for the fault-injection suite: a private Redis that a test may stop and start
again (the shared one on 6379 is never touched), and free local ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.waiting import wait_for  # noqa: F401 - the fault tests import it from here


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own on a free port, in the foreground of a subprocess so
    that stopping it (kill) and starting it again (same port, empty) are in the test's hands."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"The private redis-server on port {self.port} did not start.")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: the fault suite starts its own Redis.")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker_at():
    """broker_at(url): this process's Celery producer (and the workers the `celery_worker`
    fixture starts afterwards) on that broker, e.g. a private Redis; restored at the end."""
    from ipm_portal.celery import app

    saved = app.conf.broker_url

    def point_at(url: str) -> None:
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield point_at
    point_at(saved)


class SlowSMTP:
    """A real SMTP server (aiosmtpd) that takes `delay` seconds to accept each message; `.received`
    lists (recipient, IPM event id) in order of acceptance."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: list[tuple[str, str]] = []
        self.port = free_port()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        from email import policy

        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        for recipient in envelope.rcpt_tos:
            self.received.append((recipient, message["X-IPM-Event-Id"]))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def duplicates(self) -> int:
        return len(self.received) - len(set(self.received))


@pytest.fixture
def slow_smtp():
    """slow_smtp(delay) -> a started SlowSMTP; stopped at the end."""
    servers: list[SlowSMTP] = []

    def start(delay: float) -> SlowSMTP:
        server = SlowSMTP(delay)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fault_report(request):
    """fault_report(**row): one line of the fault matrix (docs/RELIABILITY.md) — scenario,
    expected, delivered, duplicates, lost, recovery seconds — appended as JSON to the file named
    by FAULTS_REPORT when it is set (`FAULTS_REPORT=faults.jsonl make test ARGS=tests/faults`)."""
    import json
    import os

    def record(**row) -> None:
        path = os.environ.get("FAULTS_REPORT")
        if path:
            with open(path, "a") as report:
                report.write(json.dumps({"test": request.node.name, **row}) + "\n")

    return record
