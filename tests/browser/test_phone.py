"""An officer's phone (390 × 844; issue 17, item 2): the header is one line of at most 56 px, the
demo notice folded into it, the navigation behind a "Menu" button; the first search result
starts in the top 250 px; the things an officer taps (result titles, phone and e-mail links, the
quantity box, the photo picker) are at least 44 × 44 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from brands import services
from tests.factories import PASSWORD

from .conftest import PHONE

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue(acme_editor, brand_fr, product_fr):
    services.brand_item_create(
        actor=acme_editor,
        brand=brand_fr,
        kind="contacts",
        data={"name": "Brand protection desk", "phone": "+33 1 23 45 67 89", "email": "protect@lumina.example"},
    )
    return product_fr


def sign_in(page, email: str):
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*E-mail address")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome,")).to_be_visible()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def small_targets(page, selector: str) -> list[str]:
    """The visible elements matching `selector` smaller than 44 × 44 px."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width < 44 || r.height < 44)
            .map(([e, r]) => `${e.outerHTML.slice(0, 80)} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        selector,
    )


def test_the_phone_header_is_one_line_with_the_menu_behind_a_button(browser, settings, officer_fr, catalogue):
    settings.DEBUG = True  # the demo notice: folded into the header on a phone
    page = browser.page(viewport=PHONE, name="phone-header")
    sign_in(page, officer_fr.email)
    assert box(page.locator(".site-header"))["height"] <= 56
    expect(page.locator(".demo-badge")).to_be_visible()
    expect(page.locator(".demo-banner")).to_be_hidden()
    search_link = page.locator(".site-nav").get_by_role("link", name="Search")
    expect(search_link).to_be_hidden()
    toggle = page.get_by_role("button", name="Menu")
    assert box(toggle)["height"] >= 44 and box(toggle)["width"] >= 44
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(search_link).to_be_visible()
    search_link.click()
    expect(page).to_have_url(re.compile(r"/search/$"))
    browser.check()


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(browser, officer_fr):
    page = browser.page(name="desktop-header")
    sign_in(page, officer_fr.email)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator(".site-nav").get_by_role("link", name="Search")).to_be_visible()
    browser.check()


def test_results_start_high_and_officer_targets_are_44_px(browser, officer_fr, catalogue):
    page = browser.page(viewport=PHONE, name="phone-targets")
    sign_in(page, officer_fr.email)
    page.goto("/search/?q=lumina")
    first = page.locator(".result").first
    expect(first).to_be_visible()
    assert box(first)["y"] <= 250
    assert small_targets(page, ".card__title a") == []
    page.goto(f"/catalogue/products/{catalogue.pk}/")
    assert small_targets(page, 'a[href^="tel:"], a[href^="mailto:"]') == []
    page.goto(f"/cases/open/?product={catalogue.pk}")
    assert small_targets(page, 'input[type="number"], input[type="file"]') == []
    browser.check()
