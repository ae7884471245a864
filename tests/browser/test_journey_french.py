"""The officer's journey in French, in a real browser on a phone: the browser asks for French,
the officer's saved language is French, and every label the test reads or clicks is the French
catalogue's text (checked to differ from the English), so an untranslated page fails.

The officer signs in, searches with a typo, opens the product and its guide, runs the
inspection checklist, scans the barcode from a photo, lands on the product's guide, taps through
to the product and opens a case.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from authentication_guides import services as guides
from brands import services
from tests.factories import PASSWORD
from tests.test_guides_web_support import add_indicator, make_guide

from .conftest import PHONE, axe
from .test_journeys import GTIN, barcode_photo

pytestmark = [pytest.mark.django_db(transaction=True)]


def fr(text: str) -> str:
    """The French of an English source string; a missing translation fails the test at once."""
    with translation.override("fr"):
        french = translation.gettext(text)
    assert french != text, f"no French for {text!r}"
    return french


def label(page, text: str):
    return page.get_by_label(re.compile(r"^\s*" + re.escape(fr(text))))


@pytest.fixture
def catalogue(acme_editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    brand = services.brand_create(
        actor=acme_editor, data={"name": "Orlaine", "visibility": {"all": False, "countries": ["FR"]}}
    )
    product = services.product_create(
        actor=acme_editor,
        brand=brand,
        data={"name": "Orlaine Étoile parfum", "gtins": [GTIN], "category": "cosmetics_perfume"},
    )
    guide = make_guide(acme_editor, brand, "Reconnaître un faux Étoile", language="fr", product=product.pk)
    add_indicator(acme_editor, guide, "Bouchon")
    add_indicator(acme_editor, guide, "Code de lot")
    guides.guide_publish(actor=acme_editor, guide=guide)
    return product


def test_the_officer_journey_in_french(browser, catalogue, officer_fr):
    officer_fr.language = "fr"
    officer_fr.save()
    page = browser.page(viewport=PHONE, name="officer-fr-phone", locale="fr-FR")

    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")  # detected from the browser
    label(page, "E-mail address").fill(officer_fr.email)
    label(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name=fr("Sign in")).click()

    label(page, "Search brands, products, GTINs and guides").fill("orlane etoile")  # typo, no accent
    page.get_by_role("button", name=fr("Search"), exact=True).click()
    page.get_by_role("link", name="Orlaine Étoile parfum").click()
    expect(page.get_by_role("heading", name="Orlaine Étoile parfum", level=1)).to_be_visible()
    assert not axe(page), "axe-core on the product page in French"

    page.get_by_role("link", name="Reconnaître un faux Étoile").first.click()
    page.get_by_role("link", name=fr("Inspect an item")).click()
    page.get_by_label(fr("Matches fake"), exact=True).nth(0).check()
    page.get_by_label(fr("Matches genuine"), exact=True).nth(1).check()
    page.get_by_role("button", name=fr("See the summary")).click()
    expect(page).to_have_url(re.compile(r"/guides/\d+/checks/\d+/$"))

    page.goto("/")
    page.get_by_role("link", name=fr("Scan a barcode")).click()
    label(page, "Photo of the barcode").set_input_files(barcode_photo(GTIN))
    page.get_by_role("button", name=fr("Read the code")).click()
    # The scan opens the product's guide at its indicators (issue 17); the product is one tap away.
    expect(page).to_have_url(re.compile(r"/guides/\d+/#indicators$"))
    expect(page.get_by_role("heading", name="Reconnaître un faux Étoile", level=1)).to_be_visible()
    page.get_by_role("link", name="Orlaine Étoile parfum").first.click()
    expect(page.get_by_role("heading", name="Orlaine Étoile parfum", level=1)).to_be_visible()

    page.get_by_role("link", name=fr("Open a case")).click()
    label(page, "What was detained").fill("40 flacons sans emballage d'origine.")
    label(page, "Quantity").fill("40")
    label(page, "Location").fill("Port du Havre")
    page.get_by_role("button", name=fr("Open the case")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_text("Port du Havre")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert not axe(page), "axe-core on the case page in French"
    browser.check()
