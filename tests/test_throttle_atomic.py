"""The per-user and per-address throttles count atomically in Redis: however many processes serve
one person at once, the number of requests let through stays at the limit (within 1 %).

Each client is its own process with its own Redis connection, all released at the same moment,
against the real shared Redis under this test's own key prefix (tests/conftest.py)."""

import multiprocessing
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from core.api import AnonIPThrottle, UserThrottle

LIMIT = 200
PROCESSES = 8
ATTEMPTS_EACH = 45  # 360 attempts in all


class PhotoLikeThrottle(UserThrottle):
    """Like another app's throttle (search/api.py): its own scope and rate, counted apart."""

    scope = "photo_like"
    rate_setting = "TEST_THROTTLE_PHOTO_LIKE"


def person(user_id: int | None, address: str = "203.0.113.7"):
    request = RequestFactory().get("/api/v1/me/", REMOTE_ADDR=address)
    request.user = SimpleNamespace(is_authenticated=user_id is not None, pk=user_id)
    return request


def _client(throttle_class, request, start, results):
    start.wait()
    try:
        results.put(sum(1 for _ in range(ATTEMPTS_EACH) if throttle_class().allow_request(request, None)))
    except Exception as exc:  # reported to the test, not left to a timeout
        results.put(repr(exc))


def accepted_concurrently(throttle_class, request) -> int:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_client, args=(throttle_class, request, start, results)) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    counts = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    assert all(isinstance(count, int) for count in counts), counts
    return sum(counts)


def within_one_percent(accepted: int) -> bool:
    return abs(accepted - LIMIT) <= LIMIT // 100


def test_one_user_from_many_processes_gets_the_limit(settings):
    settings.API_THROTTLE_USER = f"{LIMIT}/hour"
    settings.TEST_THROTTLE_PHOTO_LIKE = "5/hour"
    accepted = accepted_concurrently(UserThrottle, person(4242))
    assert within_one_percent(accepted), f"{accepted} accepted out of {PROCESSES * ATTEMPTS_EACH} for {LIMIT}"
    # Refused past it, with a wait; a throttle of another scope, and another person, count apart.
    throttle = UserThrottle()
    assert not throttle.allow_request(person(4242), None)
    assert 0 < throttle.wait() <= 3600
    assert PhotoLikeThrottle().allow_request(person(4242), None)
    assert UserThrottle().allow_request(person(4343), None)


def test_one_address_from_many_processes_gets_the_limit(settings):
    settings.API_THROTTLE_ANON = f"{LIMIT}/hour"
    accepted = accepted_concurrently(AnonIPThrottle, person(None, "198.51.100.9"))
    assert within_one_percent(accepted), f"{accepted} accepted out of {PROCESSES * ATTEMPTS_EACH} for {LIMIT}"
    assert AnonIPThrottle().allow_request(person(None, "198.51.100.10"), None)


@pytest.fixture(autouse=True)
def _real_redis(settings):
    assert settings.CACHES["default"]["LOCATION"].startswith("redis://"), "needs the real Redis"
