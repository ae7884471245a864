"""JSON nested past a sane depth is refused (400) before the parser recurses into it; ordinary
nesting, and brackets inside strings, are read as before."""

import json

import pytest

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
DEEP = "[" * 100_000 + "]" * 100_000


def nested(depth: int):
    """Objects and arrays alternating, `depth` levels deep."""
    value = "bottom"
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


def post_raw(client, url, body: str):
    return client.generic("POST", url, body.encode(), content_type="application/json")


def test_deep_nesting_is_refused_on_the_sign_in_endpoint(anonymous):
    response = post_raw(anonymous, TOKEN_URL, DEEP)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_deep_nesting_inside_an_object_is_refused(anonymous):
    response = post_raw(anonymous, TOKEN_URL, '{"email": "a@b.example", "password": ' + DEEP + "}")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/brands/", "/api/v1/guides/"])  # default and explicit parsers
def test_deep_nesting_is_refused_on_authenticated_endpoints(api, acme_editor, url):
    response = post_raw(api(acme_editor), url, '{"name": ' + "{" * 50_000 + "}" * 50_000 + "}")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_a_body_just_past_the_limit_is_refused_and_one_at_it_is_read(anonymous):
    from core.parsers import MAX_DEPTH

    at_limit = post_raw(anonymous, TOKEN_URL, "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert at_limit.status_code == 400 and "nested" not in json.dumps(at_limit.json())
    past = post_raw(anonymous, TOKEN_URL, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert past.status_code == 400 and "nested" in past.json()["detail"]


def test_ordinary_nesting_and_brackets_in_strings_still_work(anonymous, acme_viewer, password):
    body = {
        "email": acme_viewer.email,
        "password": password,
        "context": nested(10),
        "note": "[[[[{{{{" * 1000 + '\\" ]]]',
    }
    response = post_raw(anonymous, TOKEN_URL, json.dumps(body))
    assert response.status_code == 200, response.json()
    assert response.json()["token"]


def test_brand_with_nested_visibility_is_created_as_before(api, acme_editor):
    response = api(acme_editor).post(
        "/api/v1/brands/",
        {"name": "Nested Ok", "visibility": {"all": False, "countries": ["FR"], "agencies": ["customs"]}},
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("body", ['"\\"' * 200_000, '"' * 400_000, '["' + "\\" * 400_000])
def test_a_body_of_quotes_or_escapes_is_scanned_in_linear_time(body):
    """An unclosed string used to send the scan back to every later quote: 64 KB took 12 s, so a
    few anonymous requests could hold every web worker."""
    import time

    from core.parsers import nesting_exceeds

    started = time.perf_counter()
    assert nesting_exceeds(body) is False
    assert time.perf_counter() - started < 1.0
