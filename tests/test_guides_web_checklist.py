"""The inspection checklist in the browser: an officer marks each indicator of the published
version, gets a summary, and it is stored for their administration only."""

from __future__ import annotations

import re

import pytest

from authentication_guides import services
from authentication_guides.models import Checklist

from .matrix import BRAND_FR_READERS, DRAFT_GUIDE_READERS, PERSONAS, SIGN_IN, Matrix
from .test_guides_web_support import indicator_key

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def answers(guide, **verdicts) -> dict:
    body = {"note": "Container MSCU 123"}
    for title, verdict in verdicts.items():
        key = guide.published_version.indicators.get(title=title).key
        body[f"verdict-{key}"] = verdict
    return body


def test_the_checklist_shows_the_published_indicators_decisive_first(client_for, published_guide):
    client = client_for("officer_fr")
    guide_page = client.get(f"/guides/{published_guide.pk}/").content.decode()
    assert f'href="/guides/{published_guide.pk}/check/"' in guide_page
    html = client.get(f"/guides/{published_guide.pk}/check/").content.decode()
    titles = re.findall(r'<h2 class="indicator__title">([^<]*)</h2>', html)
    assert titles == ["Engraved serial", "Logo font"]
    assert html.count('class="pair"') == 2
    for label in ("Matches genuine", "Matches fake", "Can&#x27;t tell"):
        assert html.count(label) == 2, label


@pytest.mark.parametrize(
    ("verdicts", "conclusion", "label"),
    [
        ({"Engraved serial": "fake", "Logo font": "genuine"}, "likely_counterfeit", "Likely counterfeit"),
        ({"Engraved serial": "genuine", "Logo font": "genuine"}, "likely_genuine", "Likely genuine"),
        ({"Engraved serial": "unsure", "Logo font": "fake"}, "inconclusive", "Inconclusive"),
    ],
)
def test_an_inspection_is_stored_and_summarized(client_for, officer_fr, published_guide, verdicts, conclusion, label):
    client = client_for("officer_fr")
    response = client.post(f"/guides/{published_guide.pk}/check/", answers(published_guide, **verdicts))
    checklist = Checklist.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/guides/{published_guide.pk}/checks/{checklist.pk}/"
    assert checklist.conclusion == conclusion and checklist.created_by == officer_fr
    assert checklist.organization == officer_fr.organization and checklist.note == "Container MSCU 123"
    assert {r["title"]: r["verdict"] for r in checklist.results} == verdicts
    summary = client.get(response["Location"]).content.decode()
    assert label in summary and "Container MSCU 123" in summary
    assert summary.index("Engraved serial") < summary.index("Logo font")  # decisive first


def test_every_indicator_must_be_answered(client_for, published_guide):
    response = client_for("officer_fr").post(
        f"/guides/{published_guide.pk}/check/", answers(published_guide, **{"Engraved serial": "fake"})
    )
    assert response.status_code == 400
    assert "Choose what the item shows for this indicator." in response.content.decode()
    assert not Checklist.objects.exists()


def test_a_bad_verdict_is_an_error(client_for, published_guide):
    body = answers(published_guide, **{"Engraved serial": "maybe", "Logo font": "genuine"})
    response = client_for("officer_fr").post(f"/guides/{published_guide.pk}/check/", body)
    assert response.status_code == 400 and not Checklist.objects.exists()


def test_the_checklist_uses_the_published_version_not_a_draft(client_for, acme_editor, published_guide):
    key = indicator_key(published_guide, "Engraved serial")
    services.indicator_update(actor=acme_editor, guide=published_guide, key=key, data={"title": "DRAFT title"})
    client = client_for("officer_fr")
    html = client.get(f"/guides/{published_guide.pk}/check/").content.decode()
    assert "DRAFT" not in html
    client.post(
        f"/guides/{published_guide.pk}/check/",
        answers(published_guide, **{"Engraved serial": "genuine", "Logo font": "genuine"}),
    )
    assert Checklist.objects.get().version == published_guide.published_version


# An officer who sees a published guide inspects with it; its owner and a platform admin see it but
# do not inspect (403). Nobody inspects with a draft.
INSPECT = {
    "published": Matrix(readers=BRAND_FR_READERS, writers={"officer_fr"}, anonymous=SIGN_IN),
    "draft": Matrix(readers=DRAFT_GUIDE_READERS, writers=(), anonymous=SIGN_IN),
}
# An inspection is read by its administration (France's officers and coordinator) and platform
# admins; the owner sees inspections once attached to a case, not here.
INSPECTION = Matrix(readers={"officer_fr", "coordinator_fr", "platform_admin"}, writers=(), anonymous=SIGN_IN)
NOTHING = Matrix(readers=(), writers=(), anonymous=SIGN_IN)  # what does not exist


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_inspect(client_for, published_guide, draft_guide, persona):
    client = client_for(persona)
    published = client.get(f"/guides/{published_guide.pk}/check/")
    assert published.status_code == INSPECT["published"].status(persona, write=True)
    draft = client.get(f"/guides/{draft_guide.pk}/check/")
    assert draft.status_code == INSPECT["draft"].status(persona, write=True)
    body = answers(published_guide, **{"Engraved serial": "fake", "Logo font": "fake"})
    response = client.post(f"/guides/{published_guide.pk}/check/", body)
    assert response.status_code == INSPECT["published"].status(persona, write=True, ok=302)
    assert Checklist.objects.count() == (1 if persona in INSPECT["published"].writers else 0)


@pytest.mark.parametrize("persona", sorted({*PERSONAS, "coordinator_fr"}))
def test_who_may_read_an_inspection(client_for, officer_fr, published_guide, persona):
    checklist = services.checklist_record(
        actor=officer_fr,
        guide=published_guide,
        results=[
            {"indicator": str(i.key), "verdict": "genuine"} for i in published_guide.published_version.indicators.all()
        ],
    )
    client = client_for(persona)
    response = client.get(f"/guides/{published_guide.pk}/checks/{checklist.pk}/")
    assert response.status_code == INSPECTION.status(persona, write=False)
    assert client.get(f"/guides/999999/checks/{checklist.pk}/").status_code == NOTHING.status(persona, write=False)


def test_no_inspect_button_for_people_who_do_not_inspect(client_for, published_guide):
    for persona in ("acme_editor", "acme_viewer", "platform_admin"):
        html = client_for(persona).get(f"/guides/{published_guide.pk}/").content.decode()
        assert "/check/" not in html, persona
