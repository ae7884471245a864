"""The page frame: navigation by role, error pages, local assets only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


def nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', nav.group(0))) if nav else set()


def test_anonymous_pages_have_no_navigation_but_the_language_switcher(client):
    html = client.get("/accounts/login/").content.decode()
    assert nav_links(html) == set()
    assert 'action="/accounts/language/"' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html


def test_platform_admin_navigation(client, platform_admin):
    client.force_login(platform_admin, backend=BACKEND)
    html = client.get("/").content.decode()
    assert nav_links(html) == {
        "/",
        "/accounts/moderation/",
        "/accounts/organizations/",
        "/accounts/members/",
        "/accounts/audit/",
        "/admin/",
        "/alerts/",
        "/cases/",
        "/applications/",
        "/inbox/",
        "/accounts/me/",
    }
    assert "/operations/" not in nav_links(html), "the platform takes part in no joint operation"
    assert re.search(r'<form method="post" action="/accounts/logout/"', html), "sign-out is a POST form"


def test_org_admin_and_coordinator_navigation(client, acme_admin, coordinator_fr):
    for person, theirs in ((acme_admin, {"/accounts/representatives/"}), (coordinator_fr, set())):
        client.force_login(person, backend=BACKEND)
        assert nav_links(client.get("/").content.decode()) == theirs | {
            "/",
            "/search/",
            "/catalogue/",
            "/guides/",
            "/alerts/",
            "/cases/",
            "/operations/",
            "/applications/",
            "/inbox/",
            "/accounts/members/",
            "/accounts/me/",
        }


def test_officer_and_viewer_navigation(client, officer_fr, acme_viewer):
    # A right holder's members see its representatives (the page lists the appointments).
    for person, theirs in ((officer_fr, set()), (acme_viewer, {"/accounts/representatives/"})):
        client.force_login(person, backend=BACKEND)
        assert nav_links(client.get("/").content.decode()) == theirs | {
            "/",
            "/search/",
            "/catalogue/",
            "/guides/",
            "/alerts/",
            "/cases/",
            "/operations/",
            "/applications/",
            "/inbox/",
            "/accounts/me/",
        }


def test_pending_person_sees_only_sign_out(client, acme):
    from accounts.models import Role, Status

    from .factories import member

    person = member(acme, Role.VIEWER, status=Status.PENDING)
    client.force_login(person, backend=BACKEND)
    html = client.get("/accounts/pending/").content.decode()
    assert nav_links(html) == set()
    assert "Sign out" in html


def test_home_welcomes_by_role(client, officer_fr, platform_admin):
    client.force_login(officer_fr, backend=BACKEND)
    html = client.get("/").content.decode()
    assert "You serve Douane française (Customs administration, FR) as officer." in html
    assert "Checking goods" in html
    client.force_login(platform_admin, backend=BACKEND)
    assert "Moderation queue" in client.get("/").content.decode()


def test_not_found_and_forbidden_pages(client, officer_fr):
    client.force_login(officer_fr, backend=BACKEND)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    forbidden = client.get("/accounts/moderation/")
    assert forbidden.status_code == 403
    assert "Not allowed" in forbidden.content.decode()


def test_server_error_page_renders_without_a_request_or_context_processors():
    html = get_template("500.html").render({})
    assert "Something went wrong" in html
    assert "{%" not in html
    assert "/static/" not in html, "no asset that could itself fail"


def test_pages_load_no_third_party_assets(client, platform_admin):
    client.force_login(platform_admin, backend=BACKEND)
    for path in ("/", "/accounts/me/", "/accounts/two-factor/", "/accounts/members/"):
        html = client.get(path).content.decode()
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), (path, url)


def test_static_assets_are_small():
    static = Path(settings.BASE_DIR) / "static"
    total = sum(path.stat().st_size for path in static.rglob("*") if path.suffix in {".css", ".js"})
    assert 0 < total < 30 * 1024
