"""The page-quality watchers themselves: each one catches what it is there for, so that the
journey's clean bill of health means something."""

from __future__ import annotations

import pytest

from .conftest import axe, weigh

FOREIGN = "http://192.0.2.1/tracker.png"  # TEST-NET-1: never routed


def test_a_request_to_another_origin_and_a_console_error_fail_the_check(browser, live_server):
    page = browser.page(name="bad-page")
    page.route(FOREIGN, lambda route: route.abort())
    page.goto("/accounts/login/")
    page.evaluate(
        """url => { const img = new Image(); img.src = url; document.body.append(img);
                    console.error("boom from the test"); }""",
        FOREIGN,
    )
    page.wait_for_timeout(200)

    with pytest.raises(AssertionError) as failure:
        browser.check()
    assert FOREIGN in str(failure.value)
    browser.foreign_requests.clear()
    with pytest.raises(AssertionError, match="boom from the test"):
        browser.check()


def test_axe_reports_a_serious_violation_and_weigh_counts_html_css_and_js(browser, live_server):
    page = browser.page(name="axe-page")
    page.goto("/accounts/login/")
    assert axe(page) == []
    page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/static/none.png'; "
        "document.querySelector('main').append(img); }"
    )
    assert [violation["id"] for violation in axe(page)] == ["image-alt"]

    weight = weigh(page, "/accounts/login/")
    assert weight["by_type"]["document"] > 1000
    assert weight["by_type"].get("stylesheet", 0) > 0
    assert weight["total"] == sum(size for _url, size in weight["files"])
