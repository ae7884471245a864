"""The search engine with a real indexer process (issue 15): `manage.py search_indexer` runs as
a subprocess on the test database, writing its own index directory, and this process searches
that directory through the API as a web node does (SEARCH_ENGINE=tantivy, the index opened
read-only and reloaded). A change is searchable, or gone, within 2 s: a create, an edit, a
bulk import, a delete; a brand's visibility narrowed, its owner suspended, a guide unpublished;
a change made while another transaction stays open (and that one's once it commits).
The re-check in the database hides those three at once whatever the engine says, so the engine
itself is asked too (the count it gives, and its documents through the officer's scope filter).
Two nodes converge; an indexer killed mid-batch and restarted loses and duplicates nothing; a
node without an index answers from the database while its indexer builds the index.

One indexer serves the module's tests that need no fresh index; the others start their own.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import tantivy
from django.db import connection

from accounts.services.organizations import organization_suspend
from authentication_guides import services as guides
from brands import services
from brands.importing import import_products
from core.scope import scope_of
from jobs.errors import ErrorList
from search import engine_search, follow
from search.backends import Query
from search.engine import META_DOC, Engine
from search.models import SearchDocument
from search.scope_tags import scope_filter
from tests import test_search_follow
from tests.test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

hold = test_search_follow.hold  # a fixture: hold(work) runs work in a transaction held open
create = test_search_follow.create

ROOT = Path(__file__).resolve().parent.parent
DELAY = 2.0  # seconds: the most a change may take to be searchable, or gone (issue 15)


class Indexer:
    """`manage.py search_indexer --path <path>` in its own process, on the test database."""

    def __init__(self, path: Path, log: Path, *args: str):
        self.path = path
        db = connection.settings_dict
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="ipm_portal.settings",
            DEBUG="false",
            SECRET_KEY="indexer-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            PYTHONUNBUFFERED="1",  # its output read while it runs
        )
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "search_indexer", "--path", str(path), *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_built(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            if (self.path / "meta.json").exists() and Engine(self.path).position() is not None:
                return
            time.sleep(0.05)
        raise AssertionError("The indexer built no index:\n" + self.output())

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def within(check, seconds: float = DELAY) -> float:
    """Poll `check()` until it holds; the seconds it took (fails past `seconds`)."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"Not within {seconds} s")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def node(django_db_setup, django_db_blocker, tmp_path_factory):
    """The module's indexer and its index directory."""
    base = tmp_path_factory.mktemp("node")
    with django_db_blocker.unblock():
        indexer = Indexer(base / "index", base / "indexer.log")
        indexer.wait_built()
    yield indexer
    indexer.stop()


@pytest.fixture
def web(settings):
    """answer_from(path): this process searches like a web node on the index at `path`."""

    def answer_from(path: Path) -> None:
        settings.SEARCH_ENGINE = "tantivy"
        settings.SEARCH_INDEX_DIR = path
        engine_search.use_engine(None)

    yield answer_from
    engine_search.use_engine(None)


@pytest.fixture(autouse=True)
def _search_engine():
    """Not the suite's in-memory engine fed in-process (tests/conftest.py): the indexer's."""
    yield None


@pytest.fixture
def on_node(node, web):
    web(node.path)
    return node


def search(client, text: str, *, by_engine: bool = True) -> tuple[int, set[tuple[str, int]]]:
    """(count, hits) of the API's search; `by_engine`: asserts that the engine answers (not the
    database, as a node does while its index is missing)."""
    if by_engine:
        assert engine_search.open_engine() is not None
    response = client.get("/api/v1/search/", {"q": text})
    assert response.status_code == 200, response.content
    body = response.json()
    return body["count"], {(hit["type"], hit["id"]) for hit in body["results"]}


def engine_sees(path: Path, user, text: str) -> tuple[int, int]:
    """(documents matching `text` in the engine through `user`'s scope filter, in all): asked of
    the engine itself, with no re-check in the database."""
    engine = Engine(path)
    query = Query.parse(text)
    needed = scope_filter(scope_of(user))
    scoped = engine.search(query, scope=needed, limit=100).total if needed is not None else 0
    return scoped, engine.search(query, scope=[], limit=100).total


# --------------------------------------------------------------------------- one node


def test_a_created_product_is_found(on_node, api, acme_editor, brand_all, officer_fr):
    officer = api(officer_fr)
    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Quartzelle Chrono"})
    within(lambda: ("product", product.pk) in search(officer, "quartzelle")[1])


def test_an_edit_is_found_by_its_new_name_not_its_old(on_node, api, acme_editor, brand_all, officer_fr):
    officer = api(officer_fr)
    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Ambreline Chrono"})
    within(lambda: ("product", product.pk) in search(officer, "ambreline")[1])
    services.product_update(actor=acme_editor, product=product, data={"name": "Saphirelle Chrono"})
    within(
        lambda: (
            search(officer, "saphirelle") == (1, {("product", product.pk)}) and search(officer, "ambreline")[0] == 0
        )
    )
    assert engine_sees(on_node.path, officer_fr, "ambreline") == (0, 0)


def test_narrowing_a_brands_countries_hides_it_from_the_removed_country(
    on_node, api, acme_editor, officer_fr, officer_de
):
    brand = services.brand_create(
        actor=acme_editor, data={"name": "Zephyrine", "visibility": {"all": False, "countries": ["FR", "DE"]}}
    )
    product = services.product_create(actor=acme_editor, brand=brand, data={"name": "Zephyrine Chrono"})
    both = {("brand", brand.pk), ("product", product.pk)}
    within(lambda: search(api(officer_de), "zephyrine") == (2, both))
    services.brand_update(actor=acme_editor, brand=brand, data={"visibility": {"all": False, "countries": ["FR"]}})
    # Zero hits and a zero count: the count is the engine's, so this holds once the indexer applied it.
    within(lambda: search(api(officer_de), "zephyrine") == (0, set()))
    assert engine_sees(on_node.path, officer_de, "zephyrine") == (0, 2)  # there, out of the German scope
    assert search(api(officer_fr), "zephyrine") == (2, both)


def test_suspending_the_owner_hides_its_brands(on_node, api, acme, acme_editor, platform_admin, officer_fr):
    brand = services.brand_create(actor=acme_editor, data={"name": "Vermeilla"})
    product = services.product_create(actor=acme_editor, brand=brand, data={"name": "Vermeilla Ring"})
    officer = api(officer_fr)
    within(lambda: search(officer, "vermeilla") == (2, {("brand", brand.pk), ("product", product.pk)}))
    organization_suspend(actor=platform_admin, organization=acme, reason="Fraudulent claims")
    within(lambda: search(officer, "vermeilla") == (0, set()))
    assert engine_sees(on_node.path, officer_fr, "vermeilla") == (0, 2)


def test_unpublishing_a_guide_hides_it(
    on_node, api, settings, tmp_path, acme_editor, brand_all, platform_admin, officer_fr
):
    settings.MEDIA_ROOT = tmp_path
    guide = make_guide(acme_editor, brand_all, "Spotting a fake Orphelune")
    add_indicator(acme_editor, guide, "Engraved serial", importance="decisive")
    guide = guides.guide_publish(actor=acme_editor, guide=guide)
    officer = api(officer_fr)
    within(lambda: search(officer, "orphelune") == (1, {("guide", guide.pk)}))
    guides.guide_unpublish(actor=platform_admin, guide=guide, reason="Misleading pictures")
    within(lambda: search(officer, "orphelune") == (0, set()))
    assert engine_sees(on_node.path, officer_fr, "orphelune") == (0, 1)  # the owner's draft stays


def test_a_deleted_product_is_gone(on_node, api, acme_editor, brand_all, officer_fr):
    officer = api(officer_fr)
    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Evanelle Chrono"})
    within(lambda: ("product", product.pk) in search(officer, "evanelle")[1])
    services.product_delete(actor=acme_editor, product=product)
    within(lambda: search(officer, "evanelle") == (0, set()))
    assert engine_sees(on_node.path, officer_fr, "evanelle") == (0, 0)


def import_rows(brand, actor, names: list[str]) -> dict:
    rows = iter((n + 2, {"name": name, "sku": f"IMP-{n}"}) for n, name in enumerate(names))
    return import_products(
        brand=brand, header=["name", "sku"], rows=rows, errors=ErrorList(), progress=lambda *_: None, actor=actor
    )


def test_a_bulk_import_is_found(on_node, api, acme_editor, brand_all, officer_fr):
    officer = api(officer_fr)
    assert import_rows(brand_all, acme_editor, [f"Importelle {n}" for n in range(60)])["created"] == 60
    within(lambda: search(officer, "importelle")[0] == 60)


def test_a_long_transaction_holds_no_other_change_back(on_node, api, hold, acme_editor, brand_all, officer_fr):
    officer = api(officer_fr)
    long = hold(create(acme_editor, brand_all, "Lentissima Chrono"))  # open, with its change logged
    quick = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Vivacella Chrono"})
    within(lambda: search(officer, "vivacella") == (1, {("product", quick.pk)}))
    assert search(officer, "lentissima") == (0, set())
    long.end()
    within(lambda: search(officer, "lentissima") == (1, {("product", long.result.pk)}))


# --------------------------------------------------------------------------- nodes, crashes


def documents_in(path: Path) -> Counter:
    """Every document of the index at `path`, each with how many times the engine holds it."""
    engine = Engine(path)
    searcher = engine._index.searcher()
    found = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs + 1).hits
    held = Counter(searcher.doc(address).get_first("doc") for _score, address in found)
    del held[META_DOC]
    return held


def rebuilt() -> Counter:
    """What a fresh rebuild from the database holds (in memory)."""
    engine = Engine.in_memory()
    follow.rebuild(engine)
    searcher = engine._index.searcher()
    found = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs + 1).hits
    held = Counter(searcher.doc(address).get_first("doc") for _score, address in found)
    del held[META_DOC]
    return held


QUERIES = ("convergine", "divergine", "convergelle", "lumina")


def answers(engine: Engine, users) -> dict:
    """{(query, user): the ids the engine answers through the user's scope}"""
    out = {}
    for user in users:
        needed = scope_filter(scope_of(user))
        for text in QUERIES:
            out[text, user.pk] = [doc for doc, _ in engine.search(Query.parse(text), scope=needed, limit=100).hits]
    return out


def test_two_nodes_converge_on_the_same_results(tmp_path, acme_editor, brand_all, officer_fr, officer_de):
    a = Indexer(tmp_path / "a", tmp_path / "a.log")
    b = Indexer(tmp_path / "b", tmp_path / "b.log")
    try:
        a.wait_built()
        b.wait_built()
        brand = services.brand_create(
            actor=acme_editor, data={"name": "Convergine", "visibility": {"all": False, "countries": ["FR", "DE"]}}
        )
        products = [
            services.product_create(actor=acme_editor, brand=brand, data={"name": f"Convergine {n}"}) for n in range(5)
        ]
        services.product_update(actor=acme_editor, product=products[0], data={"name": "Divergine"})
        services.brand_update(actor=acme_editor, brand=brand, data={"visibility": {"all": False, "countries": ["FR"]}})
        services.product_delete(actor=acme_editor, product=products[1])
        import_rows(brand_all, acme_editor, [f"Convergelle {n}" for n in range(20)])
        users = (officer_fr, officer_de, acme_editor)
        fresh = Engine.in_memory()
        follow.rebuild(fresh)
        expected = answers(fresh, users)
        # The brand and four products (renamed, the product keeps its brand's name).
        assert len(expected["convergine", officer_fr.pk]) == 5
        assert expected["convergine", officer_de.pk] == []
        assert len(expected["convergelle", officer_de.pk]) == 20
        within(lambda: answers(Engine(a.path), users) == answers(Engine(b.path), users) == expected)
        assert documents_in(a.path) == documents_in(b.path) == rebuilt()
    finally:
        a.stop()
        b.stop()


def test_an_indexer_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(tmp_path, acme_editor, brand_all):
    path = tmp_path / "index"
    first = Indexer(path, tmp_path / "first.log", "--batch", "1")  # one change per commit: slow
    second = None
    try:
        first.wait_built()
        import_rows(brand_all, acme_editor, [f"Tuerie {n}" for n in range(300)])

        def applied() -> int:
            return Engine(path).search(Query.parse("tuerie"), scope=[], limit=1).total

        within(lambda: applied() > 0, seconds=10)  # its position moved on
        first.kill()
        applied = applied()
        assert 0 < applied < 300, applied  # killed mid-way
        second = Indexer(path, tmp_path / "second.log")
        expected = rebuilt()
        assert sum(expected.values()) == SearchDocument.objects.count() == 301  # the brand and its products
        within(lambda: documents_in(path) == expected, seconds=10)
        engine = Engine(path)
        assert engine.count() == 301
        assert engine.search(Query.parse("tuerie"), scope=[], limit=1).total == 300
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_node_without_an_index_answers_from_the_database_while_its_indexer_builds_it(
    tmp_path, web, api, caplog, monkeypatch, acme_editor, brand_all, officer_fr
):
    product = services.product_create(actor=acme_editor, brand=brand_all, data={"name": "Lumnavia Chrono"})
    engine_answers = []
    engine_search_ = Engine.search

    def counted(self, *args, **kwargs):
        engine_answers.append(1)
        return engine_search_(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "search", counted)
    path = tmp_path / "index"
    web(path)
    officer = api(officer_fr)
    indexer = Indexer(path, tmp_path / "indexer.log")
    try:
        with caplog.at_level(logging.WARNING, logger="search.engine_search"):
            assert search(officer, "lumnavia", by_engine=False) == (1, {("product", product.pk)})
        assert engine_answers == []  # the database answered
        assert "searching the database" in caplog.text
        indexer.wait_built()
        within(lambda: search(officer, "lumnavia", by_engine=False) and bool(engine_answers), seconds=5)
        assert search(officer, "lumnavia") == (1, {("product", product.pk)})
        assert "Building the index" in indexer.output()
    finally:
        indexer.stop()
