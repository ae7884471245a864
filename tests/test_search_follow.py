"""A node's search engine following the change log (issue 15): what the database changes (a
product created, renamed, deleted, a brand's visibility narrowed, an owner suspended) reaches the
engine through search.follow, for the readers the scoping gate allows; a rebuild and a second
node (another engine) converge on the same answers. Real transactions (transaction=True): the
follower reads only the transactions that have ended."""

from __future__ import annotations

import time

import pytest

from accounts.models import Status
from brands import services
from core.scope import scope_of
from search import follow
from search.backends import Query
from search.engine import Engine
from search.models import SearchDocument
from search.scope_tags import scope_filter

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
