"""Redis as the cache and as the throttles' counter, where Redis away is never an error.

While Redis does not answer, cache reads are misses and writes are skipped (a miss is always
correct: the database answers instead, and nothing is kept in the process that could outlive a
change), and the throttles count in each process (`rate_limit_hit`). After a failure the process
leaves Redis alone for a few seconds (`skip_seconds`), so that no request waits on the socket
timeout more than once, and the outage is logged once a minute, not once per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, TypeVarTuple
from urllib.parse import urlsplit

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from limits import RateLimitItem
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)

# What "Redis is not there" looks like through redis-py: refused or timed out, something else
# answering on the port, a replica left read-only by a fail-over.
UNAVAILABLE = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.InvalidResponse,
    redis.exceptions.ReadOnlyError,
    OSError,
)
SOCKET_TIMEOUT = 0.5  # seconds; Redis answers in a millisecond on a sane network
SKIP_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


class Outage:
    """What this process knows of one Redis server: answering, or to be left alone until a moment
    (a circuit breaker)."""

    def __init__(self, server: str, *, skip_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.server = server
        self.skip_seconds = skip_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._since: float | None = None
        self._logged_at: float | None = None
        self._unlogged = 0

    def skipping(self) -> bool:
        return self.clock() < self._skip_until

    def failed(self, error: Exception) -> None:
        now = self.clock()
        with self._lock:
            self._skip_until = now + self.skip_seconds
            if self._since is None:
                self._since = now
            self._unlogged += 1
            due = self._logged_at is None or now - self._logged_at >= LOG_EVERY_SECONDS
            if due:
                self._logged_at, failures, self._unlogged = now, self._unlogged, 0
        if due:
            logger.warning(
                "Redis at %s does not answer (%s): cache reads are misses, writes are skipped and "
                "throttles count in each process; trying again every %g s (%d failed calls since the "
                "last report).",
                self.server,
                error,
                self.skip_seconds,
                failures,
            )

    def answered(self) -> None:
        if self._since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            logger.warning("Redis at %s answers again, after %.1f s.", self.server, self.clock() - since)


_outages: dict[str, Outage] = {}
_registry_lock = threading.Lock()


def outage_of(url: str, *, skip_seconds: float = SKIP_SECONDS) -> Outage:
    """The one Outage of the server at `url` in this process (named without its credentials)."""
    parts = urlsplit(url)
    server = f"{parts.hostname or parts.path}:{parts.port or 6379}"
    with _registry_lock:
        if server not in _outages:
            _outages[server] = Outage(server, skip_seconds=skip_seconds)
        return _outages[server]


_T = TypeVar("_T")
_Fallback = TypeVar("_Fallback")
_Args = TypeVarTuple("_Args")


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, where Redis away is a miss (reads) or nothing (writes). OPTIONS take
    `skip_seconds` besides redis-py's own (socket timeouts default to half a second)."""

    # Set by Django's RedisCache.__init__ (not in django-stubs).
    _servers: list[str]
    _options: dict[str, Any]

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        skip_seconds = float(options.pop("skip_seconds", SKIP_SECONDS))
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_of(self._servers[0], skip_seconds=skip_seconds)

    def _guarded(self, fallback: _Fallback, operation: Callable[[*_Args], _T], *args: *_Args) -> _T | _Fallback:
        if self.outage.skipping():
            return fallback
        try:
            result = operation(*args)
        except UNAVAILABLE as error:
            self.outage.failed(error)
            return fallback
        self.outage.answered()
        return result

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(False, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._guarded(default, super().get, key, default, version)

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # None marks "Redis did not answer": incr itself answers an int or raises.
        value = self._guarded(None, super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    # Django's RedisCache.clear() is `return self._cache.clear()`, FLUSHDB's bool; django-stubs
    # declare BaseCache's None for it, hence the client's method here and the ignore.
    def clear(self) -> bool:  # type: ignore[override]
        return self._guarded(False, self._cache.clear)

    @property
    def rate_limiter(self) -> MovingWindowRateLimiter:
        """An atomic moving-window counter in this cache's Redis (a Lua script per hit)."""
        url = self._servers[0]
        timeouts = (self._options["socket_connect_timeout"], self._options["socket_timeout"])
        with _registry_lock:
            if (url, timeouts) not in _redis_limiters:
                storage = RedisStorage(url, socket_connect_timeout=timeouts[0], socket_timeout=timeouts[1])
                _redis_limiters[url, timeouts] = MovingWindowRateLimiter(storage)
            return _redis_limiters[url, timeouts]


_redis_limiters: dict[tuple[str, tuple[float, float]], MovingWindowRateLimiter] = {}
_local: dict[str, MovingWindowRateLimiter] = {}


def _local_limiter() -> MovingWindowRateLimiter:
    """Per process, made on first use (after the web server forked its workers)."""
    with _registry_lock:
        if "limiter" not in _local:
            _local["limiter"] = MovingWindowRateLimiter(MemoryStorage())
        return _local["limiter"]


def _hit(limiter: MovingWindowRateLimiter, item: RateLimitItem, identifiers: tuple[str, ...]) -> tuple[bool, float]:
    if limiter.hit(item, *identifiers):
        return True, 0.0
    reset, _remaining = limiter.get_window_stats(item, *identifiers)
    return False, max(0.0, reset - time.time())


def rate_limit_hit(item: RateLimitItem, *identifiers: str) -> tuple[bool, float]:
    """Count one request against `item` for `identifiers`: (allowed, seconds until the next one
    would be when refused). In the default cache's Redis, atomically across processes and hosts,
    under the cache's KEY_PREFIX; in this process alone when that cache is not Redis or Redis does
    not answer (then N processes allow up to N times the limit, and the outage is logged)."""
    backend = caches["default"]
    identifiers = (backend.key_prefix, *identifiers)
    if isinstance(backend, RedisCache) and not backend.outage.skipping():
        try:
            result = _hit(backend.rate_limiter, item, identifiers)
        except UNAVAILABLE as error:
            backend.outage.failed(error)
        else:
            backend.outage.answered()
            return result
    return _hit(_local_limiter(), item, identifiers)
