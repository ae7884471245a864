"""The portal under gunicorn (production settings) while its Redis, cache and broker at once,
goes away and comes back: the API keeps answering, an alert published meanwhile is committed
with its event, /readyz says 503, and once Redis is back the sweeper delivers the alert's in-app
notifications exactly once per recipient."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis

from accounts.models import ApiToken
from alerts import services as alerts
from core.models import Event
from notifications.models import Notification
from tests.alerts_fixtures import alert_data

from .conftest import free_port

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


class Portal:
    def __init__(self, url: str, log: Path, key_prefix: str):
        self.url = url
        self.log = log
        self.key_prefix = key_prefix

    def keys_in(self, redis_url: str) -> list:
        """The portal's keys in that Redis (its throttle counters, its cache)."""
        return redis.Redis.from_url(redis_url).keys(f"*{self.key_prefix}*")

    def call(self, method: str, path: str, token: str | None = None) -> tuple[int, dict, float]:
        """(status, JSON body, seconds taken)."""
        request = urllib.request.Request(self.url + path, method=method, headers={"Accept": "application/json"})
        if token:
            request.add_header("Authorization", f"Token {token}")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        elapsed = time.monotonic() - started
        try:
            return status, json.loads(body or b"{}"), elapsed
        except ValueError:
            return status, {"raw": body[:500].decode(errors="replace")}, elapsed


def no_control_socket() -> list[str]:
    """gunicorn 25.1+ opens a control socket at one fixed path per user: not for parallel tests."""
    import gunicorn

    return ["--no-control-socket"] if gunicorn.version_info >= (25, 1) else []


@pytest.fixture
def portal(private_redis, transactional_db, tmp_path):
    """gunicorn serving the portal with DEBUG off, on the test database and the private Redis."""
    from django.db import connection

    db = connection.settings_dict
    port = free_port()
    log = tmp_path / "gunicorn.log"
    key_prefix = f"faults-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ipm_portal.settings",
        DEBUG="false",
        SECRET_KEY="faults-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CONN_MAX_AGE="0",
        REDIS_URL=private_redis.url,
        CACHE_KEY_PREFIX=key_prefix,
        CACHE_SKIP_SECONDS="1",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="INFO",
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ipm_portal.wsgi",
                *("-b", f"127.0.0.1:{port}", "-w", "1", "-t", "30"),
                *no_control_socket(),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Portal(f"http://127.0.0.1:{port}", log, key_prefix)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + log.read_text())
        try:
            if server.call("GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not answer within 30 s:\n" + log.read_text())
        time.sleep(0.2)
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_api_keeps_answering_while_redis_is_away_and_the_sweeper_delivers_after(
    portal, private_redis, acme_editor, brand_fr, officer_fr, coordinator_fr, fault_report
):
    alert = alerts.alert_create(actor=acme_editor, data=alert_data(brand_fr))
    token = ApiToken.objects.create(user=acme_editor)[1]

    # Redis up: the API answers and counts its throttles in Redis.
    assert portal.call("GET", "/api/v1/me/", token)[0] == 200
    assert portal.call("GET", "/readyz")[0] == 200
    assert portal.keys_in(private_redis.url)

    private_redis.stop()
    me = portal.call("GET", "/api/v1/me/", token)
    assert me[0] == 200, me
    published = portal.call("POST", f"/api/v1/alerts/{alert.pk}/publish/", token)
    assert published[0] == 200, published
    assert published[1]["status"] == "published"
    again = [portal.call("GET", "/api/v1/me/", token) for _ in range(5)]
    assert [status for status, _body, _s in again] == [200] * 5
    ready = portal.call("GET", "/readyz")
    assert ready[0] == 503 and ready[1]["checks"]["broker"] == "down"
    slowest = max(seconds for _status, _body, seconds in [me, published, *again])
    assert slowest < 2, f"a request waited {slowest:.2f} s on the missing Redis"
    # Committed with its event, which waits for the sweeper.
    event = Event.objects.get(kind="alert.published", subject_id=alert.pk)
    assert event.dispatched_at is None
    assert not Notification.objects.filter(event=event).exists()

    private_redis.start()
    restarted = time.monotonic()
    while not portal.keys_in(private_redis.url):  # counting in Redis again
        assert portal.call("GET", "/api/v1/me/", token)[0] == 200
        assert time.monotonic() - restarted < 10, "the portal did not use Redis again within 10 s"
        time.sleep(0.2)
    back_in_redis = time.monotonic() - restarted
    assert portal.call("GET", "/readyz")[0] == 200

    from notifications.tasks import sweep

    sweep(stale_after_seconds=0)
    sweep(stale_after_seconds=0)  # a second run delivers nothing twice
    delivered = time.monotonic() - restarted
    recipients = list(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))
    assert sorted(recipients) == sorted([officer_fr.pk, coordinator_fr.pk])

    log = portal.log.read_text()
    fault_report(
        scenario="the API (gunicorn) with its Redis stopped: GET /me ×6 and POST alert publish, then Redis back",
        expected=2,
        delivered=len(recipients),
        duplicates=len(recipients) - len(set(recipients)),
        lost=2 - len(set(recipients)),
        recovery_seconds=round(delivered, 1),
        note=f"every call 200 in at most {slowest:.2f} s, /readyz 503 meanwhile; "
        f"throttles in Redis again {back_in_redis:.1f} s after it came back",
    )
    assert log.count("does not answer") == 1, log  # one warning for the outage, not one per request
    print(f"\nRedis back: throttles in Redis again after {back_in_redis:.2f} s, notifications after {delivered:.2f} s")
