"""The search's request path with warm caches (issue 15): an API token's person and a page of
results are cached per cache version (core/versions.py), so a repeated token search reads one
statement and a new one two; every change (a suspension, a revoked token, a product, a narrowed
visibility) shows on the very next request; pages never cross scopes; and with Redis away
nothing is cached, nor trusted stale when it comes back.

Transactional: a transaction with changes of its own uses no cache, and these tests must see
the caches at work. The search engine answers (`search_engine`, named first: it takes the
changes made after it)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as accounts
from accounts.models import ApiToken, Role
from brands import services
from tests.test_api_without_redis import dead_redis_url
from tests.test_search import catalogue as catalogue_fixture
from tests.test_search import ranked, search

catalogue = catalogue_fixture

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def redis_away(settings):
    """The cache on a port where nothing listens, for the duration (the test's key prefix kept)."""
    before = settings.CACHES
    caches = {name: dict(config) for name, config in before.items()}
    caches["default"]["LOCATION"] = dead_redis_url()
    settings.CACHES = caches
    try:
        yield
    finally:
        settings.CACHES = before


def statements(client, q) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        body = search(client, q)
    return body, [query["sql"] for query in captured.captured_queries]


def test_a_token_search_with_warm_caches_reads_the_version_alone(search_engine, api, officer_fr, catalogue):
    client = api(officer_fr)
    cold, cold_sql = statements(client, "adidas")
    assert any("accounts_apitoken" in sql for sql in cold_sql)  # the person, read once
    warm, warm_sql = statements(client, "adidas")
    assert warm == cold and warm["count"] > 0
    assert len(warm_sql) == 1 and "core_version" in warm_sql[0], warm_sql
    # Another query: the person from the cache, the page from the engine, re-checked in one statement.
    other, other_sql = statements(client, "aurora")
    assert ranked(other)[0] == ("product", catalogue["watch"].pk)
    assert len(other_sql) == 2, other_sql
    assert not any("ANY(" in sql for sql in other_sql)  # no list of every visible guide


def test_warm_caches_follow_every_change_of_the_person(search_engine, api, officer_fr, platform_admin, catalogue):
    client = api(officer_fr)
    for _ in range(2):
        assert search(client, "adidas")["count"] > 0
    accounts.organization_suspend(actor=platform_admin, organization=officer_fr.organization, reason="Audit")
    assert client.get("/api/v1/search/", {"q": "adidas"}).status_code == 401
    accounts.organization_reinstate(actor=platform_admin, organization=officer_fr.organization)
    assert search(client, "adidas")["count"] > 0
    accounts.user_suspend(actor=platform_admin, user=officer_fr, reason="Audit")
    assert client.get("/api/v1/search/", {"q": "adidas"}).status_code == 401


def test_a_revoked_token_is_refused_through_a_warm_cache(search_engine, api, officer_fr, catalogue):
    client = api(officer_fr)
    for _ in range(2):
        search(client, "adidas")
    ApiToken.objects.filter(user=officer_fr).delete()
    assert client.get("/api/v1/search/", {"q": "adidas"}).status_code == 401


def test_a_role_change_shows_through_a_warm_cache(search_engine, api, acme_admin, acme_viewer, catalogue):
    """The person's role comes with the cached person: after a change, the next request has the new one."""
    client = api(acme_viewer)
    for _ in range(2):
        assert client.get("/api/v1/me/").json()["role"] == Role.VIEWER
    accounts.member_set_role(actor=acme_admin, user=acme_viewer, role=Role.EDITOR)
    assert client.get("/api/v1/me/").json()["role"] == Role.EDITOR


def test_cached_pages_never_cross_scopes(
    search_engine, api, officer_fr, officer_de, acme_editor, other_rightholder, catalogue
):
    french, german = api(officer_fr), api(officer_de)
    acme, globex = api(acme_editor), api(other_rightholder)
    for _ in range(2):  # the second round from the caches
        assert ranked(search(french, "lumina"))[0] == ("brand", catalogue["lumina"].pk)
        hidden = search(german, "lumina")
        assert hidden["count"] == 0 and hidden["results"] == []
        assert ("product", catalogue["globex_polo"].pk) not in ranked(search(acme, "polo shirt"))
        assert ranked(search(globex, "polo shirt")) == [("product", catalogue["globex_polo"].pk)]


def test_changes_show_at_once_through_warm_caches(search_engine, api, officer_fr, acme_editor, catalogue):
    client = api(officer_fr)
    for _ in range(2):
        assert search(client, "zebulon")["count"] == 0
        assert ("product", catalogue["watch"].pk) in ranked(search(client, "aurora"))
    zebulon = services.product_create(actor=acme_editor, brand=catalogue["adidas"], data={"name": "Zebulon jacket"})
    assert ranked(search(client, "zebulon")) == [("product", zebulon.pk)]
    services.brand_update(
        actor=acme_editor, brand=catalogue["lumina"], data={"visibility": {"all": False, "countries": ["DE"]}}
    )
    assert search(client, "aurora")["count"] == 0


def test_without_redis_nothing_is_cached_and_the_answers_are_right(
    search_engine, api, officer_fr, catalogue, settings
):
    client = api(officer_fr)
    with redis_away(settings):
        for _ in range(2):
            body, sql = statements(client, "lumina")
            assert ranked(body)[0] == ("brand", catalogue["lumina"].pk)
            assert any("accounts_apitoken" in statement for statement in sql)  # the person read each time


def test_what_was_cached_before_redis_went_away_is_not_trusted_after(
    search_engine, api, officer_fr, acme_editor, platform_admin, catalogue, settings
):
    """A change made while Redis is away makes a new version in the database: the entries
    written before, still in Redis when it comes back, are never read again."""
    client = api(officer_fr)
    for _ in range(2):
        assert ("product", catalogue["watch"].pk) in ranked(search(client, "aurora"))
    with redis_away(settings):
        services.brand_update(
            actor=acme_editor, brand=catalogue["lumina"], data={"visibility": {"all": False, "countries": ["DE"]}}
        )
    assert search(client, "aurora")["count"] == 0
    with redis_away(settings):
        accounts.user_suspend(actor=platform_admin, user=officer_fr, reason="Audit")
    assert client.get("/api/v1/search/", {"q": "adidas"}).status_code == 401
