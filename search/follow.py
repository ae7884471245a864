"""Keeping a node's search engine (search/engine.py) in step with the database, which stays the
one source of truth (issue 15).

- `engine_documents(documents)`: what the engine holds of SearchDocument rows, with their scope
  tags (search/scope_tags.py) and the tags that name them for deletion (`obj:<type>:<id>`,
  `brand:<id>`).
- `follow(engine)`: applies the change log (search.models.IndexChange) from where the engine
  stands, in batches, and commits with the new position. On PostgreSQL it reads the log in
  (transaction, id) order and, in the same statement, the snapshot's running transactions
  (`pg_snapshot_xip`): a transaction it passes while still running is remembered and its rows
  read when it commits, so a long transaction (a large import) holds no other change behind it,
  and ids taken by a transaction that rolled back leave no hole to wait for. A change applied
  twice does no harm: the engine takes the object's documents as they are now.
- `rebuild(engine)`: every document again, from the database, at the position where the
  snapshot's oldest running transaction starts.
- `keep_up(engine)`: one step of a follower: a rebuild when the index is missing or the log was
  pruned past it (`needs_rebuild`), then `follow`. `prune_log(days=...)`: the log's older part
  deleted (the Celery beat, SEARCH_CHANGE_LOG_DAYS), leaving a PRUNED row as a mark.

Each node runs one follower (`manage.py search_indexer`) into its own index directory: nodes
share no disk, only the log.

The position an index records (its low-water mark: every change at or below it is applied)
stays below a transaction the follower passed while it ran, until it ends: a follower restarted
meanwhile applies again what it had applied after that point (harmless, and bounded by the
transaction's length). Running transactions of the whole PostgreSQL cluster count (a snapshot
does not say which database a transaction writes to): they hold only that mark, never a change.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import close_old_connections, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.scope import system_selector

from .engine import Engine, EngineDocument
from .index import BATCH, BRAND_AND_DEPENDENTS, TRADEMARKS_OF_BRAND
from .models import IndexChange, ResultType, SearchDocument
from .scope_tags import system_document_tags

logger = logging.getLogger(__name__)

# What the engine needs of a document (not its snippet text nor the vector).
FIELDS = ("pk", "type", "object_id", "brand_id", "public", "latest", "names", "text", "keys", "hs_code")
FILTER_FIELDS = ("categories", "origins")

# A change-log kind that changes nothing: where prune_log deleted the log's older part.
PRUNED = "pruned"

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
    by_kind.pop(PRUNED, None)  # no change: a mark where the log was pruned
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


Position = tuple[int, int]  # (transaction, change id)
Change = tuple[int, int, str, int]  # (transaction, change id, kind, object id)


@dataclass
class _Follower:
    """Where one engine's follower stands in the log, beyond what its last commit records.

    `cursor`: every change up to it is applied, except those of `pending`, the transactions
    below it that were still running when the follower passed them (their rows were not visible
    yet); their rows are read once they have ended (`catching`). `committed`: the position the engine's last
    commit recorded, a low-water mark: every change at or below it is applied."""

    committed: Position
    cursor: Position
    pending: set[int] = field(default_factory=set)
    # Passed transactions that have ended, their rows read `batch` at a time after `caught`;
    # the ones that end meanwhile wait in `pending` for the next pass (this set stays fixed).
    catching: set[int] = field(default_factory=set)
    caught: Position = (0, 0)
    stamp: int = 0  # the id recorded below a pending transaction (follow)

    def behind(self) -> set[int]:
        return self.pending | self.catching


_followers: weakref.WeakKeyDictionary[Engine, _Follower] = weakref.WeakKeyDictionary()


def _follower(engine: Engine) -> _Follower:
    """The engine's follower state, started again from its committed position when that changed
    under it (a rebuild, another process) or after a restart: replaying is harmless."""
    position = engine.position() or (0, 0)
    state = _followers.get(engine)
    if state is None or state.committed != position:
        state = _followers[engine] = _Follower(committed=position, cursor=position, stamp=position[1])
    return state


def _parse_snapshot(text: str) -> tuple[int, int, set[int]]:
    """pg_snapshot's text form, "xmin:xmax:xip,xip,...": (xmin, xmax, the transactions running)."""
    xmin, xmax, running = text.split(":")
    return int(xmin), int(xmax), {int(tx) for tx in running.split(",") if tx}


def _read(
    cursor: Position, catching: set[int], caught: Position, limit: int, own: bool
) -> tuple[set[int], list[Change], list[Change]]:
    """In one statement, hence one snapshot: the transactions running; the next `limit` changes
    after `caught` of the `catching` transactions (ended: their rows are all there, or none); and
    the next `limit` changes after `cursor`. Without `own`, the caller's own transaction counts
    as running (its changes may still roll back); with it, its changes are read (tests)."""
    mine = "" if own else " AND tx IS DISTINCT FROM pg_current_xact_id_if_assigned()::text::bigint"
    with connection.cursor() as cursor_:
        cursor_.execute(
            "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text,"  # noqa: S608
            " c.part, c.tx, c.id, c.kind, c.object_id FROM (SELECT 1) AS one LEFT JOIN LATERAL ("
            "(SELECT 1 AS part, tx, id, kind, object_id FROM search_indexchange"
            " WHERE tx = ANY(%s::bigint[]) AND (tx, id) > (%s, %s) ORDER BY tx, id LIMIT %s)"
            " UNION ALL"
            f" (SELECT 2, tx, id, kind, object_id FROM search_indexchange WHERE (tx, id) > (%s, %s){mine}"
            " ORDER BY tx, id LIMIT %s)"
            ") AS c ON true ORDER BY c.part, c.tx, c.id",
            [sorted(catching), caught[0], caught[1], limit, cursor[0], cursor[1], limit],
        )
        rows = cursor_.fetchall()
    _xmin, _xmax, running = _parse_snapshot(rows[0][0])
    if rows[0][1] is not None and not own:
        running.add(int(rows[0][1]))
    changes: dict[int, list[Change]] = {1: [], 2: []}
    for _s, _o, part, tx, pk, kind, object_id in rows:
        if pk is not None:
            changes[part].append((int(tx), int(pk), kind, int(object_id)))
    return running, changes[1], changes[2]


def log_position() -> Position:
    """The newest (transaction, id) of the log."""
    last = IndexChange.objects.order_by("-tx", "-id").values_list("tx", "id").first()
    return (int(last[0]), int(last[1])) if last else (0, 0)


def follow(engine: Engine, *, batch: int = 5000, rounds: int | None = None, own: bool = False) -> int:
    """Apply the committed changes the engine has not applied yet, `batch` at a time (and those
    of passed transactions that committed meanwhile), committing the new position with each
    round, until none is left (or `rounds` rounds). Returns how many changes were applied.
    `own`: the caller's transaction's changes too (tests).

    On PostgreSQL the log is read in (transaction, id) order, but a transaction with a lower id
    may commit after one with a higher id: each read also takes the snapshot's running
    transactions, and those the follower passes are `pending` until they end; their rows are read
    then. A long transaction holds nothing behind it: only the position recorded in the index
    (the low-water mark) waits for it, so a restart replays from there (harmless)."""
    if connection.vendor != "postgresql":
        return _follow_serial(engine, batch=batch, rounds=rounds)
    state = _follower(engine)
    applied = 0
    try:
        while rounds is None or rounds > 0:
            running, caught, ahead = _read(state.cursor, state.catching, state.caught, batch, own)
            changes = caught + ahead
            ended = state.pending - running
            if not changes and not state.catching and not ended:
                break
            _apply(engine, ((kind, object_id) for _tx, _id, kind, object_id in changes))
            cursor = (ahead[-1][0], ahead[-1][1]) if ahead else state.cursor
            catching, caught_to = state.catching, (caught[-1][0], caught[-1][1]) if caught else state.caught
            if len(caught) < batch:  # the pass is over: the ended transactions are applied whole
                catching, caught_to = set(), (0, 0)
            # Any transaction below the cursor still running was running when its place was
            # passed (its id was given before this snapshot's): its rows come once it ends.
            pending = (state.pending & running) | {tx for tx in running if tx < cursor[0]}
            if not catching:
                catching, pending = ended, pending - ended  # the next pass
            else:
                pending |= ended  # after the current pass
            # Below the oldest transaction not applied any id will do (every transaction under it
            # that the cursor passed is applied whole): a new one each commit, so that the recorded
            # position changes whenever the index does (the search page cache is keyed on it).
            stamp = max(state.stamp + 1, cursor[1]) if changes else state.stamp
            behind = pending | catching
            low = (min(behind) - 1, stamp) if behind else cursor
            if changes or low != state.committed:  # not for a transaction of another database ending
                engine.commit(sequence=low[1], tx=low[0])
            state.cursor, state.pending, state.catching, state.caught = cursor, pending, catching, caught_to
            state.stamp, state.committed = stamp, low
            applied += len(changes)
            if rounds is not None:
                rounds -= 1
    finally:
        engine.reload()
    return applied


def _follow_serial(engine: Engine, *, batch: int, rounds: int | None) -> int:
    """SQLite: one writer at a time, so ids are given in commit order; tx is 0."""
    position = engine.position() or (0, 0)
    applied = 0
    while rounds is None or rounds > 0:
        rows = IndexChange.objects.filter(id__gt=position[1]).order_by("id")[:batch]
        changes = list(rows.values_list("id", "kind", "object_id"))
        if not changes:
            break
        _apply(engine, ((kind, object_id) for _id, kind, object_id in changes))
        position = (0, changes[-1][0])
        engine.commit(sequence=position[1], tx=0)
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


def _rebuild_position() -> Position:
    """Where a rebuild starting now stands in the log. PostgreSQL: every transaction older than
    the snapshot's oldest running one (xmin) has ended, so what it wrote is in the documents the
    rebuild reads next; the position (xmin, 0) makes the follower read every transaction from
    xmin on again, those still running included (the newest change of the log would skip a
    running transaction with an older id, which commits below it later). SQLite: one writer at
    a time, the log's newest change."""
    if connection.vendor != "postgresql":
        return log_position()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return (int(cursor.fetchone()[0]), 0)


def rebuild(engine: Engine, *, progress: Callable[[int, int], object] | None = None) -> int:
    """Every document again from the database, committed at the position taken first (what
    changes meanwhile is in the log after it, and applied by the next follow)."""
    position = _rebuild_position()
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
    _followers.pop(engine, None)
    return done


def _after(position: Position) -> Q:
    return Q(tx__gt=position[0]) | Q(tx=position[0], id__gt=position[1])


def _before(position: Position) -> Q:
    return Q(tx__lt=position[0]) | Q(tx=position[0], id__lt=position[1])


def needs_rebuild(engine: Engine) -> bool:
    """Whether the engine has no index yet, or the log was pruned past its position: a change it
    has not applied may be gone (prune_log leaves a PRUNED row after everything it deleted)."""
    position = engine.position()
    if position is None:
        return True
    return IndexChange.objects.filter(_after(position), kind=PRUNED).exists()


def keep_up(engine: Engine, *, batch: int = 5000) -> int:
    """One step of a node's follower: rebuild the index when it is missing or too far behind,
    then apply the log. Returns how many changes were applied."""
    if needs_rebuild(engine):
        logger.warning("The search engine index is missing or behind the pruned change log: rebuilding it.")
        rebuild(engine)
    return follow(engine, batch=batch)


def prune_log(*, days: int) -> int:
    """Delete the changes older than `days` (the Celery beat's prune_change_log), the log's oldest
    part in (transaction, id) order: up to the first change that is not that old. The newest of
    the deleted is kept as a PRUNED row (no change), so a follower whose position is below it
    knows it may have missed something and rebuilds (needs_rebuild). Returns how many went."""
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        kept = IndexChange.objects.filter(created__gte=cutoff).order_by("tx", "id").values_list("tx", "id").first()
        older = IndexChange.objects.all()
        if kept is not None:
            older = older.filter(_before(kept))
        marker = older.order_by("-tx", "-id").first()
        if marker is None:
            return 0
        deleted, _ = older.filter(_before((marker.tx, marker.id))).delete()
        if marker.kind != PRUNED:
            IndexChange.objects.filter(pk=marker.pk).update(kind=PRUNED, object_id=0)
    return deleted


SCHEMA_MISMATCH = "schema does not match"


def open_index(path: str | os.PathLike[str]) -> Engine:
    """The engine on `path`, for a follower. An index written by another version of the portal
    (another schema: tantivy refuses to open it) is deleted, with a warning: the follower finds
    no index and rebuilds it, while searches answer from the database meanwhile."""
    try:
        return Engine(path)
    except ValueError as error:
        if SCHEMA_MISMATCH not in str(error):
            raise
    logger.warning("The search engine index at %s has another schema (another version): building it again.", path)
    target = Path(path)
    aside = target.with_name(target.name + ".other-schema")
    shutil.rmtree(aside, ignore_errors=True)
    target.rename(aside)  # the processes still reading it keep their open files
    shutil.rmtree(aside, ignore_errors=True)
    return Engine(path)


def start_follower_thread(path: str, *, interval: float = 0.2) -> threading.Thread:
    """Follow the log into the index at `path` from a daemon thread of this process (the
    development server: search_indexer's loop, without a second process)."""

    def run() -> None:
        engine = open_index(path)
        while True:
            close_old_connections()
            try:
                keep_up(engine)
            except Exception:  # the database busy or away: try again
                logger.exception("Following the search change log failed; trying again.")
                time.sleep(1)
            time.sleep(interval)

    thread = threading.Thread(target=run, name="search-follower", daemon=True)
    thread.start()
    return thread
