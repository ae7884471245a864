"""Where a webhook may go: HTTPS to public addresses only (the SSRF guard).

The host of an endpoint's URL is resolved and *every* address it resolves to must be global:
not loopback, private, link-local (cloud metadata at 169.254.169.254), shared, reserved,
multicast or unspecified, including IPv4 addresses written as IPv6 (``::ffff:127.0.0.1``). The
check runs when the endpoint is saved and again at each delivery, and the delivery connects to
the address that passed (``resolve_target``), so a DNS answer changed in between cannot send it
elsewhere. The port must be one of ``WEBHOOKS_ALLOWED_PORTS`` (443 by default: an HTTPS
endpoint has no business on an internal service's port). Settings for tests and local
development only: ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` (any address) and ``WEBHOOKS_ALLOW_HTTP``
(plain ``http://``).

Errors say only "not allowed" or "not reachable": never what a name resolved to, so that the
form cannot be used to read the platform's internal DNS.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL: the Host header and the TLS server name
    port: int
    path: str  # path and query string
    address: str  # the checked IP address the connection goes to


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return bool(ip.is_global and not (ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_loopback))


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def _allow_http() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


def port_allowed(port: int) -> bool:
    """WEBHOOKS_ALLOWED_PORTS: a list of ports, or "*" for any (tests, local development)."""
    allowed = [str(p).strip() for p in getattr(settings, "WEBHOOKS_ALLOWED_PORTS", ["443"])]
    return "*" in allowed or str(port) in allowed


def not_allowed() -> ValidationError:
    return ValidationError(
        {"url": _("This address is not allowed: webhooks go to public addresses only, over HTTPS.")}
    )


def not_reachable() -> ValidationError:
    return ValidationError({"url": _("This address is not reachable.")})


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an acceptable URL; ValidationError otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationError({"url": _("Enter a valid URL.")}) from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and _allow_http()):
        raise ValidationError({"url": _("Webhook URLs must start with https://.")})
    if not parts.hostname:
        raise ValidationError({"url": _("Enter a valid URL.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Webhook URLs cannot carry a user name or password.")})
    port = port or (443 if scheme == "https" else 80)
    if not port_allowed(port):
        raise not_allowed()
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port, path


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def _within(seconds: float, lookup, *args) -> list[str] | None:
    """`lookup(*args)` in a thread of its own, waited for `seconds`; None if it took longer.
    getaddrinfo cannot be interrupted: a lookup left behind ends on its own, in a daemon thread
    that holds nothing another attempt needs (a shared pool would let one slow DNS server starve
    every other organization's webhooks)."""
    answer: list[list[str]] = []
    thread = threading.Thread(target=lambda: answer.append(lookup(*args)), daemon=True, name="webhook-dns")
    thread.start()
    thread.join(max(seconds, 0))
    return answer[0] if answer else None


def resolve_target(url: str, *, timeout: float | None = None) -> Target:
    """Check `url` and its host's addresses; the target to connect to. ValidationError (on
    "url") if the URL or any of its addresses is not acceptable, or if the name is not resolved
    within `timeout` seconds (WEBHOOKS_TIMEOUT_SECONDS by default): not reachable."""
    scheme, host, port, path = parse_url(url)
    seconds = timeout if timeout is not None else float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))
    addresses = _within(seconds, resolve, host, port)
    if not addresses:
        raise not_reachable()
    if not _allow_private() and not all(is_public_address(address) for address in addresses):
        raise not_allowed()
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
