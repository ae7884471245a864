"""The Content-Security-Policy in a real browser: the pages we serve but did not write (Swagger UI
at /api/docs/, Django's admin, DRF's browsable API) run under it without a violation, the live
scan's camera stream and camera frames (a <video> srcObject, blob: and data: pictures) are
allowed, and an inline script is refused. Every violation is recorded from the page's
`securitypolicyviolation` events as well as from the console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True)]

# Added through the DevTools protocol (exempt from the page's policy), before any page script.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || ""}:${event.lineNumber || ""})`);
});
"""


def directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: its sources}: django-csp writes the
    directives in no fixed order."""
    parsed = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name:
            parsed[name] = sources.strip()
    return parsed


def watched_page(browser, name: str):
    page = browser.page(name=name)
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations")


def sign_in(page, email: str):
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*E-mail address")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome,")).to_be_visible()


def test_swagger_ui_runs_under_the_policy(browser):
    page = watched_page(browser, "api-docs")
    response = page.goto("/api/docs/")
    assert directives(response.headers["content-security-policy"])["script-src"] == "'self'"
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IPM Portal API")
    operation = page.locator(".opblock-summary").first
    expect(operation).to_be_visible()
    operation.click()  # an operation's details render too
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.get_by_role("button", name=re.compile("Authorize")).click()  # the dialog and its styles
    expect(page.locator(".modal-ux")).to_be_visible()
    assert violations(page) == []
    browser.check()


ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/organization/",
    "/admin/accounts/organization/{organization}/change/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/accounts/user/{user}/change/",
    "/admin/alerts/case/",
    "/admin/accounts/auditentry/",
]


def test_the_django_admin_runs_under_the_policy(browser, platform_admin, officer_fr):
    page = watched_page(browser, "admin")
    browser.expect_console_error(r"/favicon\.ico")  # the admin's pages name no icon: the browser asks
    sign_in(page, platform_admin.email)
    for template in ADMIN_PAGES:
        path = template.format(organization=officer_fr.organization.pk, user=officer_fr.pk)
        response = page.goto(path)
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("load")
        assert violations(page) == [], path
    # The changelist's JavaScript: select all rows, then the action bar reacts.
    page.goto("/admin/accounts/organization/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("selected")
    assert violations(page) == []
    browser.check()


def test_the_browsable_api_runs_under_its_policy(browser, officer_fr):
    page = watched_page(browser, "browsable-api")
    browser.expect_console_error(r"/favicon\.ico")  # DRF's pages name no icon: the browser asks
    sign_in(page, officer_fr.email)
    response = page.goto("/api/v1/brands/")
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert directives(policy)["script-src"] == "'self'" and "'unsafe-inline'" in directives(policy)["style-src"]
    expect(page.locator(".response-info")).to_be_visible()
    page.locator(".format-selection .dropdown-toggle, .dropdown-toggle").first.click()  # Bootstrap's script
    assert violations(page) == []
    browser.check()


# A camera stream as the live scan uses it (static/js/scan.js: video.srcObject), a camera frame as
# a blob: picture and a data: picture; in headless Chromium a canvas stands in for the camera.
CAMERA = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 48;
  const context = canvas.getContext("2d");
  context.fillStyle = "#12355b"; context.fillRect(0, 0, 64, 48);
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = canvas.captureStream(10);
  document.body.append(video);
  await video.play();
  const load = (src) => new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth);
    img.onerror = () => resolve(0);
    img.src = src;
    document.body.append(img);
  });
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return {
    playing: !video.paused && video.srcObject.active,
    blob: await load(URL.createObjectURL(blob)),
    data: await load(canvas.toDataURL("image/png")),
  };
}"""


def test_camera_frames_play_and_an_inline_script_is_refused(browser, officer_fr):
    page = watched_page(browser, "scan")
    sign_in(page, officer_fr.email)
    page.goto("/search/scan/")
    assert page.evaluate(CAMERA) == {"playing": True, "blob": 64, "data": 64}
    assert violations(page) == []

    browser.expect_console_error(r"Content Security Policy")
    page.evaluate(
        """() => { const script = document.createElement("script");
                   script.textContent = "window.__inlineRan = true;"; document.body.append(script); }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__inlineRan === undefined")
    assert any(v.startswith("script-src") for v in violations(page)), violations(page)
    browser.check()


def test_the_server_error_page_keeps_its_styles(browser, settings):
    settings.ROOT_URLCONF = "tests.csp_urls"
    page = watched_page(browser, "server-error")
    browser.expect_console_error(r"status of 500")  # the failure the test causes
    response = page.goto("/broken/")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    header = page.locator("header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(18, 53, 91)"  # #12355b
    assert violations(page) == []
    browser.check()
