"""The HTTP side of a webhook: the body, its signature, and one POST to a checked address."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from notifications.models import Event

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

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate checked against the host name of the URL.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(*, url: str, secret: str, event: Event, timeout: float | None = None) -> Outcome:
    """One attempt: 2xx is success; anything else (a redirect included: never followed) is a
    failure with its reason."""
    timeout = timeout if timeout is not None else getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5)
    try:
        target = resolve_target(url)
    except ValidationError as error:
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
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_RESPONSE_BYTES)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(ok=False, error=f"{type(error).__name__}: {error}"[:1000])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Outcome(ok=True, status_code=response.status)
    text = answer.decode("utf-8", "replace").strip()
    return Outcome(ok=False, status_code=response.status, error=f"HTTP {response.status} {text}"[:1000])
