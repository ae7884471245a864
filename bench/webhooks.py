"""Benchmark: signed webhook deliveries through the notification pipeline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ipm_bench_hooks \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/webhooks.py [EVENTS] [ENDPOINTS]

A right holder with ENDPOINTS webhook endpoints (2 by default) on a local HTTP receiver in this
process (http.server, one thread per request, checking every signature as DESIGN.md tells
receivers to), 2 Celery worker processes on PostgreSQL and Redis. First, the latency of one
event: emitted the way a domain service does (event row in a transaction, dispatch on commit)
until its POST arrives, 20 times one after the other. Then EVENTS events (1,000 by default)
emitted back to back: time from the first emit until every delivery has arrived, deliveries per
second. The events are `alert.published` about an alert id that does not exist, so that nobody
gets them in-app and only the webhook channel is measured.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ipm_bench_hooks")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "true"
os.environ["WEBHOOKS_ALLOWED_PORTS"] = "*"
os.environ["WEBHOOKS_ALLOW_HTTP"] = "true"
QUEUE = f"bench-hooks-{uuid.uuid4().hex[:8]}"
os.environ["CELERY_QUEUE"] = QUEUE
os.environ["WEBHOOKS_QUEUE"] = f"{QUEUE}-webhooks"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import Organization, OrganizationKind, Status  # noqa: E402
from bench import workers as workers_  # noqa: E402
from core.events import emit  # noqa: E402
from core.models import Event  # noqa: E402
from notifications.models import EventChunk  # noqa: E402
from webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint  # noqa: E402

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
ENDPOINTS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
WORKERS = 2
LATENCY_RUNS = 20


class Receiver:
    def __init__(self):
        self.lock = threading.Lock()
        self.secrets: dict[str, str] = {}
        self.valid = 0
        self.invalid = 0
        self.arrived: dict[str, float] = {}

    def serve(self) -> ThreadingHTTPServer:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = dict(item.split("=", 1) for item in self.headers.get("IPM-Signature", "").split(","))
                secret = state.secrets.get(self.path, "")
                expected = hmac.new(secret.encode(), f"{parts.get('t')}.".encode() + body, hashlib.sha256).hexdigest()
                fresh = abs(time.time() - int(parts.get("t", 0))) <= 300
                with state.lock:
                    if hmac.compare_digest(expected, parts.get("v1", "")) and fresh:
                        state.valid += 1
                    else:
                        state.invalid += 1
                    state.arrived.setdefault(self.headers["IPM-Delivery"], time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.request_queue_size = 128
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def ensure_database() -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres", autocommit=True
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def setup(receiver: Receiver, port: int) -> Organization:
    owner, _ = Organization.objects.get_or_create(
        kind=OrganizationKind.RIGHT_HOLDER, name="Bench Hooks", country="CH", defaults={"status": Status.APPROVED}
    )
    with connection.cursor() as cursor:
        for model in (WebhookDelivery, EventChunk, Event):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    WebhookEndpoint.objects.filter(organization=owner).delete()
    for number in range(ENDPOINTS):
        path = f"/hooks/{number}"
        endpoint = WebhookEndpoint.objects.create(organization=owner, url=f"http://127.0.0.1:{port}{path}")
        receiver.secrets[path] = endpoint.secret
    return owner


def start_workers() -> list[subprocess.Popen]:
    return workers_.start_workers(QUEUE, WORKERS)


def publish(owner: Organization, number: int) -> Event:
    with transaction.atomic():
        return emit(
            "alert.published",
            subject=owner,
            organization=owner,
            data={"alert": 0, "title": f"Bench alert {number}", "severity": "high"},
        )


def wait(predicate, seconds: float = 600) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise SystemExit("Timed out.")
        time.sleep(0.005)
    return time.monotonic()


def main() -> None:
    ensure_database()
    call_command("migrate", verbosity=0)
    receiver = Receiver()
    server = receiver.serve()
    owner = setup(receiver, server.server_address[1])
    workers = start_workers()
    try:
        latencies = []
        for number in range(LATENCY_RUNS + 1):  # the first one warms up
            started = time.monotonic()
            event = publish(owner, number)
            wait(lambda event=event: str(event.pk) in receiver.arrived)
            if number:
                latencies.append(receiver.arrived[str(event.pk)] - started)
        expected = receiver.valid + EVENTS * ENDPOINTS
        started = time.monotonic()
        for number in range(EVENTS):
            publish(owner, number)
        emitted = time.monotonic() - started
        ended = wait(lambda: receiver.valid + receiver.invalid >= expected)
        seconds = ended - started
        delivered = WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.DELIVERED).count()
        print(f"Webhooks: {ENDPOINTS} endpoints on a local receiver, {WORKERS} worker processes, PostgreSQL and Redis")
        print(
            f"  one event, emit → POST received: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms ({LATENCY_RUNS} runs)"
        )
        print(
            f"  {EVENTS} events × {ENDPOINTS} endpoints: {seconds:.2f} s from the first emit to the last POST "
            f"({emitted:.2f} s to emit them), {EVENTS * ENDPOINTS / seconds:,.0f} deliveries/s"
        )
        print(f"  signatures valid: {receiver.valid}, invalid: {receiver.invalid}; rows delivered: {delivered}")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
        server.shutdown()


if __name__ == "__main__":
    main()
