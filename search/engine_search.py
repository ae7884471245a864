"""Searches answered by this node's search engine (issue 15), behind `SEARCH_ENGINE = "tantivy"`.

`engine_search(user, query, filters)` returns an `EngineSearch`, which the search paginator asks
for one page at a time (`page(bottom, size)`): one engine query with the reader's scope tags as
its filter, ranked and counted by the engine; then the page's ids re-checked in the database
(services.visible_among: the documents the person may see among at most a page of ids, in one
statement), so that an engine that lags a change never shows what the database no longer
allows. What the re-check drops is not shown.

A page is cached (Redis) under the reader's scope tags and language, the query, filters and
page, the cache version (core/versions.py: any change in the database) and the engine's
position in the change log: a repeated query costs the version's statement alone, and no page
outlives a change. Inside a transaction with its own changes, or with Redis away, nothing is
cached.

The process opens the index read-only and reloads it when its last commit changed (looked at
most every RELOAD_EVERY seconds). Without an index (a node not built yet), `open_engine()` is
None and the search answers from the database backend, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from core import versions
from core.scope import scope_of

from .backends import Query
from .engine import Engine
from .models import SearchDocument
from .scope_tags import scope_filter

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

logger = logging.getLogger(__name__)

RELOAD_EVERY = 0.2  # seconds
RETRY_EVERY = 1.0  # seconds between two tries at opening a missing index
WARN_EVERY = 60.0  # seconds between two warnings that the database answers instead
PAGE_CACHE_SECONDS = 300

_lock = threading.Lock()
_engine: Engine | None = None
_engine_path: str | None = None
_last_reload = 0.0
_next_try = 0.0
_warned_at: float | None = None


def enabled() -> bool:
    return getattr(settings, "SEARCH_ENGINE", "database") == "tantivy"


def open_engine() -> Engine | None:
    """This process's engine on SEARCH_INDEX_DIR (None when there is no built index yet: tried
    again every RETRY_EVERY seconds, said in the log every WARN_EVERY), reloaded when older than
    RELOAD_EVERY."""
    global _engine, _engine_path, _last_reload, _next_try
    path = str(settings.SEARCH_INDEX_DIR)
    with _lock:
        if _engine is None or _engine_path != path:
            now = time.monotonic()
            if now < _next_try and _engine_path is None:
                return None
            _next_try = now + RETRY_EVERY
            if not os.path.exists(os.path.join(path, "meta.json")):  # never created from here: the indexer's
                _warn("No search engine index at %s yet: searching the database.", path)
                return None
            try:
                engine = Engine(path)
            except (OSError, ValueError) as error:
                _warn("No usable search engine index at %s (%s): searching the database.", path, error)
                return None
            if engine.position() is None:
                _warn("The search engine index at %s is not built yet: searching the database.", path)
                return None
            _engine, _engine_path, _last_reload, _next_try = engine, path, time.monotonic(), 0.0
        elif time.monotonic() - _last_reload > RELOAD_EVERY:
            _engine.reload()
            _last_reload = time.monotonic()
        return _engine


def _warn(message: str, *args: object) -> None:
    global _warned_at
    now = time.monotonic()
    if _warned_at is None or now - _warned_at >= WARN_EVERY:
        _warned_at = now
        logger.warning(message, *args)


def use_engine(engine: Engine | None) -> None:
    """Tests: answer searches from this engine (None: open SEARCH_INDEX_DIR again)."""
    global _engine, _engine_path, _last_reload, _next_try, _warned_at
    with _lock:
        _engine = engine
        _engine_path = str(settings.SEARCH_INDEX_DIR) if engine is not None else None
        _last_reload = time.monotonic()
        _next_try, _warned_at = 0.0, None


Recheck = Callable[[Any, Sequence[int]], QuerySet[SearchDocument]]


@dataclass
class EngineSearch:
    """One search, paged by the engine (search.pagination.SearchPaginator)."""

    user: Any
    query: Query
    engine: Engine
    scope: list[list[str]]
    filters: dict[str, str]
    recheck: Recheck  # (person, ids) -> the rows among ids the person may see (services.visible_among)
    more: bool = False
    total: int = 0
    _pages: dict[tuple[int, int], list[SearchDocument]] = field(default_factory=dict)

    def count(self) -> int:
        """Every match the engine counts (at most its limit: `more` says when there are more)."""
        if not self._pages:
            self.page(0, 1)
        return self.total

    def __len__(self) -> int:
        return self.count()

    def page(self, bottom: int, size: int) -> list[SearchDocument]:
        """The documents of one page, best first, each with `score`; sets `total` (and `more`
        over the engine's count limit). A page is kept in the cache for the person's scope (see
        `cache_key`); Redis away, every page is computed."""
        if (bottom, size) in self._pages:
            return self._pages[bottom, size]
        key = self.cache_key(bottom, size)
        cached = cache.get(key) if key is not None else None
        if cached is not None:
            page, self.total, self.more = cached
        else:
            page = self._compute(bottom, size)
            if key is not None:
                cache.set(key, (page, self.total, self.more), PAGE_CACHE_SECONDS)
        self._pages[bottom, size] = page
        return page

    def cache_key(self, bottom: int, size: int) -> str | None:
        """What decides a page: the reader's scope tags and language (the re-check chooses
        guides in it), the query as the engine reads it, the filters and the page; and what the
        page was computed from: the cache version (the database: core/versions.py) and the
        engine's position in the change log. A change anywhere makes a new version, and the
        engine catching up a new position, so no page outlives what it was computed from. None:
        not cached (inside a transaction with its own changes)."""
        version = versions.current(self.user)
        if version is None:
            return None
        scope = scope_of(self.user)
        described = json.dumps(
            [
                self.scope,
                scope.language,
                self.query.norm,
                self.query.keys,
                sorted(self.filters.items()),
                bottom,
                size,
            ],
            ensure_ascii=True,
        )
        digest = hashlib.sha256(described.encode()).hexdigest()
        position = self.engine.position() or (0, 0)
        return f"search:page:{version}:{position[0]}.{position[1]}:{digest}"

    def _compute(self, bottom: int, size: int) -> list[SearchDocument]:
        result = self.engine.search(self.query, scope=self.scope, limit=size, offset=bottom, **self.filters)
        self.total, self.more = result.total, result.more
        ids = [doc for doc, _score in result.hits]
        if not ids:
            return []
        rows = self.recheck(self.user, ids).select_related("brand").defer("names", "text", "keys", "vector")
        found = {row.pk: row for row in rows}
        page = []
        for doc, score in result.hits:
            row = found.get(doc)
            if row is not None:  # dropped: the engine lags a change the database already made
                row.score = score
                page.append(row)
        return page


def engine_search(
    user: User | AnonymousUser, query: Query, filters: dict[str, str], recheck: Recheck
) -> EngineSearch | None:
    """The search on the engine, or None when this node has no engine to answer."""
    engine = open_engine()
    if engine is None:
        return None
    engine.flush()  # what this process wrote itself (the tests' engine); nothing on a web node
    needed = scope_filter(scope_of(user))
    if needed is None:
        needed = [[]]  # nobody: an empty group lets nothing through
    return EngineSearch(user=user, query=query, engine=engine, scope=needed, filters=filters, recheck=recheck)
