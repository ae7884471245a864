"""Searches answered by this node's search engine (issue 15), behind `SEARCH_ENGINE = "tantivy"`.

`engine_search(user, query, filters)` returns an `EngineSearch`, which the search paginator asks
for one page at a time (`page(bottom, size)`): one engine query with the reader's scope tags as
its filter, ranked and counted by the engine; then the page's ids re-checked in the database
(the documents the person may see, among at most a page of ids), so that an engine that lags a
change never shows what the database no longer allows. What the re-check drops is not shown.

The process opens the index read-only and reloads it when its last commit changed (looked at
most every RELOAD_EVERY seconds). Without an index (a node not built yet), `open_engine()` is
None and the search answers from the database backend, with a warning in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

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

_lock = threading.Lock()
_engine: Engine | None = None
_engine_path: str | None = None
_last_reload = 0.0


def enabled() -> bool:
    return getattr(settings, "SEARCH_ENGINE", "database") == "tantivy"


def open_engine() -> Engine | None:
    """This process's engine on SEARCH_INDEX_DIR (None when there is no built index yet),
    reloaded when older than RELOAD_EVERY."""
    global _engine, _engine_path, _last_reload
    path = str(settings.SEARCH_INDEX_DIR)
    with _lock:
        if _engine is None or _engine_path != path:
            try:
                engine = Engine(path)
            except (OSError, ValueError):
                logger.warning("No usable search engine index at %s: searching the database.", path, exc_info=True)
                return None
            if engine.position() is None:
                logger.warning("The search engine index at %s is not built yet: searching the database.", path)
                return None
            _engine, _engine_path, _last_reload = engine, path, time.monotonic()
        elif time.monotonic() - _last_reload > RELOAD_EVERY:
            _engine.reload()
            _last_reload = time.monotonic()
        return _engine


def use_engine(engine: Engine | None) -> None:
    """Tests: answer searches from this engine (None: open SEARCH_INDEX_DIR again)."""
    global _engine, _engine_path, _last_reload
    with _lock:
        _engine = engine
        _engine_path = str(settings.SEARCH_INDEX_DIR) if engine is not None else None
        _last_reload = time.monotonic()


@dataclass
class EngineSearch:
    """One search, paged by the engine (search.pagination.SearchPaginator)."""

    user: Any
    query: Query
    engine: Engine
    scope: list[list[str]]
    filters: dict[str, str]
    visible: Any  # the person's documents, a queryset (services.visible_documents)
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
        over the engine's count limit)."""
        if (bottom, size) in self._pages:
            return self._pages[bottom, size]
        result = self.engine.search(self.query, scope=self.scope, limit=size, offset=bottom, **self.filters)
        self.total, self.more = result.total, result.more
        ids = [doc for doc, _score in result.hits]
        rows = self.visible.filter(pk__in=ids).select_related("brand").defer("names", "text", "keys", "vector")
        found = {row.pk: row for row in rows}
        page = []
        for doc, score in result.hits:
            row = found.get(doc)
            if row is not None:  # dropped: the engine lags a change the database already made
                row.score = score
                page.append(row)
        self._pages[bottom, size] = page
        return page


def engine_search(
    user: User | AnonymousUser, query: Query, filters: dict[str, str], visible: Any
) -> EngineSearch | None:
    """The search on the engine, or None when this node has no engine to answer."""
    engine = open_engine()
    if engine is None:
        return None
    engine.flush()  # what this process wrote itself (the tests' engine); nothing on a web node
    needed = scope_filter(scope_of(user))
    if needed is None:
        needed = [[]]  # nobody: an empty group lets nothing through
    return EngineSearch(user=user, query=query, engine=engine, scope=needed, filters=filters, visible=visible)
