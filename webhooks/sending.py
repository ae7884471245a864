"""The HTTP side of a webhook: the body, its signature, and one POST to a checked address."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from core.models import Event

from .targets import Target, resolve_target

USER_AGENT = "IPM-Portal-Webhooks/1"
# Enough of an answer to show in the delivery log, never the whole of it.
MAX_RESPONSE_BYTES = 4096


def event_body(event: Event) -> bytes:
    """The JSON body of an event, the same bytes at every attempt."""
    payload = {
        "id": str(event.pk),
        "type": event.kind,
        "created": event.created.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (used by the tests and shown in the README): the HMAC matches and
    the timestamp is no older (or newer) than `tolerance` seconds."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: Target, deadline: Deadline):
        super().__init__(target.host, target.port, timeout=deadline.remaining())
        self._address = target.address
        self._deadline = deadline

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        self._deadline.watch(sock)
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, deadline: Deadline):
        super().__init__(target, deadline)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        sock = self._open_socket()
        sock.settimeout(self._deadline.remaining())
        # Certificate checked against the host name of the URL.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self._deadline.watch(self.sock)


class DeadlineExceeded(Exception):
    pass


class Deadline:
    """A wall-clock limit on a whole attempt: name lookup, connect, TLS, sending and reading
    together. A socket timeout alone bounds each read, so a receiver that trickles one byte
    every few seconds would hold a worker for ever; here a timer shuts the attempt's sockets
    down when the time is up, and whatever was blocked on them returns at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self._expired:
            raise DeadlineExceeded
        return left

    @property
    def expired(self) -> bool:
        return self._expired or time.monotonic() >= self.ends

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self._expired
        if expired:
            self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would first drop the TLS
        # layer, and a send racing it could go out in clear text.
        with contextlib.suppress(OSError):  # already closed, or never connected
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))


def post(*, url: str, secret: str, event: Event, timeout: float | None = None) -> Outcome:
    """One attempt, over in `timeout` seconds (WEBHOOKS_TIMEOUT_SECONDS) whatever the receiver
    does: 2xx is success; anything else (a redirect included: never followed; a timeout; a
    receiver too slow to answer in time) is a failure with its reason."""
    deadline = Deadline(timeout if timeout is not None else _timeout())
    try:
        return _post(url=url, secret=secret, event=event, deadline=deadline)
    finally:
        deadline.cancel()


def _post(*, url: str, secret: str, event: Event, deadline: Deadline) -> Outcome:
    timed_out = Outcome(ok=False, error=f"Timed out: no complete answer within {deadline.seconds:g} s.")
    try:
        # The name lookup counts against the deadline too.
        target = resolve_target(url, timeout=deadline.remaining())
    except DeadlineExceeded:
        return timed_out
    except ValidationError as error:
        if deadline.expired:
            return timed_out
        messages = error.message_dict.get("url") or error.messages
        return Outcome(ok=False, error=" ".join(str(m) for m in messages))
    body = event_body(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "IPM-Event": event.kind,
        "IPM-Delivery": str(event.pk),
        "IPM-Signature": signature(secret, body, int(time.time())),
    }
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = None
    try:
        connection = connection_class(target, deadline)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_RESPONSE_BYTES)
    except (OSError, http.client.HTTPException, DeadlineExceeded) as error:
        if deadline.expired:
            return timed_out
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    finally:
        if connection is not None:
            connection.close()
    if deadline.expired:  # the answer was cut short by the deadline
        return timed_out
    if 200 <= response.status < 300:
        return Outcome(ok=True, status_code=response.status)
    text = answer.decode("utf-8", "replace").strip()
    return Outcome(ok=False, status_code=response.status, error=f"HTTP {response.status} {text}"[:1000])
