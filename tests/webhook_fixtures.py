"""A real HTTP receiver for webhook tests (loaded through `pytest_plugins`; no tests here).

`receiver` is an http.server on a free loopback port, in a thread, that checks every request
the way DESIGN.md tells receivers to: the HMAC-SHA256 of "<t>.<raw body>" with the endpoint's
secret (`receiver.secret`, set by the test once the endpoint exists) and a timestamp no older
than five minutes. It answers `receiver.fail_next` requests with 500 (or `receiver.answer`),
then 200. The settings that let webhooks reach loopback over plain http are turned on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REPLAY_WINDOW = 300


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    fresh: bool
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    fail_next: int = 0
    answer: int = 500
    extra_headers: dict[str, str] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    certificate: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, header: str, body: bytes) -> tuple[bool, bool]:
        """(signature valid, timestamp within the replay window)."""
        try:
            parts = dict(item.split("=", 1) for item in header.split(","))
            timestamp = int(parts["t"])
        except (KeyError, ValueError):
            return False, False
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts.get("v1", "")), abs(time.time() - timestamp) <= REPLAY_WINDOW


def serve(state: Receiver, *, tls=None, port: int = 0):
    """Start the receiver's HTTP server (wrapped in TLS if given) in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            valid, fresh = state.check(self.headers.get("IPM-Signature", ""), body)
            with state.lock:
                if state.fail_next > 0:
                    state.fail_next -= 1
                    code = state.answer
                else:
                    code = 200
                state.requests.append(
                    Received(self.path, dict(self.headers.items()), body, valid, fresh and valid, code)
                )
            self.send_response(code)
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def _allow_loopback(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOWED_PORTS = ["*"]
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 3


@pytest.fixture
def receiver(settings):
    _allow_loopback(settings)
    state = Receiver()
    server = serve(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ipm?source=test"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_receiver(settings, tmp_path):
    """The same receiver over HTTPS, with a self-signed certificate for localhost and 127.0.0.1
    (`.certificate`: its path, for a client that is told to trust it)."""
    import ssl
    import subprocess

    _allow_loopback(settings)
    settings.WEBHOOKS_ALLOW_HTTP = False
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certificate, key)
    state = Receiver()
    state.certificate = certificate
    server = serve(state, tls=tls)
    state.url = f"https://localhost:{server.server_address[1]}/hooks/ipm"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Tarpit:
    """A receiver that reads the request and then answers one byte every `interval` seconds
    (a valid answer, if anyone waits `len(ANSWER) * interval` for it). `.connections` counts the
    requests, `.busy_max` how many it held at once."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"

    url: str = ""
    interval: float = 1.0
    connections: int = 0
    busy: int = 0
    busy_max: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def serve_tarpit(state: Tarpit):
    """Start a tarpit on a free loopback port in daemon threads; returns the listening socket."""
    import socket

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def trickle(connection):
        with state.lock:
            state.connections += 1
            state.busy += 1
            state.busy_max = max(state.busy_max, state.busy)
        try:
            connection.settimeout(30)
            connection.recv(65536)
            for byte in Tarpit.ANSWER:
                if gave_up(connection, state.interval):
                    break
                connection.sendall(bytes([byte]))
        except OSError:
            pass  # the client gave up: what a tarpit wants
        finally:
            with state.lock:
                state.busy -= 1
            connection.close()

    def gave_up(connection, seconds: float) -> bool:
        """Wait `seconds`, watching for the client closing its end (then True at once)."""
        import select

        ends = time.monotonic() + seconds
        while (left := ends - time.monotonic()) > 0:
            readable, _w, _x = select.select([connection], [], [], left)
            if readable and connection.recv(1, socket.MSG_PEEK) == b"":
                return True
        return False

    def accept():
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            threading.Thread(target=trickle, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    state.url = f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/slow"
    return listener


@pytest.fixture
def tarpit(settings):
    _allow_loopback(settings)
    state = Tarpit()
    listener = serve_tarpit(state)
    yield state
    listener.close()
