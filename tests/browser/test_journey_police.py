"""Issue 13's "Done when": a French police officer's journey in a real browser, on a phone, in
French, against the live server, with two-factor required as in production (REQUIRE_2FA):

1. the officer asks for an account for a new police force, Police municipale de Lyon (FR);
2. a platform admin filters the moderation queue by kind (police) and approves it;
3. the officer, now the force's coordinator, signs in and sets up two-factor, as the role demands;
4. a search finds the brand shared with the police in France, not the one shared with customs
   only (whose page is a 404 to them);
5. the officer opens the product and reads its guide, the decisive indicator first;
6. from the product, opens a case: the form offers a verification request only, the answer due
   in 5 working days of France by default;
7. the right holder's editor opens the notification and answers "counterfeit";
8. the officer opens the answer's notification and reads the verdict on the case page.

Everyone reads the portal in French (the officer's language is picked from the browser at
registration). Every label the test reads or clicks is the French catalogue's: a missing
translation fails the test.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.forms import REGISTRATION_KIND_LABELS
from accounts.models import Organization, OrganizationKind, Role, Status
from alerts import workdays
from alerts.models import Case, Procedure
from authentication_guides import services as guides
from brands import services
from tests.factories import PASSWORD, OrganizationFactory
from tests.test_guides_web_support import add_indicator, make_guide

from .conftest import DESKTOP, PHONE, axe

pytestmark = [pytest.mark.django_db(transaction=True)]

FORCE = "Police municipale de Lyon"
OFFICER_EMAIL = "lea.martin@police-lyon.example"
OFFICER_PASSWORD = "Bellecour-Fourviere-1969"
SHARED_BRAND = "Solenne"
PRODUCT = "Solenne Ambre parfum"
GUIDE = "Reconnaître un faux Solenne Ambre"
DECISIVE = "Numéro de lot gravé"
CUSTOMS_ONLY_BRAND = "Solenne Atelier"
COMMENT = "Le numéro de lot est imprimé, pas gravé : contrefaçon."


def fr(text: str, *, new: bool = False) -> str:
    """The French of an English source string; a missing translation fails the test at once
    (`new`: a string whose French may equal the English)."""
    with translation.override("fr"):
        french = translation.gettext(text)
    assert french != text or new, f"no French for {text!r}"
    return french


def label(page, text: str, *, new: bool = False):
    """The field whose label starts with the French of `text` (labels end with ":" and a mark)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(fr(text, new=new))))


def police_force() -> str:
    """The English of the registration form's choice for a police force, however it is worded."""
    with translation.override(None):
        return str(REGISTRATION_KIND_LABELS[OrganizationKind.POLICE])


def accessible(page, what: str):
    violations = axe(page)
    assert not violations, f"axe-core on {what} ({page.url}): {violations}"


def fits_the_phone(page, what: str):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone ({width} px)"


def totp(key: bytes) -> str:
    """The code an authenticator app shows now for `key` (django-otp's defaults: 30 s, 6 digits)."""
    generator = TOTP(key, step=30, t0=0, digits=6)
    generator.time = time.time()
    return f"{generator.token():06d}"


def sign_in(page, email: str, password: str):
    page.goto("/accounts/login/")
    label(page, "E-mail address").fill(email)
    label(page, "Password").fill(password)
    page.get_by_role("button", name=fr("Sign in")).click()


def enter_code(page, key: bytes, button: str):
    label(page, "Six-digit code").fill(totp(key))
    page.get_by_role("button", name=fr(button)).click()
    expect(page).to_have_url(re.compile(r"/$"))


def spaced(text: str) -> str:
    """A pattern of `text` whatever its spaces (French puts a no-break space before a colon)."""
    return r"\s+".join(re.escape(word) for word in text.split())


def open_notification(page, title_start: str):
    """Opens the inbox and the notification whose title starts with `title_start` (delivered at
    once: the tests run Celery's tasks eagerly)."""
    page.goto("/inbox/")
    page.get_by_role("button", name=re.compile("^" + spaced(title_start))).click()


@pytest.fixture
def catalogue(acme_editor, settings, tmp_path):
    """A right holder's brand shared with the police and customs in France (a product, a published
    French guide with a decisive indicator) and one shared with customs only, in France too."""
    settings.MEDIA_ROOT = tmp_path / "media"
    shared = services.brand_create(
        actor=acme_editor,
        data={
            "name": SHARED_BRAND,
            "visibility": {"all": False, "countries": ["FR"], "agencies": ["customs", "police"]},
        },
    )
    product = services.product_create(
        actor=acme_editor,
        brand=shared,
        data={"name": PRODUCT, "gtins": ["4006381333931"], "category": "cosmetics_perfume"},
    )
    guide = make_guide(
        acme_editor, shared, GUIDE, language="fr", product=product.pk, summary="Regardez d'abord le fond du flacon."
    )
    add_indicator(acme_editor, guide, "Typographie du logo", importance="supporting", order=1, location="étiquette")
    add_indicator(acme_editor, guide, DECISIVE, importance="decisive", order=2, location="fond du flacon")
    guides.guide_publish(actor=acme_editor, guide=guide)

    customs_only = services.brand_create(
        actor=acme_editor,
        data={
            "name": CUSTOMS_ONLY_BRAND,
            "visibility": {"all": False, "countries": ["FR"], "agencies": ["customs"]},
        },
    )
    services.product_create(
        actor=acme_editor, brand=customs_only, data={"name": "Solenne Atelier sac", "category": "cosmetics_perfume"}
    )
    return {"product": product, "customs_only": customs_only}


# --------------------------------------------------------------------------- the steps


def officer_registers(officer):
    officer.goto("/")
    officer.get_by_role("link", name=fr("Ask for an account")).click()
    expect(officer).to_have_url(re.compile(r"/accounts/register/$"))
    expect(officer.locator("html")).to_have_attribute("lang", "fr")  # from the browser's language
    accessible(officer, "the registration page on a phone")
    fits_the_phone(officer, "the registration page")
    label(officer, "Full name").fill("Léa Martin")
    label(officer, "E-mail address").fill(OFFICER_EMAIL)
    label(officer, "Password").fill(OFFICER_PASSWORD)
    label(officer, "Password again").fill(OFFICER_PASSWORD)
    label(officer, police_force()).check()
    label(officer, "Organization name").fill(FORCE)
    label(officer, "Country").select_option("FR")
    officer.get_by_role("button", name=fr("Send my request")).click()
    expect(officer.get_by_role("heading", name=fr("Your request is received"), level=1)).to_be_visible()
    force = Organization.objects.get(name=FORCE)
    assert (force.kind, force.country.code, force.status) == (OrganizationKind.POLICE, "FR", Status.PENDING)


def platform_admin_approves(admin_page, admin, admin_key):
    sign_in(admin_page, admin.email, PASSWORD)
    enter_code(admin_page, admin_key, "Continue")
    admin_page.get_by_role("link", name=re.compile(re.escape(fr("Moderation queue")))).click()
    label(admin_page, "Kind").select_option(OrganizationKind.POLICE.value)
    admin_page.get_by_role("button", name=fr("Filter")).click()
    expect(admin_page).to_have_url(re.compile(r"[?&]kind=police"))
    expect(admin_page.get_by_role("link", name=FORCE)).to_be_visible()
    expect(admin_page.get_by_role("link", name="Douane de Marseille")).to_have_count(0)  # customs, waiting too
    accessible(admin_page, "the moderation queue")
    admin_page.get_by_text(fr("Approve"), exact=True).click()  # the <details> disclosure
    admin_page.get_by_role("button", name=fr("Approve %(name)s") % {"name": FORCE}).click()
    expect(admin_page.get_by_text(fr("%(name)s is approved.") % {"name": FORCE})).to_be_visible()
    admin_page.context.close()
    force = Organization.objects.get(name=FORCE)
    assert force.status == Status.APPROVED
    founder = force.memberships.get()
    assert (founder.user.email, founder.role, founder.user.status) == (
        OFFICER_EMAIL,
        Role.COORDINATOR,
        Status.APPROVED,
    )


def officer_signs_in_with_two_factor(officer):
    sign_in(officer, OFFICER_EMAIL, OFFICER_PASSWORD)
    # A police force's coordinator must use two-factor: the set-up comes before any other page.
    expect(officer).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(officer.get_by_text(fr("Your role requires two-factor sign-in. Set it up to continue."))).to_be_visible()
    fits_the_phone(officer, "the two-factor set-up")
    secret = officer.locator("code.secret").inner_text()
    key = b32decode(secret.replace(" ", "").upper())  # what a person types into the app
    enter_code(officer, key, "Turn on")
    expect(officer.locator("html")).to_have_attribute("lang", "fr")  # the language saved at registration
    expect(officer.locator("p.lead").filter(has_text=FORCE)).to_be_visible()  # the agency served, the role


def officer_searches(browser, officer, customs_only):
    label(officer, "Search brands, products, GTINs and guides").fill("solenne")
    officer.get_by_role("button", name=fr("Search"), exact=True).click()
    expect(officer).to_have_url(re.compile(r"/search/\?q=solenne"))
    results = officer.locator("ol.results")
    expect(results.get_by_role("link", name=SHARED_BRAND, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=PRODUCT, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=GUIDE, exact=True)).to_be_visible()
    expect(officer.get_by_text("Atelier")).to_have_count(0)  # neither the brand nor its product
    accessible(officer, "the search results on a phone")
    fits_the_phone(officer, "the search results")

    hidden = reverse("brands:brand_detail", args=[customs_only.pk])
    browser.expect_console_error(rf"status of 404 .*{re.escape(hidden)}\)$")
    response = officer.goto(hidden)
    assert response.status == 404, f"the customs-only brand's page answered {response.status} to the police"
    assert CUSTOMS_ONLY_BRAND not in officer.content()
    officer.go_back()


def officer_reads_the_guide(officer):
    officer.get_by_role("link", name=PRODUCT, exact=True).click()
    expect(officer.get_by_role("heading", name=PRODUCT, level=1)).to_be_visible()
    accessible(officer, "the product page on a phone")
    officer.get_by_role("link", name=GUIDE).first.click()
    expect(officer.get_by_role("heading", name=GUIDE, level=1)).to_be_visible()
    indicators = officer.locator("ol.indicators > li")
    expect(indicators).to_have_count(2)
    expect(indicators.first.locator(".indicator__title")).to_have_text(DECISIVE)  # the decisive one first
    expect(indicators.first.locator(".importance")).to_have_text(fr("Decisive"))
    expect(indicators.first.get_by_text("fond du flacon")).to_be_visible()
    accessible(officer, "the guide on a phone")
    fits_the_phone(officer, "the guide")
    officer.locator("p.guide-meta").get_by_role("link", name=PRODUCT).click()  # back to the product
    expect(officer.get_by_role("heading", name=PRODUCT, level=1)).to_be_visible()


def officer_opens_a_verification(officer) -> tuple[int, tuple[str, str | None]]:
    officer.get_by_role("link", name=fr("Open a case")).click()
    expect(officer).to_have_url(re.compile(r"/cases/open/\?product=\d+"))
    expect(officer.get_by_role("heading", name=fr("Open a verification request"), level=1)).to_be_visible()
    form = officer.locator("form.narrow")
    # The one procedure of the police, nothing to choose; no detention.
    expect(form.get_by_role("radio")).to_have_count(1)
    verification = form.get_by_role("radio", name=fr("Verification request"))
    expect(verification).to_be_checked()
    expect(verification).to_be_disabled()
    answer_date = label(officer, "Answer requested by")
    # What the date input shows, and what the page wrote in its value (checked at the journey's end,
    # so that a wrong default does not hide the steps after it).
    shown = (answer_date.input_value(), answer_date.get_attribute("value"))
    accessible(officer, "the verification form on a phone")
    fits_the_phone(officer, "the verification form")
    label(officer, "What was seized or inspected").fill("12 flacons sur un étal du marché de la Croix-Rousse.")
    label(officer, "Quantity").fill("12")
    label(officer, "Location").fill("Marché de la Croix-Rousse")
    officer.get_by_role("button", name=fr("Open the case")).click()
    expect(officer).to_have_url(re.compile(r"/cases/\d+/$"))
    number = int(re.search(r"/cases/(\d+)/$", officer.url)[1])
    facts = officer.locator("dl.facts")
    expect(facts).to_contain_text(fr("Verification request"))
    expect(facts).to_contain_text("Marché de la Croix-Rousse")
    expect(facts).to_contain_text(FORCE)
    expect(officer.locator("#verdicts")).to_contain_text(fr("No answer yet."))
    accessible(officer, "the case page on a phone")
    fits_the_phone(officer, "the case page")
    case = Case.objects.get(pk=number)
    expected = workdays.verification_deadline(timezone.localdate(), "FR")
    assert (case.procedure, case.country.code, case.deadline) == (Procedure.VERIFICATION, "FR", expected)
    return number, shown


def right_holder_answers(editor_page, editor, number: int):
    sign_in(editor_page, editor.email, PASSWORD)
    expect(editor_page).to_have_url(re.compile(r"/$"))
    opened = fr("New verification request #%(case)s: %(brand)s (%(country)s)")
    open_notification(editor_page, opened.split("%(brand)s")[0] % {"case": number})
    expect(editor_page).to_have_url(re.compile(rf"/cases/{number}/$"))
    expect(editor_page.locator("dl.facts")).to_contain_text(FORCE)
    label(editor_page, "Counterfeit").check()
    label(editor_page, "Comment").fill(COMMENT)
    editor_page.get_by_role("button", name=fr("Send the verdict")).click()
    expect(editor_page.locator("#verdicts")).to_contain_text(COMMENT)
    editor_page.context.close()


def officer_gets_the_verdict(officer, number: int):
    answered = fr("Case #%(case)s answered: %(verdict)s") % {"case": number, "verdict": fr("Counterfeit")}
    open_notification(officer, answered)
    expect(officer).to_have_url(re.compile(rf"/cases/{number}/$"))
    verdicts = officer.locator("#verdicts")
    expect(verdicts.locator("li.card strong")).to_have_text(fr("Counterfeit"))
    expect(verdicts).to_contain_text(COMMENT)
    accessible(officer, "the answered case on a phone")


# --------------------------------------------------------------------------- the journey


def test_a_french_police_officer_from_registration_to_verdict(
    browser, settings, catalogue, platform_admin, acme_editor
):
    started = time.monotonic()
    settings.REQUIRE_2FA = True  # as in production: platform admins and enforcement coordinators
    platform_admin.language = "fr"
    platform_admin.save(update_fields=["language"])
    admin_device = TOTPDevice.objects.create(user=platform_admin, name="default", confirmed=True)
    acme_editor.language = "fr"
    acme_editor.save(update_fields=["language"])
    OrganizationFactory(name="Douane de Marseille", kind=OrganizationKind.CUSTOMS, country="FR", status=Status.PENDING)

    officer = browser.page(viewport=PHONE, name="police-officer-phone", locale="fr-FR")
    officer_registers(officer)
    platform_admin_approves(
        browser.page(viewport=DESKTOP, name="platform-admin", locale="fr-FR"), platform_admin, admin_device.bin_key
    )
    browser.check()

    officer_signs_in_with_two_factor(officer)
    officer_searches(browser, officer, catalogue["customs_only"])
    officer_reads_the_guide(officer)
    number, answer_date_shown = officer_opens_a_verification(officer)
    browser.check()

    right_holder_answers(browser.page(viewport=DESKTOP, name="right-holder", locale="fr-FR"), acme_editor, number)
    officer_gets_the_verdict(officer, number)
    browser.check()
    print(f"The police officer's journey took {time.monotonic() - started:.1f} s in the browser.")

    expected = workdays.verification_deadline(timezone.localdate(), "FR")
    shown, written = answer_date_shown
    assert shown == expected.isoformat(), (
        f"the case form's 'Answer requested by' shows {shown!r} (value={written!r}), not {expected}:"
        " the default is 5 working days of France ahead"
    )
