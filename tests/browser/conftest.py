"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's
live server (one per xdist worker), with the page-quality watchers every page gets.

- `chromium` (session): the browser, launched from /usr/bin/chromium (`playwright install`
  cannot work here). Missing: skipped locally with the reason, a failure under CI=true.
- `browser(live_server)`: `browser.page(viewport=...)` opens a page in a fresh context (its own
  cookies) whose requests, console and errors are watched; `browser.check()` asserts that no
  request left the server's origin, and no console error or page error happened.
- `weigh(page, url)`: HTML+CSS+JS bytes of one page load, images apart, cache off.
- `axe(page)`: runs the vendored axe-core and returns the serious and critical violations.
- On a failed test, each open page's screenshot and HTML go to test-artifacts/ and the paths are
  printed in the report.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = pytest.StashKey[list]()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)."
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} CI must run the browser tests.", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt has it
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("The playwright package is missing (pip install -r requirements-dev.txt).", pytrace=False)
        pytest.skip("The playwright package is missing (pip install -r requirements-dev.txt).")
    # Once Playwright's sync API has started, this thread has an event loop, and Django refuses
    # ORM calls "from an async context": the tests' own, and pytest-django's database flush
    # after a test, until the browser stops at the end of the session. Set only from here, so a
    # run without browser tests keeps Django's check.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


class Browser:
    """Pages opened for one test, each watched for the page-quality rules."""

    def __init__(self, chromium, base_url: str, pages: list):
        self.chromium = chromium
        self.base_url = base_url.rstrip("/")
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        self.pages = pages
        self.contexts = []
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.expected_errors: list[re.Pattern] = []

    def page(self, *, viewport=DESKTOP, name: str = "page", locale: str = "en-GB"):
        context = self.chromium.new_context(
            base_url=self.base_url, viewport=viewport, locale=locale, timezone_id="Europe/Paris"
        )
        context.set_default_timeout(int(os.environ.get("BROWSER_TIMEOUT_MS", "15000")))
        self.contexts.append(context)
        page = context.new_page()
        page.test_name = name
        page.on("request", self._on_request)
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.console_errors.append(f"{name}: page error: {error}"))
        self.pages.append(page)
        return page

    def _on_request(self, request):
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if "{0.scheme}://{0.netloc}".format(urlsplit(url)) != self.origin:
            self.foreign_requests.append(url)

    def _on_console(self, page, message):
        if message.type != "error":
            return
        text = f"{message.text} ({message.location.get('url', '')})"
        if any(pattern.search(text) for pattern in self.expected_errors):
            return
        self.console_errors.append(f"{page.test_name} on {page.url}: {text}")

    def expect_console_error(self, pattern: str):
        """A console error the test causes on purpose (e.g. the 404 of a forbidden page)."""
        self.expected_errors.append(re.compile(pattern))

    def check(self):
        assert not self.foreign_requests, f"requests left {self.origin}: {self.foreign_requests}"
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(request, chromium, live_server):
    pages = request.node.stash.setdefault(PAGES, [])
    watched = Browser(chromium, live_server.url, pages)
    yield watched
    watched.close()


# Resource Timing's initiator types for the page's own HTML, CSS and JS; images, fonts and data
# fetched by scripts are not counted.
WEIGHED_TYPES = {"navigation": "document", "link": "stylesheet", "script": "script"}
RESOURCE_SIZES = """() => [
    ...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")
].map(entry => [entry.initiatorType, entry.name, entry.decodedBodySize])"""


def weigh(page, url: str) -> dict:
    """Loads `url` with the cache off and returns {"total": bytes, "by_type": {...}, "files": [...]}:
    the decoded bodies of the HTML, CSS and JS it loaded (Resource Timing; all same-origin)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        page.goto(url)
        page.wait_for_load_state("load")
        entries = page.evaluate(RESOURCE_SIZES)
    finally:
        session.send("Network.setCacheDisabled", {"cacheDisabled": False})
        session.detach()
    by_type: dict[str, int] = {}
    files = []
    for initiator, name, size in entries:
        kind = WEIGHED_TYPES.get(initiator)
        if kind is None:
            continue
        by_type[kind] = by_type.get(kind, 0) + size
        files.append((name, size))
    return {"total": sum(by_type.values()), "by_type": by_type, "files": files}


def axe(page) -> list[dict]:
    """The serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script> element: the portal's
        # Content-Security-Policy refuses inline scripts, and so would refuse axe's.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                " ".join(node["target"]) if isinstance(node["target"], list) else node["target"]
                for node in violation["nodes"]
            ][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    pages = item.stash.get(PAGES, [])
    if report.failed and pages and report.when in {"setup", "call"}:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])[:120]
        lines = []
        for index, page in enumerate(pages):
            if page.is_closed():
                continue
            base = ARTIFACTS / f"{stem}-{index}-{page.test_name}"
            try:
                page.screenshot(path=f"{base}.png", full_page=True)
                Path(f"{base}.html").write_text(page.content(), encoding="utf-8")
            except Exception as error:  # a crashed page must not hide the test's own failure
                lines.append(f"{page.test_name}: could not save ({error})")
                continue
            lines.append(f"{page.test_name} ({page.url}): {base}.png {base}.html")
        if lines:
            text = "\n".join(lines)
            report.sections.append(("browser artifacts", text))
            print(f"\nBrowser artifacts of {item.nodeid}:\n{text}")
    return report
