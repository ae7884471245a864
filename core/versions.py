"""One growing number for every answer cached per person or per scope (issue 15).

`bump()` is called in the transaction of every change that may alter what someone sees or who
someone is: the search change log (content and visibility of brands, products, guides), the
guides' countries, and people (users, memberships, organizations, API tokens, two-factor
devices; accounts/signals.py). Once the transaction commits, a row is added to ``core.Version``:
its id is the new version.

`current()` reads the newest id (one indexed statement; an API request reads it once, kept on
its user object by the authentication: `remember`). Cache keys that contain it need no
invalidation: a change makes a new version, and the old entries are never asked for again
(they expire). Why this is never stale: an answer cached under version v was computed from rows
read after v was read; a change that commits after that makes v + 1 right after its commit, so
whatever the answer missed is only ever under v, which nobody asks for once v + 1 exists. Inside
a transaction that has made a change not yet committed, `current()` is None and the caller
neither reads nor writes the cache: the transaction's own view is nobody else's, and no version
describes it.

The version lives in the database, not in Redis: with Redis away nothing is cached, and when
Redis comes back, entries written before a change that happened meanwhile are keyed by an older
version than the database now gives, so they are never trusted.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from .models import Version

KEEP = 1000  # rows; older ones are deleted now and then (only the newest id matters)


def _add() -> None:
    pk = Version.objects.create().pk
    if pk % KEEP == 0:
        Version.objects.filter(pk__lt=pk - KEEP).delete()


def _pending() -> bool:
    """Whether this connection's transaction has made a change that bumps on commit."""
    return connection.in_atomic_block and any(entry[1] is _add for entry in connection.run_on_commit)


def bump() -> None:
    """A new version once the caller's transaction commits (at once outside a transaction);
    once per transaction however many changes it makes."""
    if not _pending():
        transaction.on_commit(_add)


def current(holder: Any = None) -> int | None:
    """The newest version: the one remembered on `holder` (a request's user, by the API's
    authentication) when there is one, else read from the database. None inside a transaction
    with a change not yet committed: do not use the cache."""
    if _pending():
        return None
    known: int | None = getattr(holder, "_cache_version", None)
    if known is not None:
        return known
    return Version.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def remember(holder: Any, version: int | None) -> None:
    """Keep `version` on an object made for one request (the authenticated user), so that the
    request reads the version once."""
    if version is not None:
        holder._cache_version = version


def forget(holder: Any) -> None:
    holder.__dict__.pop("_cache_version", None)
