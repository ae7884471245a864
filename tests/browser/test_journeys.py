"""The whole journey in a real browser, as people click and type, against the live server on
PostgreSQL with a real Celery worker delivering the notifications:

1. a right holder registers, a platform admin approves the organization, the right holder signs
   in, creates a brand visible to France only, adds a product with a GTIN and a picture, writes a
   guide with two indicators (genuine and counterfeit pictures) and publishes it;
2. a French officer searches with a typo and finds the product, opens the guide on a phone, runs
   the inspection checklist, sends a photo of the barcode and lands on the product's guide, goes
   to the product, opens a case;
3. the right holder sees the notification and answers "counterfeit"; the officer sees the verdict
   in their inbox;
4. a German officer searching the same words finds nothing, and the product's URL is a 404 page;
5. the right holder publishes an alert; the French officer sees it on their home page.

Every page is watched (no request leaves the server's origin, no console error); the main pages
pass axe-core without serious or critical violations, and the officer's pages weigh under
150 KB of HTML+CSS+JS.
"""

from __future__ import annotations

import io
import re
import time

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import PASSWORD

from .conftest import PHONE, axe, weigh

pytestmark = [pytest.mark.celery_worker]

BRAND = "Lumivelle"
PRODUCT = "Lumivelle Aurora Chronograph"
TYPO = "lumivele aurora"  # one "l" missing, lower case
GTIN = "4006381333931"
HOLDER_EMAIL = "rita@lumivelle.example"
HOLDER_PASSWORD = "Sapphire-Crown-Dial-58"
PAGE_BUDGET = 150 * 1024  # bytes of HTML+CSS+JS on an officer's page, images apart


def png(color: str, size=(320, 240)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return {"name": f"{color}.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def barcode_photo(text: str) -> dict:
    """A PNG of an EAN-13 barcode with a white margin, as tests/test_search_photo.py makes them."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.EAN13)
    image = Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=6)).convert("RGB")
    canvas = Image.new("RGB", (image.width + 80, image.height + 80), "white")
    canvas.paste(image, (40, 40))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return {"name": "barcode.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def field(page, label: str):
    """The form field whose label starts with `label` (labels end with ":" and a required mark)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(label)))


def sign_in(page, email: str, password: str):
    page.goto("/accounts/login/")
    field(page, "E-mail address:").fill(email)
    field(page, "Password:").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome,")).to_be_visible()


def accessible(page, what: str):
    violations = axe(page)
    assert not violations, f"axe-core on {what} ({page.url}): {violations}"


class Weights:
    """The officer's pages and what they weigh, reported at the end."""

    def __init__(self):
        self.pages: dict[str, dict] = {}

    def load(self, page, url: str, name: str):
        weight = weigh(page, url)
        self.pages[name] = weight
        assert weight["total"] < PAGE_BUDGET, (
            f"{name} ({url}) weighs {weight['total']} bytes of HTML+CSS+JS: {weight['files']}"
        )
        return weight


# --------------------------------------------------------------------------- the steps


def right_holder_registers(browser):
    page = browser.page(name="registration")
    page.goto("/")
    page.get_by_role("link", name="Ask for an account").click()
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))
    accessible(page, "the registration page")
    field(page, "Full name:").fill("Rita Holder")
    field(page, "E-mail address:").fill(HOLDER_EMAIL)
    page.get_by_label("Password:", exact=True).fill(HOLDER_PASSWORD)
    field(page, "Password again:").fill(HOLDER_PASSWORD)
    field(page, "Right holder").check()
    field(page, "Organization name:").fill("Lumivelle SA")
    field(page, "Country:").select_option("CH")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("A platform administrator will check it")).to_be_visible()
    page.context.close()


def platform_admin_approves(browser, admin):
    page = browser.page(name="platform-admin")
    page.goto("/accounts/login/")
    accessible(page, "the sign-in page")
    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name=re.compile("Moderation queue")).click()
    page.get_by_text("Approve", exact=True).first.click()
    page.get_by_role("button", name="Approve Lumivelle SA").click()
    expect(page.get_by_text(re.compile("approved", re.I)).first).to_be_visible()
    page.context.close()
    assert User.objects.get(email=HOLDER_EMAIL).status == "approved"


def right_holder_builds_the_catalogue(browser, holder):
    """Returns the product's URL path."""
    sign_in(holder, HOLDER_EMAIL, HOLDER_PASSWORD)
    holder.get_by_role("link", name="Add a brand").click()
    accessible(holder, "the brand form")
    field(holder, "Name:").fill(BRAND)
    field(holder, "Only the administrations of the countries chosen below").check()
    field(holder, "Countries:").select_option("FR")
    holder.get_by_role("button", name="Save").click()
    expect(holder.get_by_role("heading", name=BRAND, level=1)).to_be_visible()

    holder.get_by_role("link", name="New product").click()
    accessible(holder, "the product form")
    field(holder, "Name:").fill(PRODUCT)
    field(holder, "GTINs (barcodes):").fill(GTIN)
    field(holder, "Category:").select_option(index=1)
    holder.get_by_role("button", name="Save").click()
    expect(holder.get_by_role("heading", name=PRODUCT, level=1)).to_be_visible()
    product_path = holder.url.removeprefix(browser.base_url)

    holder.get_by_text("Add a picture", exact=True).click()  # a <details> disclosure
    field(holder, "Picture:").set_input_files(png("navy", (640, 480)))
    field(holder, "Caption:").fill("Dial and case, front")
    holder.get_by_role("button", name="Upload").click()
    expect(holder.get_by_role("img", name=re.compile("Dial and case"))).to_be_visible()

    holder.get_by_role("link", name="New guide").click()
    accessible(holder, "the guide form")
    field(holder, "Title:").fill("Spotting a fake Aurora")
    field(holder, "Summary:").fill("Look at the crown and the caseback engraving first.")
    field(holder, "Language of the guide:").select_option("en")
    holder.get_by_role("button", name="Save").click()
    for title, genuine, fake in (
        ("Crown logo", "gold", "olive"),
        ("Caseback engraving", "silver", "gray"),
    ):
        holder.get_by_role("link", name="Add an indicator").click()
        accessible(holder, "the indicator form")
        field(holder, "What to check:").fill(title)
        field(holder, "How to tell:").fill(f"The genuine {title.lower()} is crisp and even.")
        field(holder, "Picture of the genuine item:").set_input_files(png(genuine))
        field(holder, "Picture of a counterfeit:").set_input_files(png(fake))
        holder.get_by_role("button", name="Save").click()
        expect(holder.get_by_role("heading", name=title)).to_be_visible()
    holder.get_by_role("button", name=re.compile("Publish version")).click()
    expect(holder.get_by_text("The guide is published")).to_be_visible()
    accessible(holder, "the guide, seen by its author")
    return product_path


def officer_finds_inspects_scans_and_opens_a_case(browser, officer, officer_fr, weights):
    """Returns the case page's path."""
    sign_in(officer, officer_fr.email, PASSWORD)
    weights.load(officer, "/", "home")
    accessible(officer, "the officer's home page")
    field(officer, "Search brands, products, GTINs and guides").fill(TYPO)
    officer.get_by_role("button", name="Search").click()
    expect(officer).to_have_url(re.compile(r"/search/\?q=lumivele"))
    expect(officer.get_by_role("link", name=PRODUCT)).to_be_visible()
    weights.load(officer, officer.url, "search results")
    accessible(officer, "the search results")

    officer.get_by_role("link", name=PRODUCT).first.click()
    expect(officer.get_by_role("heading", name=PRODUCT, level=1)).to_be_visible()
    weights.load(officer, officer.url, "product")
    accessible(officer, "the product page")

    # On the phone, signed in there too: the product is in "Recently viewed" on the home page.
    phone = browser.page(viewport=PHONE, name="officer-phone")
    sign_in(phone, officer_fr.email, PASSWORD)
    phone.get_by_role("region", name="Recently viewed").get_by_role("link", name=PRODUCT).click()
    phone.get_by_role("link", name="Spotting a fake Aurora").first.click()
    expect(phone.get_by_role("heading", name="Spotting a fake Aurora", level=1)).to_be_visible()
    weights.load(phone, phone.url, "guide (phone)")
    accessible(phone, "the guide on a phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], "the guide scrolls sideways"
    phone.get_by_role("link", name="Inspect an item").click()
    phone.get_by_label("Matches fake", exact=True).nth(0).check()  # the crown logo
    phone.get_by_label("Matches genuine", exact=True).nth(1).check()  # the caseback
    field(phone, "Note on the inspection (optional):").fill("Parcel 7 of 12.")
    phone.get_by_role("button", name="See the summary").click()
    expect(phone).to_have_url(re.compile(r"/guides/\d+/checks/\d+/$"))
    accessible(phone, "the checklist's summary")

    # The barcode photo lands on the product's guide, at its indicators (issue 17: the decisive
    # indicator in two interactions); the product is one tap away.
    phone.goto("/")
    phone.get_by_role("link", name="Scan a barcode").click()
    weights.load(phone, phone.url, "scan (phone)")
    accessible(phone, "the scan page")
    field(phone, "Photo of the barcode:").set_input_files(barcode_photo(GTIN))
    phone.get_by_role("button", name="Read the code").click()
    expect(phone).to_have_url(re.compile(r"/guides/\d+/#indicators$"))
    expect(phone.get_by_role("heading", name="Spotting a fake Aurora", level=1)).to_be_visible()
    expect(phone.get_by_text(f"Scanned 0{GTIN}")).to_be_visible()
    phone.get_by_role("link", name=PRODUCT).first.click()
    expect(phone.get_by_role("heading", name=PRODUCT, level=1)).to_be_visible()

    phone.get_by_role("link", name="Open a case").click()
    expect(phone).to_have_url(re.compile(r"/cases/open/\?product=\d+"))
    field(phone, "What was detained:").fill("120 watches in a parcel from an unknown sender.")
    field(phone, "Quantity:").fill("120")
    field(phone, "Location:").fill("Roissy CDG, fret 3")
    phone.get_by_role("button", name="Open the case").click()
    expect(phone).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(phone.get_by_text("Roissy CDG, fret 3")).to_be_visible()
    case_path = phone.url.removeprefix(browser.base_url)
    weights.load(phone, case_path, "case (phone)")
    accessible(phone, "the case page")
    return case_path


def open_notification(page, title: str):
    """Waits on /inbox/ (reloading, as a person would) until the worker has delivered the
    notification, then clicks it: it is marked read and its page opens."""
    deadline = time.monotonic() + 60
    page.goto("/inbox/")
    notification = page.get_by_role("button", name=re.compile("^" + re.escape(title)))
    while not notification.count():
        assert time.monotonic() < deadline, f"no notification {title!r} in the inbox after 60 s"
        time.sleep(0.3)
        page.reload()
    accessible(page, f"the inbox of {page.test_name}")
    notification.click()


def right_holder_answers_counterfeit(holder, case_path):
    number = re.search(r"/cases/(\d+)/", case_path)[1]
    open_notification(holder, f"New detention case #{number}: {BRAND} (France)")
    expect(holder).to_have_url(re.compile(re.escape(case_path) + "$"))
    accessible(holder, "the case, seen by the right holder")
    field(holder, "Counterfeit").check()
    field(holder, "Comment:").fill("The crown logo is printed, not engraved.")
    holder.get_by_role("button", name="Send the verdict").click()
    expect(holder.get_by_text("The crown logo is printed, not engraved.")).to_be_visible()
    return number


def officer_sees_the_verdict(officer, weights, number):
    weights.load(officer, "/inbox/", "inbox")
    open_notification(officer, f"Case #{number} answered: Counterfeit")
    expect(officer).to_have_url(re.compile(rf"/cases/{number}/$"))
    expect(officer.get_by_text("The crown logo is printed, not engraved.")).to_be_visible()


def german_officer_finds_nothing(browser, officer_de, product_path):
    page = browser.page(name="officer-de")
    sign_in(page, officer_de.email, PASSWORD)
    field(page, "Search brands, products, GTINs and guides").fill(TYPO)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=PRODUCT)).to_have_count(0)
    assert BRAND not in page.content()
    browser.expect_console_error(rf"status of 404 .*{re.escape(product_path)}\)$")
    response = page.goto(product_path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("not found", re.I))
    accessible(page, "the 404 page")
    assert PRODUCT not in page.content()


def right_holder_publishes_an_alert(holder):
    holder.goto("/alerts/new/")
    accessible(holder, "the alert form")
    field(holder, "Brand:").select_option(label=BRAND)
    field(holder, "Title:").fill("Fake Aurora watches via Roissy")
    field(holder, "Severity:").select_option("high")
    field(holder, "Send to the administrations of:").select_option("FR")
    holder.get_by_role("button", name="Save the draft").click()
    holder.get_by_role("button", name=re.compile("Publish")).click()
    expect(holder.get_by_text(re.compile("published", re.I)).first).to_be_visible()


def officer_sees_the_alert_at_home(officer):
    officer.goto("/")
    panel = officer.get_by_role("region", name="Alerts")
    panel.get_by_role("link", name="Fake Aurora watches via Roissy").click()
    expect(officer.get_by_role("heading", name="Fake Aurora watches via Roissy", level=1)).to_be_visible()
    accessible(officer, "the alert, seen by the officer")


# --------------------------------------------------------------------------- the journey


def test_from_registration_to_verdict_and_alert(
    browser, celery_worker, smtp_server, settings, tmp_path, platform_admin, officer_fr, officer_de
):
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT), EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    weights = Weights()

    right_holder_registers(browser)
    platform_admin_approves(browser, platform_admin)
    holder = browser.page(name="right-holder")
    product_path = right_holder_builds_the_catalogue(browser, holder)
    browser.check()

    officer = browser.page(name="officer-fr")
    case_path = officer_finds_inspects_scans_and_opens_a_case(browser, officer, officer_fr, weights)
    browser.check()

    number = right_holder_answers_counterfeit(holder, case_path)
    officer_sees_the_verdict(officer, weights, number)
    browser.check()

    german_officer_finds_nothing(browser, officer_de, product_path)
    browser.check()

    right_holder_publishes_an_alert(holder)
    officer_sees_the_alert_at_home(officer)
    browser.check()
    print("Officer pages, bytes of HTML+CSS+JS:", {name: w["total"] for name, w in weights.pages.items()})
