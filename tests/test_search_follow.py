"""A node's search engine following the change log (issue 15): what the database changes (a
product created, renamed, deleted, a brand's visibility narrowed, an owner suspended) reaches the
engine through search.follow, for the readers the scoping gate allows; a rebuild and a second
node (another engine) converge on the same answers. Real transactions (transaction=True), and
transactions held open in another connection: one that commits after a rebuild with an older
id than the log's newest change, one that a follower passes (nothing waits behind it; after a
restart it is still applied). The log's pruning, and the indexer rebuilding when it was pruned
past its index."""

from __future__ import annotations

import io
import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import tantivy
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Status
from brands import services
from core.scope import scope_of
from search import follow
from search.backends import Query
from search.engine import META_DOC, Engine
from search.models import IndexChange, SearchDocument
from search.scope_tags import scope_filter
from search.tasks import prune_change_log

pytest_plugins = ["tests.brand_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def found(engine: Engine, user, text: str) -> set[tuple[str, int]]:
    needed = scope_filter(scope_of(user))
    if needed is None:
        return set()
    result = engine.search(Query.parse(text), scope=needed, limit=100)
    documents = SearchDocument.objects.in_bulk([doc for doc, _score in result.hits])
    return {(documents[doc].type, documents[doc].object_id) for doc, _score in result.hits if doc in documents}


def eventually(engine: Engine, check, timeout: float = 10.0) -> bool:
    """Follow the log until `check()` holds. follow() applies every committed change before it
    returns (other transactions of the cluster, running, hold nothing back)."""
    deadline = time.monotonic() + timeout
    while True:
        follow.follow(engine)
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.fixture
def engine():
    made = Engine.in_memory()
    follow.rebuild(made)
    return made


def test_a_change_reaches_the_engine_for_the_readers_the_gate_allows(
    engine, acme_editor, brand_fr, officer_fr, officer_de, police_officer_fr
):
    product = services.product_create(
        actor=acme_editor, brand=brand_fr, data={"name": "Quartzine Chrono", "sku": "QZ-1"}
    )
    assert eventually(engine, lambda: ("product", product.pk) in found(engine, officer_fr, "quartzine"))
    assert found(engine, officer_de, "quartzine") == set()  # brand_fr: France only
    assert ("product", product.pk) in found(engine, police_officer_fr, "quartzine")  # every kind by default
    assert ("product", product.pk) in found(engine, acme_editor, "quartzine")
    # Narrowed to customs: the police lose it.
    services.brand_update(
        actor=acme_editor,
        brand=brand_fr,
        data={"visibility": {"all": False, "countries": ["FR"], "agencies": ["customs"]}},
    )
    assert eventually(engine, lambda: found(engine, police_officer_fr, "quartzine") == set())
    assert ("product", product.pk) in found(engine, officer_fr, "quartzine")
    # Renamed: the old name is gone, the new one found.
    services.product_update(actor=acme_editor, product=product, data={"name": "Saphirine Chrono"})
    assert eventually(engine, lambda: ("product", product.pk) in found(engine, officer_fr, "saphirine"))
    assert found(engine, officer_fr, "quartzine") == set()
    # Narrowed to Germany: the French officer loses it, the German one gets it.
    services.brand_update(actor=acme_editor, brand=brand_fr, data={"visibility": {"all": False, "countries": ["DE"]}})
    assert eventually(engine, lambda: ("product", product.pk) in found(engine, officer_de, "saphirine"))
    assert found(engine, officer_fr, "saphirine") == set()
    # Deleted: gone for everyone.
    services.product_delete(actor=acme_editor, product=product)
    assert eventually(engine, lambda: found(engine, acme_editor, "saphirine") == set())


def test_a_suspended_owner_disappears_for_officers(engine, acme, acme_editor, brand_all, officer_fr):
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Vermeilline Ring"})
    assert eventually(engine, lambda: bool(found(engine, officer_fr, "vermeilline")))
    acme.status = Status.SUSPENDED
    acme.save()
    assert eventually(engine, lambda: found(engine, officer_fr, "vermeilline") == set())


def test_a_rebuild_and_a_second_node_agree_with_the_follower(engine, acme_editor, brand_all, officer_fr):
    for n in range(5):
        services.product_create(actor=acme_editor, brand=brand_all, data={"name": f"Opalette {n}", "sku": f"OP-{n}"})
    assert eventually(engine, lambda: len(found(engine, officer_fr, "opalette")) == 5)
    second = Engine.in_memory()  # another node: its own index, the same log
    assert eventually(second, lambda: len(found(second, officer_fr, "opalette")) == 5)
    rebuilt = Engine.in_memory()
    follow.rebuild(rebuilt)
    assert (
        found(rebuilt, officer_fr, "opalette")
        == found(engine, officer_fr, "opalette")
        == found(second, officer_fr, "opalette")
    )
    assert rebuilt.count() == engine.count() == second.count() == SearchDocument.objects.count()


def test_following_twice_changes_nothing(engine, acme_editor, brand_all):
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Idempotine"})
    assert eventually(engine, lambda: engine.count() == SearchDocument.objects.count())
    before = engine.count()
    position = engine.position()
    assert follow.follow(engine) == 0
    assert engine.count() == before and engine.position() == position


def test_trade_marks_follow_their_brand(engine, acme_editor, brand_all, officer_fr):
    mark = services.brand_item_create(
        actor=acme_editor, brand=brand_all, kind="trademarks", data={"office": "EUIPO", "number": "019876543"}
    )
    assert eventually(engine, lambda: ("trademark", mark.pk) in found(engine, officer_fr, "019876543"))
    services.brand_item_delete(actor=acme_editor, item=mark)
    assert eventually(engine, lambda: found(engine, officer_fr, "019876543") == set())
    assert eventually(engine, lambda: engine.count() == SearchDocument.objects.count())


class Held:
    """`work()` in a transaction of another connection (a thread), held open until `end()`,
    which commits it (or rolls it back)."""

    def __init__(self, work):
        self.work = work
        self.result = None
        self.error: BaseException | None = None
        self.ready, self.release = threading.Event(), threading.Event()
        self.commit = True
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            with transaction.atomic():
                self.result = self.work()
                self.ready.set()
                self.release.wait(60)
                if not self.commit:
                    transaction.set_rollback(True)
        except BaseException as error:  # reported by start() or end()
            self.error = error
        finally:
            self.ready.set()
            connection.close()

    def start(self) -> Held:
        self.thread.start()
        self.ready.wait(30)
        assert self.error is None, self.error
        return self

    def end(self, *, commit: bool = True) -> None:
        self.commit = commit
        self.release.set()
        self.thread.join(30)
        assert self.error is None, self.error


@pytest.fixture
def hold():
    """hold(work) -> a started Held; any still held when the test ends is rolled back (a failed
    test must not leave a transaction open while the database is flushed)."""
    made: list[Held] = []

    def start(work) -> Held:
        made.append(Held(work))
        return made[-1].start()

    yield start
    for held in made:
        if not held.release.is_set():
            held.end(commit=False)


def create(actor, brand, name: str):
    return lambda: services.product_create(actor=actor, brand=brand, data={"name": name})


def test_a_change_an_older_transaction_commits_after_a_rebuild_is_applied(hold, acme_editor, brand_all, officer_fr):
    late = hold(create(acme_editor, brand_all, "Tardivelle Watch"))  # the older transaction
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Promptine Watch"})  # a newer one
    engine = Engine.in_memory()
    follow.rebuild(engine)  # the log's newest change is the newer transaction's
    late.end()
    assert eventually(engine, lambda: ("product", late.result.pk) in found(engine, officer_fr, "tardivelle"))
    assert len(found(engine, officer_fr, "promptine")) == 1


def test_a_long_transaction_holds_no_other_change_behind_it(engine, hold, acme_editor, brand_all, officer_fr):
    long = hold(create(acme_editor, brand_all, "Lentissime Watch"))
    quick = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Vivacine Watch"})
    assert eventually(engine, lambda: ("product", quick.pk) in found(engine, officer_fr, "vivacine"), timeout=2)
    assert found(engine, officer_fr, "lentissime") == set()
    long.end()
    assert eventually(
        engine, lambda: ("product", long.result.pk) in found(engine, officer_fr, "lentissime"), timeout=2
    )


def test_a_passed_transaction_is_read_batch_by_batch_once_it_commits(engine, hold, acme_editor, brand_all, officer_fr):
    def many():
        return [
            services.product_create(actor=acme_editor, brand=brand_all, data={"name": f"Nombreuse {n}"})
            for n in range(7)
        ]

    big = hold(many)
    quick = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Passante Watch"})
    assert eventually(engine, lambda: ("product", quick.pk) in found(engine, officer_fr, "passante"), timeout=2)
    big.end()
    per_round = []
    while len(found(engine, officer_fr, "nombreuse")) < 7 and len(per_round) < 20:
        per_round.append(follow.follow(engine, batch=2, rounds=1))
    assert len(found(engine, officer_fr, "nombreuse")) == 7
    assert max(per_round) <= 2 and sum(per_round) >= 7, per_round  # never the whole transaction at once
    assert engine.count() == SearchDocument.objects.count()


def test_a_rolled_back_transaction_that_was_passed_leaves_nothing(engine, hold, acme_editor, brand_all, officer_fr):
    undone = hold(create(acme_editor, brand_all, "Annulette Watch"))
    quick = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Restante Watch"})
    assert eventually(engine, lambda: ("product", quick.pk) in found(engine, officer_fr, "restante"), timeout=2)
    undone.end(commit=False)
    follow.follow(engine)
    assert engine.search(Query.parse("annulette"), scope=[], limit=10).total == 0
    assert engine.count() == SearchDocument.objects.count()


def test_a_follower_restarted_while_a_passed_transaction_runs_still_applies_it(
    tmp_path, hold, acme_editor, brand_all, officer_fr
):
    first = Engine(tmp_path)
    follow.rebuild(first)
    long = hold(create(acme_editor, brand_all, "Patientine Watch"))
    quick = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Pressine Watch"})
    assert eventually(first, lambda: ("product", quick.pk) in found(first, officer_fr, "pressine"), timeout=2)
    first.close()  # the follower stops; what it remembered of the running transaction is lost
    long.end()
    second = Engine(tmp_path)  # started again on the same directory, from the recorded position
    assert eventually(
        second, lambda: ("product", long.result.pk) in found(second, officer_fr, "patientine"), timeout=2
    )
    assert second.count() == SearchDocument.objects.count()


def test_the_recorded_position_changes_whenever_the_index_does(engine, hold, acme_editor, brand_all):
    """Searches cache pages under the engine's position (engine_search.EngineSearch.cache_key):
    it must change with every commit that changes the index, transactions pending or not."""
    older = hold(create(acme_editor, brand_all, "Ainee Watch"))
    younger = hold(create(acme_editor, brand_all, "Cadette Watch"))
    seen = [engine.position()]
    for name in ("Premiere Watch", "Seconde Watch"):
        services.product_create(actor=acme_editor, brand=brand_all, data={"name": name})
        assert follow.follow(engine) > 0
        seen.append(engine.position())
    younger.end()  # its rows alone, the older one still pending
    assert follow.follow(engine) > 0
    seen.append(engine.position())
    older.end()
    assert follow.follow(engine) > 0
    seen.append(engine.position())
    assert len(set(seen)) == len(seen), seen


def old_rows(days: int = 30) -> None:
    IndexChange.objects.update(created=timezone.now() - timedelta(days=days))


def test_pruning_deletes_the_old_part_of_the_log_and_leaves_a_mark(settings, acme_editor, brand_all):
    for name in ("Vieillotte", "Ancienne"):
        services.product_create(actor=acme_editor, brand=brand_all, data={"name": name})
    old_rows()
    newest_old = IndexChange.objects.order_by("-tx", "-id").first()
    recent = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Fraichette"})
    recent_rows = set(IndexChange.objects.filter(created__gte=timezone.now() - timedelta(days=1)).values_list("id"))
    assert recent_rows
    settings.SEARCH_CHANGE_LOG_DAYS = 7
    deleted = prune_change_log.apply().get()
    assert deleted > 0
    left = list(IndexChange.objects.order_by("tx", "id"))
    assert left[0].pk == newest_old.pk and left[0].kind == follow.PRUNED  # the mark
    assert {(row.pk,) for row in left[1:]} == recent_rows
    assert ("product", recent.pk) in {(row.kind, row.object_id) for row in left}
    assert prune_change_log.apply().get() == 0  # nothing older left but the mark
    assert IndexChange.objects.filter(kind=follow.PRUNED).count() == 1


def test_the_indexer_rebuilds_an_index_the_log_was_pruned_past(tmp_path, acme_editor, brand_all, officer_fr):
    call_command("search_indexer", path=str(tmp_path), once=True, stdout=io.StringIO())  # built
    missed = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Oubliette Watch"})
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Dernierette Watch"})
    old_rows()
    assert follow.prune_log(days=7) > 0  # the index never saw these changes
    out = io.StringIO()
    call_command("search_indexer", path=str(tmp_path), once=True, stdout=out)
    assert "Building the index" in out.getvalue()
    engine = Engine(tmp_path)
    assert ("product", missed.pk) in found(engine, officer_fr, "oubliette")
    assert engine.count() == SearchDocument.objects.count()


def test_an_indexer_that_kept_up_does_not_rebuild_after_pruning(tmp_path, acme_editor, brand_all):
    engine = Engine(tmp_path)
    follow.rebuild(engine)
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Suivie Watch"})
    old_rows()
    assert follow.prune_log(days=7) > 0
    mark = IndexChange.objects.get(kind=follow.PRUNED)
    # Following, the recorded position passes the mark once the transactions older than the
    # newest change (other sessions' too) have ended.
    assert eventually(engine, lambda: engine.position() >= (mark.tx, mark.pk))
    assert not follow.needs_rebuild(engine)
    engine.close()
    out = io.StringIO()
    call_command("search_indexer", path=str(tmp_path), once=True, stdout=out)
    assert "Building the index" not in out.getvalue()


def test_search_rebuild_replaces_the_index_but_not_under_a_running_indexer(tmp_path, acme_editor, brand_all):
    path = tmp_path / "index"
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Reconstruite Watch"})
    call_command("search_rebuild", path=str(path), stdout=io.StringIO())
    assert Engine(path).count() == SearchDocument.objects.count()
    indexer = Engine(path)
    services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Suivante Watch"})
    assert follow.follow(indexer) > 0  # an indexer at work: it holds the index's write lock
    with pytest.raises(CommandError, match="search_indexer running"):
        call_command("search_rebuild", path=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="another search_indexer"):
        call_command("search_indexer", path=str(path), once=True, stdout=io.StringIO())
    indexer.close()
    call_command("search_rebuild", path=str(path), stdout=io.StringIO())
    assert Engine(path).count() == SearchDocument.objects.count()


def held_documents(engine: Engine) -> Counter:
    """Every document the engine holds, with how many times."""
    searcher = engine._index.searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs + 1).hits
    held = Counter(searcher.doc(address).get_first("doc") for _score, address in hits)
    del held[META_DOC]
    return held


def test_overlapping_transactions_committing_in_any_order_all_reach_a_restarted_follower(
    tmp_path, acme_editor, brand_all
):
    """Writers whose transactions overlap and commit out of order, a follower following them all
    along and restarted every second round from what it recorded: in the end it holds what a
    rebuild holds."""
    rng = random.Random(15)
    plans = [[(rng.random() * 0.5, f"Melee {w}-{n}") for n in range(6)] for w in range(4)]

    def write(plan):
        try:
            for pause, name in plan:
                with transaction.atomic():
                    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": name})
                    time.sleep(pause)  # held open while the others commit
                    if name.endswith("-3"):
                        services.product_update(actor=acme_editor, product=product, data={"name": name + " bis"})
        finally:
            connection.close()

    engine = Engine(tmp_path)
    follow.rebuild(engine)
    writers = [threading.Thread(target=write, args=(plan,)) for plan in plans]
    for writer in writers:
        writer.start()
    rounds = 0
    while any(writer.is_alive() for writer in writers):
        follow.follow(engine, batch=3)
        rounds += 1
        if rounds % 2 == 0:
            engine.close()
            time.sleep(0.1)  # down for a moment: transactions it passed commit meanwhile
            engine = Engine(tmp_path)  # a new follower on the index, from its recorded position
        time.sleep(0.02)
    for writer in writers:
        writer.join()
    follow.follow(engine, batch=3)
    fresh = Engine.in_memory()
    follow.rebuild(fresh)
    assert held_documents(engine) == held_documents(fresh)
    assert sum(held_documents(engine).values()) == SearchDocument.objects.count() == 1 + 24
    assert engine.search(Query.parse("melee bis"), scope=[], limit=10).total == 4
