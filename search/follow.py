"""Keeping a node's search engine (search/engine.py) in step with the database, which stays the
one source of truth (issue 15).

- `engine_documents(documents)`: what the engine holds of SearchDocument rows, with their scope
  tags (search/scope_tags.py) and the tags that name them for deletion (`obj:<type>:<id>`,
  `brand:<id>`).
- `follow(engine)`: applies the change log (search.models.IndexChange) from the position the
  engine's last commit recorded, in batches, and commits with the new position. On PostgreSQL
  it reads only the transactions older than every one still running (`pg_snapshot_xmin`), in
  (transaction, id) order: a long transaction that commits late is never skipped, and ids taken
  by a transaction that rolled back leave no hole to wait for. A change applied twice does no
  harm: the engine takes the object's documents as they are now.
- `rebuild(engine)`: every document again, from the database, at the log's current position.

Each node runs one follower (`manage.py search_indexer`) into its own index directory: nodes
share no disk, only the log.

Known limit (to lift): the horizon is the cluster's oldest running transaction, so one long
transaction anywhere in the PostgreSQL cluster (a large import) holds every change behind it
until it ends. Tracking the transactions in progress at each step (`pg_snapshot_xip`) instead
would let the follower pass them and come back for their rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import close_old_connections, connection
from django.db.models import QuerySet

from core.scope import system_selector

from .engine import Engine, EngineDocument
from .index import BATCH, BRAND_AND_DEPENDENTS, TRADEMARKS_OF_BRAND
from .models import IndexChange, ResultType, SearchDocument
from .scope_tags import system_document_tags

logger = logging.getLogger(__name__)

# What the engine needs of a document (not its snippet text nor the vector).
FIELDS = ("pk", "type", "object_id", "brand_id", "public", "latest", "names", "text", "keys", "hs_code")
FILTER_FIELDS = ("categories", "origins")

EVERY_DOCUMENT = "the engine holds every search document; each search narrows it to the person's scope tags"


def _split(value: str, separator: str) -> list[str]:
    return [part for part in (value or "").split(separator) if part]


def _names(document: SearchDocument) -> list[str]:
    """The tags that name a document for deletion: its object, and for a trade mark its brand's
    set of trade marks (replaced as a whole)."""
    named = [f"obj:{document.type}:{document.object_id}"]
    if document.type == ResultType.TRADEMARK:
        named.append(f"tm-of:{document.brand_id}")
    return named


def engine_documents(documents: Sequence[SearchDocument]) -> list[EngineDocument]:
    tags = system_document_tags(documents)
    return [
        EngineDocument(
            doc=document.pk,
            type=document.type,
            names=document.names,
            text=document.text,
            keys=_split(document.keys, "|"),
            hs_code=document.hs_code,
            categories=_split(document.categories, ","),
            origins=_split(document.origins, ","),
            tags=[*tags[document.pk], *_names(document)],
        )
        for document in documents
    ]


@system_selector(EVERY_DOCUMENT)
def system_documents(kind: str, ids: Iterable[int]) -> QuerySet[SearchDocument]:
    rows = SearchDocument.objects.only(*FIELDS, *FILTER_FIELDS)
    if kind == BRAND_AND_DEPENDENTS:
        return rows.filter(brand_id__in=list(ids))
    if kind == TRADEMARKS_OF_BRAND:
        return rows.filter(type=ResultType.TRADEMARK, brand_id__in=list(ids))
    return rows.filter(type=kind, object_id__in=list(ids))


def _apply(engine: Engine, changes: Iterable[tuple[str, int]]) -> int:
    """Delete what the engine holds of the changed objects and put their documents as they are."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in changes:
        by_kind[kind].add(object_id)
    written = 0
    for kind, ids in by_kind.items():
        if kind == BRAND_AND_DEPENDENTS:
            engine.delete_tagged(f"brand:{pk}" for pk in ids)
        elif kind == TRADEMARKS_OF_BRAND:
            engine.delete_tagged(f"tm-of:{pk}" for pk in ids)
        else:
            engine.delete_tagged(f"obj:{kind}:{pk}" for pk in ids)
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):
            written += engine.put(engine_documents(list(system_documents(kind, ordered[start : start + BATCH]))))
    return written


def apply_now(engine: Engine, kind: str, ids: Iterable[int]) -> None:
    """Apply one logged change to `engine` at once, uncommitted changes of the caller's
    transaction included (tests: search.index.LOG_LISTENERS); searches flush it."""
    _apply(engine, ((kind, pk) for pk in ids))


def _settled_changes(after: tuple[int, int], limit: int, own: bool = False) -> list[tuple[int, int, str, int]]:
    """The next changes after `after` = (transaction, id) whose transactions have all ended (and,
    with `own`, those of the caller's own transaction: a test that searches what it just wrote)."""
    if connection.vendor == "postgresql":
        settled = "tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        if own:
            settled = f"({settled} OR tx = pg_current_xact_id_if_assigned()::text::bigint)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT tx, id, kind, object_id FROM search_indexchange WHERE (tx, id) > (%s, %s) AND {settled}"  # noqa: S608
                " ORDER BY tx, id LIMIT %s",
                [after[0], after[1], limit],
            )
            return [tuple(row) for row in cursor.fetchall()]
    rows = IndexChange.objects.filter(id__gt=after[1]).order_by("id")[:limit]
    return [(0, pk, kind, object_id) for pk, kind, object_id in rows.values_list("id", "kind", "object_id")]


def log_position() -> tuple[int, int]:
    """The newest (transaction, id) of the log: where a rebuild from the database stands."""
    last = IndexChange.objects.order_by("-tx", "-id").values_list("tx", "id").first()
    return (int(last[0]), int(last[1])) if last else (0, 0)


def follow(engine: Engine, *, batch: int = 5000, rounds: int | None = None, own: bool = False) -> int:
    """Apply the settled changes after the engine's position, `batch` at a time, committing the
    new position with each batch, until none is left (or `rounds` batches). Returns how many
    changes were applied. `own`: the caller's transaction's changes too (tests)."""
    position = engine.position() or (0, 0)
    applied = 0
    while rounds is None or rounds > 0:
        changes = _settled_changes(position, batch, own)
        if not changes:
            break
        _apply(engine, ((kind, object_id) for _tx, _id, kind, object_id in changes))
        position = (changes[-1][0], changes[-1][1])
        engine.commit(sequence=position[1], tx=position[0])
        applied += len(changes)
        if rounds is not None:
            rounds -= 1
    engine.reload()
    return applied


@system_selector(EVERY_DOCUMENT)
def system_document_count() -> int:
    return SearchDocument.objects.count()


@system_selector(EVERY_DOCUMENT)
def system_documents_after(last: int, limit: int) -> list[SearchDocument]:
    return list(SearchDocument.objects.only(*FIELDS, *FILTER_FIELDS).filter(pk__gt=last).order_by("pk")[:limit])


def rebuild(engine: Engine, *, progress: Callable[[int, int], object] | None = None) -> int:
    """Every document again from the database, committed at the log's position taken first (what
    changes meanwhile is in the log after it, and applied by the next follow)."""
    position = log_position()
    total = system_document_count()
    engine.clear()
    done = 0
    last = 0
    while True:
        rows = system_documents_after(last, BATCH)
        if not rows:
            break
        engine.put(engine_documents(rows))
        last = rows[-1].pk
        done += len(rows)
        if progress is not None:
            progress(done, total)
    engine.commit(sequence=position[1], tx=position[0])
    engine.reload()
    return done


def start_follower_thread(path: str, *, interval: float = 0.2) -> threading.Thread:
    """Follow the log into the index at `path` from a daemon thread of this process (the
    development server: search_indexer's loop, without a second process)."""

    def run() -> None:
        engine = Engine(path)
        while True:
            close_old_connections()
            try:
                if engine.position() is None:
                    rebuild(engine)
                follow(engine)
            except Exception:  # the database busy or away: try again
                logger.exception("Following the search change log failed; trying again.")
                time.sleep(1)
            time.sleep(interval)

    thread = threading.Thread(target=run, name="search-follower", daemon=True)
    thread.start()
    return thread
