"""An index written by another version of the portal (another schema: tantivy refuses to open
it) is built again, by the indexer and by search_rebuild, never a crash; meanwhile a web process
answers from the database."""

from __future__ import annotations

import logging

import pytest
import tantivy
from django.core.management import call_command

from brands import services
from search import engine_search
from search.engine import Engine
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def an_older_index(path) -> None:
    path.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("doc", stored=True, indexed=True, fast=True)
    index = tantivy.Index(builder.build(), path=str(path), reuse=True)
    writer = index.writer(15_000_000)
    writer.commit()
    writer.wait_merging_threads()


@pytest.fixture
def catalogue(acme_editor):
    brand = services.brand_create(actor=acme_editor, data={"name": "Schemavelle"})
    services.product_create(actor=acme_editor, brand=brand, data={"name": "Schemavelle scarf"})
    return brand


@pytest.mark.django_db(transaction=True)  # the indexer closes its connection between rounds
@pytest.mark.parametrize("command", ["search_indexer", "search_rebuild"])
def test_an_index_of_another_schema_is_built_again(tmp_path, catalogue, command, caplog):
    path = tmp_path / "index"
    an_older_index(path)
    with pytest.raises(ValueError, match="schema"):
        Engine(path)
    arguments = ["--path", str(path)] + (["--once"] if command == "search_indexer" else [])
    with caplog.at_level(logging.WARNING):
        call_command(command, *arguments, stdout=None)
    engine = Engine(path)
    assert engine.position() is not None
    assert engine.count() == SearchDocument.objects.count() > 0
    if command == "search_indexer":
        assert "another schema" in caplog.text


def test_a_web_process_answers_from_the_database_meanwhile(tmp_path, settings, catalogue, api, officer_fr):
    path = tmp_path / "index"
    an_older_index(path)
    settings.SEARCH_ENGINE, settings.SEARCH_INDEX_DIR = "tantivy", path
    engine_search.use_engine(None)
    try:
        assert engine_search.open_engine() is None
        body = api(officer_fr).get("/api/v1/search/", {"q": "schemavelle"}).json()
        assert body["count"] == 2
    finally:
        engine_search.use_engine(None)


def test_a_web_process_never_creates_the_index(tmp_path, settings):
    """The indexer creates the index; a web process that finds none answers from the database
    and leaves the directory as it is (possibly read-only, possibly being created)."""
    settings.SEARCH_ENGINE, settings.SEARCH_INDEX_DIR = "tantivy", tmp_path / "index"
    engine_search.use_engine(None)
    try:
        assert engine_search.open_engine() is None
        assert not (tmp_path / "index").exists()
    finally:
        engine_search.use_engine(None)
