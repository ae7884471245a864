"""Reading a guide in the browser: what officers see (only the published version, decisive
indicators first, the genuine and counterfeit pictures side by side, whom to call), what the
owner's members see (the latest version and where it stands), translations, print, history."""

from __future__ import annotations

import re

import pytest

from authentication_guides import services
from authentication_guides.models import Indicator
from brands import services as brand_services

from .test_guides_web_support import add_indicator, indicator_key, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def indicator_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="indicator__title">([^<]*)</h3>', html)


@pytest.fixture
def revised(acme_editor, published_guide):
    """The published guide with a version 2 being written: a renamed indicator and a new title."""
    key = indicator_key(published_guide, "Engraved serial")
    services.indicator_update(actor=acme_editor, guide=published_guide, key=key, data={"title": "DRAFT serial check"})
    services.guide_update(actor=acme_editor, guide=published_guide, data={"title": "DRAFT new title"})
    return published_guide


def test_officers_never_see_a_draft_version(client_for, revised):
    client = client_for("officer_fr")
    for path in (f"/guides/{revised.pk}/", f"/guides/{revised.pk}/print/", f"/guides/{revised.pk}/versions/"):
        html = page(client, path)
        assert "DRAFT" not in html, path
        assert "Spotting a fake Chrono" in html, path
    html = page(client, f"/guides/{revised.pk}/")
    assert indicator_titles(html) == ["Engraved serial", "Logo font"]
    assert "?version=1" in html and "?version=2" not in html
    listed = page(client, "/guides/")
    assert "Spotting a fake Chrono" in listed and "DRAFT" not in listed


def test_officers_keep_the_published_version_while_the_next_is_in_review(client_for, acme_editor, revised):
    services.guide_submit(actor=acme_editor, guide=revised)
    html = page(client_for("officer_fr"), f"/guides/{revised.pk}/")
    assert "DRAFT" not in html and indicator_titles(html) == ["Engraved serial", "Logo font"]


def test_publishing_the_next_version_replaces_what_officers_read(client_for, acme_editor, revised):
    services.guide_publish(actor=acme_editor, guide=revised)
    html = page(client_for("officer_fr"), f"/guides/{revised.pk}/")
    assert "DRAFT new title" in html and indicator_titles(html) == ["DRAFT serial check", "Logo font"]


def test_the_owner_reads_the_latest_version_with_a_newer_draft_banner(client_for, revised):
    html = page(client_for("acme_viewer"), f"/guides/{revised.pk}/")
    assert "DRAFT new title" in html and "DRAFT serial check" in html
    assert "Published: version 1" in html
    assert "A newer draft exists (version 2)" in html
    assert "officers keep reading version 1" in html


def test_decisive_indicators_come_first_with_both_pictures_in_order(client_for, acme_editor, brand_fr):
    guide = make_guide(acme_editor, brand_fr, "Order")
    add_indicator(acme_editor, guide, "Supporting one", importance="supporting", order=1)
    add_indicator(acme_editor, guide, "Strong one", importance="strong", order=2)
    add_indicator(acme_editor, guide, "Decisive late", importance="decisive", order=9)
    add_indicator(acme_editor, guide, "Decisive early", importance="decisive", order=3)
    guide = services.guide_publish(actor=acme_editor, guide=guide)
    client = client_for("officer_fr")
    html = page(client, f"/guides/{guide.pk}/")
    assert indicator_titles(html) == ["Decisive early", "Decisive late", "Strong one", "Supporting one"]
    images = re.findall(
        r'<img src="(/api/v1/guides/\d+/indicators/([0-9a-f-]+)/(genuine|counterfeit)/\?version=1)"', html
    )
    keys = [str(guide.published_version.indicators.get(title=t).key) for t in indicator_titles(html)]
    assert [(key, side) for _url, key, side in images] == [
        (key, side) for key in keys for side in ("genuine", "counterfeit")
    ]
    # Labelled in words, not by colour only; each picture is a link to itself (tap to zoom).
    assert html.count("> Genuine</figcaption>") == 4 and html.count("> Counterfeit</figcaption>") == 4
    for url, _key, _side in images:
        assert f'<a href="{url}"><img src="{url}"' in html
    # The officer's session fetches the pictures, and they are the right ones.
    first = guide.published_version.indicators.get(title="Decisive early")
    genuine = client.get(images[0][0])
    assert genuine.status_code == 200
    assert b"".join(genuine.streaming_content) == first.genuine_image.open("rb").read()
    counterfeit = client.get(images[1][0])
    assert b"".join(counterfeit.streaming_content) == first.counterfeit_image.open("rb").read()


def test_kind_and_location_are_shown(client_for, published_guide):
    html = page(client_for("officer_fr"), f"/guides/{published_guide.pk}/")
    assert "Check · Where: case back" in html


def test_whom_to_call_puts_the_officers_country_first(client_for, acme_editor, published_guide):
    brand = published_guide.brand
    for name, countries in (("Desk Germany", ["DE"]), ("Desk France", ["FR"]), ("Desk everywhere", [])):
        brand_services.brand_item_create(
            actor=acme_editor, brand=brand, kind="contacts", data={"name": name, "countries": countries}
        )
    html = page(client_for("officer_fr"), f"/guides/{published_guide.pk}/")
    contacts = html[html.index('id="contacts"') :]
    order = [contacts.index(name) for name in ("Desk France", "Desk everywhere", "Desk Germany")]
    assert order == sorted(order)
    assert contacts.count("Covers your country") == 2


def test_the_print_page_has_no_navigation_and_both_pictures(client_for, published_guide):
    html = page(client_for("officer_fr"), f"/guides/{published_guide.pk}/print/")
    assert "site-nav" not in html and "site-header" not in html
    assert 'class="print-page"' in html and "/static/guides/guides.css" in html
    assert indicator_titles(html) == ["Engraved serial", "Logo font"]
    assert html.count('class="pair"') == 2 and 'loading="lazy"' not in html  # printed with every picture


def test_the_print_stylesheet_keeps_pictures_side_by_side_and_indicators_whole(client):
    from django.contrib.staticfiles import finders

    with open(finders.find("guides/guides.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    print_rules = css[css.index("@media print") :]
    assert "grid-template-columns: 1fr 1fr" in print_rules
    assert "break-inside: avoid" in css
    assert ".pair { display: grid; grid-template-columns: 1fr 1fr;" in css  # phones too


def test_the_history_shows_who_published_and_what_changed(client_for, acme_editor, published_guide):
    key = indicator_key(published_guide, "Engraved serial")
    services.indicator_update(
        actor=acme_editor, guide=published_guide, key=key, data={"title": "Serial number", "location": "lug"}
    )
    services.indicator_delete(
        actor=acme_editor, guide=published_guide, key=indicator_key(published_guide, "Logo font")
    )
    add_indicator(acme_editor, published_guide, "Hologram", importance="decisive")
    services.guide_update(actor=acme_editor, guide=published_guide, data={"title": "Spotting a fake Chrono, 2nd"})
    services.guide_publish(actor=acme_editor, guide=published_guide)
    html = page(client_for("officer_fr"), f"/guides/{published_guide.pk}/versions/")
    assert html.index("Version 2") < html.index("Version 1")
    assert "Changes since version 1" in html
    assert "<strong>Added:</strong> Hologram" in html
    assert "<strong>Removed:</strong> Logo font" in html
    assert "<strong>Changed:</strong> Serial number (title, where on the item)" in html
    assert "Title changed from “Spotting a fake Chrono” to “Spotting a fake Chrono, 2nd”." in html
    assert acme_editor.full_name in html


def test_the_history_hides_drafts_from_officers_only(client_for, revised):
    officer = page(client_for("officer_fr"), f"/guides/{revised.pk}/versions/")
    assert "Version 2" not in officer and "Version 1" in officer
    owner = page(client_for("acme_viewer"), f"/guides/{revised.pk}/versions/")
    assert "Version 2" in owner and "Added:" not in owner
    assert "<strong>Changed:</strong> DRAFT serial check (title)" in owner


@pytest.fixture
def french(acme_editor, published_guide):
    guide = make_guide(
        acme_editor, published_guide.brand, "Repérer une fausse Chrono", language="fr", translation_of=published_guide
    )
    add_indicator(acme_editor, guide, "Numéro gravé", importance="decisive")
    return guide


def test_translations_are_offered_once_published(client_for, acme_editor, officer_fr, published_guide, french):
    client = client_for("officer_fr")
    html = page(client, f"/guides/{published_guide.pk}/")
    assert f"/guides/{french.pk}/" not in html  # a draft translation is not offered to officers
    assert f"/guides/{french.pk}/" in page(client_for("acme_viewer"), f"/guides/{published_guide.pk}/")
    services.guide_publish(actor=acme_editor, guide=french)
    client = client_for("officer_fr")
    html = page(client, f"/guides/{published_guide.pk}/")
    assert f'href="/guides/{french.pk}/" hreflang="fr"' in html
    back = page(client, f"/guides/{french.pk}/")
    assert f'href="/guides/{published_guide.pk}/" hreflang="en"' in back


def test_an_officer_is_pointed_to_the_guide_in_their_language(
    client_for, acme_editor, officer_fr, published_guide, french
):
    services.guide_publish(actor=acme_editor, guide=french)
    officer_fr.language = "fr"
    officer_fr.save(update_fields=["language"])
    html = page(client_for("officer_fr"), f"/guides/{published_guide.pk}/")
    banner = re.search(r'<p class="banner"><a href="([^"]+)" hreflang="fr">', html)
    assert banner and banner.group(1) == f"/guides/{french.pk}/"
    assert '<p class="banner">' not in page(client_for("officer_fr"), f"/guides/{french.pk}/")


@pytest.mark.parametrize(
    ("setup", "banner"),
    [
        ("draft", "officers do not see this guide until it is published"),
        ("in_review", "In review"),
        ("archived", "officers no longer see this guide. Its history is kept."),
        ("moderated", "Unpublished by the platform's moderators"),
    ],
)
def test_the_owner_sees_where_the_guide_stands(client_for, acme_editor, platform_admin, brand_fr, setup, banner):
    guide = make_guide(acme_editor, brand_fr, "Status")
    add_indicator(acme_editor, guide, "Seam")
    if setup == "in_review":
        services.guide_submit(actor=acme_editor, guide=guide)
    if setup in ("archived", "moderated"):
        services.guide_publish(actor=acme_editor, guide=guide)
    if setup == "archived":
        services.guide_archive(actor=acme_editor, guide=guide)
    if setup == "moderated":
        services.guide_unpublish(actor=platform_admin, guide=guide, reason="Shows a competitor's product")
    html = page(client_for("acme_viewer"), f"/guides/{guide.pk}/")
    assert banner in html
    if setup == "moderated":
        assert "Shows a competitor&#x27;s product" in html


def test_the_list_filters_by_brand_and_language(client_for, acme_editor, brand_fr, brand_all):
    make_guide(acme_editor, brand_fr, "Chrono EN")
    make_guide(acme_editor, brand_fr, "Chrono FR", language="fr")
    make_guide(acme_editor, brand_all, "Day EN")
    client = client_for("acme_viewer")

    def titles(query):
        response = client.get(f"/guides/{query}")
        assert response.status_code == 200
        return [guide.shown_version.title for guide in response.context["page"]]

    assert titles("") == ["Day EN", "Chrono FR", "Chrono EN"]  # newest first
    assert titles(f"?brand={brand_fr.pk}") == ["Chrono FR", "Chrono EN"]
    assert titles(f"?brand={brand_fr.pk}&language=en") == ["Chrono EN"]
    assert titles("?language=fr") == ["Chrono FR"]
    assert titles("?brand=nonsense") == []
    assert titles("?language=xx") == []


def test_the_list_is_paginated_by_25(client_for, acme_editor, brand_fr):
    for number in range(27):
        make_guide(acme_editor, brand_fr, f"Guide {number}")
    client = client_for("acme_viewer")
    assert len(client.get("/guides/").context["page"]) == 25
    assert len(client.get("/guides/?page=2").context["page"]) == 2


def test_new_guide_button_only_for_writers(client_for):
    assert 'href="/guides/new/"' in page(client_for("acme_editor"), "/guides/")
    for persona in ("acme_viewer", "officer_fr", "platform_admin"):
        assert 'href="/guides/new/"' not in page(client_for(persona), "/guides/"), persona


def test_no_indicator_of_another_version_leaks_into_the_page(client_for, revised):
    """The pictures' URLs name the version read: an officer's page asks only for version 1."""
    html = page(client_for("officer_fr"), f"/guides/{revised.pk}/")
    assert set(re.findall(r"\?version=(\d+)", html)) == {"1"}
    assert Indicator.objects.filter(version__guide=revised).count() == 4
