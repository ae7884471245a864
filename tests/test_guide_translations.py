"""Honest translations (issue 17, item 5): a translation starts with its original's indicator
texts, marked "not translated" and carrying `lang` of their real language until an editor
changes them (or confirms them as they are); the edit form shows the original beside each
field; guide lists say how many indicators are not translated yet."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from authentication_guides import services
from authentication_guides.models import Indicator
from tests.test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def original(acme_editor, brand_fr):
    guide = make_guide(acme_editor, brand_fr, "Spotting a fake Chrono")
    add_indicator(acme_editor, guide, "Crown engraving", importance="decisive", description="A sunburst on the crown.")
    add_indicator(acme_editor, guide, "Logo", location="dial")
    services.guide_publish(actor=acme_editor, guide=guide)
    return guide


@pytest.fixture
def french(acme_editor, brand_fr, original):
    guide = make_guide(acme_editor, brand_fr, "Repérer une fausse Chrono", language="fr", translation_of=original)
    services.guide_publish(actor=acme_editor, guide=guide)
    return guide


def indicators(guide) -> dict[str, Indicator]:
    return {i.title: i for i in Indicator.objects.filter(version=guide.latest_version())}


def test_a_translation_starts_marked_not_translated_in_its_real_language(french, original):
    copied = indicators(french)
    crown = copied["Crown engraving"]
    assert not crown.translated and crown.source_language == "en"
    assert crown.source_key == indicators(original)["Crown engraving"].key
    assert all(i.translated and not i.source_language for i in indicators(original).values())


def test_the_officer_sees_not_translated_with_the_texts_real_language(client_for, french):
    html = client_for("officer_fr").get(f"/guides/{french.pk}/").content.decode()
    assert html.count("not translated") >= 2
    assert '<h3 class="indicator__title" lang="en">Crown engraving</h3>' in html
    assert '<div class="indicator__text" lang="en">' in html


def test_the_api_says_which_indicators_are_translated(api, officer_fr, french):
    body = api(officer_fr).get(f"/api/v1/guides/{french.pk}/").json()
    rows = {row["title"]: row for row in body["indicators"]}
    assert rows["Crown engraving"]["translated"] is False and rows["Crown engraving"]["source_language"] == "en"


def test_changing_a_text_translates_it_and_the_form_shows_the_original(client_for, french):
    editor = client_for("acme_editor")
    key = indicators(french)["Crown engraving"].key
    form = editor.get(f"/guides/{french.pk}/indicators/{key}/edit/").content.decode()
    assert "Original (English): Crown engraving" in form and "Original (English): A sunburst on the crown." in form
    response = editor.post(
        f"/guides/{french.pk}/indicators/{key}/edit/",
        {"title": "Gravure de la couronne", "kind": "check", "importance": "decisive", "description": "Un soleil."},
    )
    assert response.status_code == 302
    translated = indicators(french)["Gravure de la couronne"]
    assert translated.translated and translated.source_language == "en"  # the original stays known
    assert not indicators(french)["Logo"].translated


def test_a_text_kept_as_it_is_is_confirmed_with_the_box(client_for, french):
    editor = client_for("acme_editor")
    key = indicators(french)["Logo"].key
    data = {"title": "Logo", "kind": "check", "importance": "strong", "location": "dial", "translated": "on"}
    assert editor.post(f"/guides/{french.pk}/indicators/{key}/edit/", data).status_code == 302
    assert indicators(french)["Logo"].translated


def test_guide_lists_count_what_is_not_translated(client_for, french, original):
    listing = client_for("acme_editor").get("/guides/?language=fr").content.decode()
    assert "2 indicators not translated" in listing
    for persona in ("acme_editor", "officer_fr"):  # the French translation, among the other languages
        page = client_for(persona).get(f"/guides/{original.pk}/").content.decode()
        assert "2 indicators not translated" in page, persona


def test_a_new_version_keeps_what_is_not_translated(acme_editor, french):
    services.guide_update(actor=acme_editor, guide=french, data={"summary": "Nouvelle version"})
    latest = indicators(french)
    assert not latest["Crown engraving"].translated and latest["Crown engraving"].source_language == "en"


def test_the_migration_marks_texts_copied_before_it(french, original):
    Indicator.objects.update(translated=True, source_language="", source_key=None)
    migration = importlib.import_module("authentication_guides.migrations.0006_indicator_translated")
    migration.mark_copied_texts(apps, None)
    assert {i.translated for i in indicators(french).values()} == {False}
    assert {i.source_language for i in indicators(french).values()} == {"en"}
    assert all(i.translated for i in indicators(original).values())


def test_the_product_page_lists_each_guide_once_with_its_languages(client_for, french, original, product_fr):
    """In English the English guide with a switch to French; in French the other way round."""
    for persona in ("officer_fr", "acme_editor"):
        html = client_for(persona).get(f"/catalogue/products/{product_fr.pk}/").content.decode()
        panel = html[html.index('id="guides"') :]
        assert panel.count(f'href="/guides/{original.pk}/"') == 1, persona
        assert f'href="/guides/{french.pk}/" hreflang="fr"' in panel, persona
        assert "Repérer une fausse Chrono" not in panel.split("Also in:")[0], persona
