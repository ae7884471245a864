"""Content-Security-Policy: every page and API answer carries one that allows our own scripts and
styles only (no 'unsafe-inline'), and no template of the repository holds inline code that such a
policy would block: a <script> without src, a <style> element, a style= or an on*= attribute."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]

ROOT = Path(settings.BASE_DIR)
# E-mail bodies are read by mail clients, never served to a browser under our policy, and mail
# clients drop linked style sheets: their inline styles stay.
NOT_SERVED = ("templates/notifications/email/",)
# The server error page is self-contained (no static file that could itself fail): its <style>
# elements are allowed by their hash on its own answer (ipm_portal/views.server_error).
STYLE_BY_HASH = {"templates/500.html"}


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response):
    csp = policy(response)
    for directive in ("script-src", "style-src"):
        assert csp[directive] == ["'self'"], (directive, csp.get(directive))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_the_sign_in_page_has_a_strict_policy(client):
    assert_strict(client.get("/accounts/login/"))


@pytest.mark.django_db
def test_a_page_and_an_api_answer_have_a_strict_policy(client_for, api, officer_fr, published_guide):
    assert_strict(client_for("officer_fr").get(f"/guides/{published_guide.pk}/"))
    answer = api(officer_fr).get(f"/api/v1/guides/{published_guide.pk}/")
    assert answer.status_code == 200
    assert_strict(answer)


@pytest.mark.django_db
def test_error_pages_have_the_policy_too(client):
    assert_strict(client.get("/no-such-page/"))
    assert_strict(client.get("/api/v1/no-such-endpoint/"))


@pytest.mark.django_db
def test_the_policy_is_ready_for_a_service_worker_a_manifest_and_camera_frames(client):
    csp = policy(client.get("/accounts/login/"))
    assert csp["worker-src"] == ["'self'"]
    assert csp["manifest-src"] == ["'self'"]
    assert set(csp["img-src"]) == {"'self'", "data:", "blob:"}
    assert csp["connect-src"] == ["'self'"] and csp["font-src"] == ["'self'"]


@pytest.mark.django_db
def test_no_third_party_origin_is_allowed(client):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "http:" not in header and "https:" not in header and "*" not in header


@pytest.mark.django_db
def test_media_keep_their_own_sandboxing_policy(client_for, published_guide):
    client = client_for("officer_fr")
    html = client.get(f"/guides/{published_guide.pk}/").content.decode()
    source = re.search(r'<img src="(/api/v1/guides/[^"]+)"', html).group(1)
    assert client.get(source)["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
def test_the_browsable_api_relaxes_styles_only_on_its_own_pages(client_for, published_guide):
    client = client_for("officer_fr")
    html = client.get(f"/api/v1/guides/{published_guide.pk}/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    csp = policy(html)
    assert csp["script-src"] == ["'self'"], "its scripts are files: no inline script allowed"
    assert "'unsafe-inline'" in csp["style-src"], "DRF's templates carry style attributes"
    assert_strict(client.get(f"/api/v1/guides/{published_guide.pk}/", HTTP_ACCEPT="application/json"))


@pytest.mark.django_db
def test_the_api_docs_page_needs_no_inline_code(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_strict(response)
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html) and not STYLE_ELEMENT.search(html) and not STYLE_ATTRIBUTE.search(html)
    script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html)
    assert script, "the initialising script is a separate request"
    init = client.get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200 and "javascript" in init["Content-Type"]
    assert "SwaggerUIBundle" in init.content.decode()


# --------------------------------------------------------------------------- the templates

TAG = re.compile(r"<(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.I)


def template_files() -> list[Path]:
    directories = [ROOT / "templates", *ROOT.glob("*/templates")]
    files = [
        path
        for directory in directories
        if ".venv" not in directory.parts
        for path in directory.rglob("*")
        if path.is_file() and path.suffix in {".html", ".htm", ".js", ".svg", ".xml"}
    ]
    return sorted(path for path in files if not str(path.relative_to(ROOT)).startswith(NOT_SERVED))


def inline_code(text: str) -> list[str]:
    """What a strict policy would block in one template: the offending snippets."""
    found = [m.group(0) for m in INLINE_SCRIPT.finditer(text)]
    found += [m.group(0) for m in STYLE_ELEMENT.finditer(text)]
    for tag in TAG.finditer(text):
        attributes = tag.group("attributes")
        for pattern in (STYLE_ATTRIBUTE, HANDLER_ATTRIBUTE, JAVASCRIPT_URL):
            if pattern.search(attributes):
                found.append(tag.group(0)[:120])
    return found


def test_the_scan_finds_every_kind_of_inline_code():
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<script type="module">import "x"</script>')
    assert inline_code("<style>p { color: red }</style>")
    assert inline_code('<p class="x" style="color: red">')
    assert inline_code("<p\n  class=\"x\"\n  style='color: red'>")
    assert inline_code('<button type="button" onclick="go()">')
    assert inline_code('<body onload="start()">')
    assert inline_code('<a href="javascript:void(0)">')
    assert inline_code('<img src="{% url \'x\' %}" onerror="boom()">')
    assert not inline_code("<script src=\"{% static 'js/scan.js' %}\" defer></script>")
    assert not inline_code('<script src="/x.js"\n  data-a="1" defer></script>')
    assert not inline_code('<script type="application/json" id="data">{"a": 1}</script>')
    assert not inline_code('<p class="style-guide" data-style="x" data-online="1">on="x"</p>')
    assert not inline_code('<link rel="stylesheet" href="/static/x.css">')


def test_the_scan_covers_the_templates():
    names = {str(path.relative_to(ROOT)) for path in template_files()}
    assert "templates/base.html" in names and "templates/500.html" in names
    assert "templates/guides/usage.html" in names and "templates/cases/case_detail.html" in names
    assert not any(name.startswith("templates/notifications/email/") for name in names)


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_holds_inline_code(path):
    found = inline_code(path.read_text(encoding="utf-8"))
    if str(path.relative_to(ROOT)) in STYLE_BY_HASH:
        found = [snippet for snippet in found if not STYLE_ELEMENT.match(snippet)]
    assert found == []


@pytest.mark.django_db
def test_the_server_error_page_allows_its_own_styles_by_hash_only(client, settings):
    settings.ROOT_URLCONF = "tests.csp_urls"
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles and "/static/" not in html
    hashes = ["'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'" for css in styles]
    csp = policy(response)
    assert csp["style-src"] == ["'self'", *hashes]
    assert csp["script-src"] == ["'self'"] and "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_every_usage_bar_length_has_its_rule():
    """The usage bars' lengths moved from style= to data-percent: each whole percent has a rule."""
    css = (ROOT / "static" / "guides" / "guides.css").read_text()
    for percent in range(101):
        assert f'.bar__fill[data-percent="{percent}"] {{ width: {percent}%; }}' in css, percent


def test_a_csrf_failure_is_the_portals_page_under_the_policy(acme_editor, password):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": acme_editor.email, "password": password})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<style" not in html and "Reload the page and send it again." in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
