"""The usage statistics in the browser: officers' readings counted per country and day appear on
the owner's dashboard and on the guide's own page; counts only, for the owner's members."""

from __future__ import annotations

import pytest
from django.utils import timezone

from authentication_guides.models import GuideViewDay

pytest_plugins = ["tests.brand_fixtures", "tests.test_guides_web_support"]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def country_views(html: str, code: str) -> str:
    start = html.index(f'data-country="{code}"')
    row = html[start : html.index("</tr>", start)]
    return row.rsplit('<td class="number">', 1)[1].split("</td>")[0]


def test_readings_appear_on_the_owners_dashboard(client, client_for, officer_fr, published_guide):
    officer = client_for("officer_fr")
    for _ in range(2):
        assert officer.get(f"/guides/{published_guide.pk}/").status_code == 200
    assert GuideViewDay.objects.get().views == 2
    client.logout()
    owner = client_for("acme_editor")
    owner.get(f"/guides/{published_guide.pk}/")  # the owner's readings are not counted
    html = owner.get("/guides/usage/").content.decode()
    assert 'data-total="2"' in html
    assert "France" in html and country_views(html, "FR") == "2"
    assert "Spotting a fake Chrono" in html and f'href="/guides/{published_guide.pk}/"' in html
    assert 'class="bar__fill" data-percent="100"' in html  # its width: static/guides/guides.css
    assert "olivier" not in html.lower() and "douane" not in html.lower()  # nobody sees who read
    single = owner.get(f"/guides/{published_guide.pk}/usage/")
    assert single.status_code == 200 and country_views(single.content.decode(), "FR") == "2"


def test_country_names_are_localized(client_for, acme_viewer, published_guide):
    GuideViewDay.objects.create(guide=published_guide, country="DE", day=timezone.localdate(), views=3)
    acme_viewer.language = "fr"
    acme_viewer.save(update_fields=["language"])
    html = client_for("acme_viewer").get("/guides/usage/").content.decode()
    assert "Allemagne" in html and "Germany" not in html  # localized: the page is in French
    assert country_views(html, "DE") == "3"


def test_the_period_can_be_chosen(client_for, published_guide):
    today = timezone.localdate()
    GuideViewDay.objects.create(guide=published_guide, country="FR", day=today, views=1)
    GuideViewDay.objects.create(guide=published_guide, country="FR", day=today - timezone.timedelta(days=60), views=4)
    client = client_for("acme_editor")
    assert 'data-total="5"' in client.get("/guides/usage/").content.decode()  # 90 days by default
    assert 'data-total="1"' in client.get("/guides/usage/?days=30").content.decode()
    assert 'data-total="5"' in client.get("/guides/usage/?days=365").content.decode()
    assert client.get("/guides/usage/?days=nonsense").status_code == 200


def test_officers_and_strangers_are_refused(client, client_for, published_guide):
    assert client.get("/guides/usage/").status_code == 302
    assert client.get(f"/guides/{published_guide.pk}/usage/").status_code == 302
    officer = client_for("officer_fr")
    assert officer.get("/guides/usage/").status_code == 403
    assert officer.get(f"/guides/{published_guide.pk}/usage/").status_code == 403
    client.logout()
    assert client_for("officer_de").get(f"/guides/{published_guide.pk}/usage/").status_code == 404
    client.logout()
    stranger = client_for("other_rightholder")
    assert stranger.get(f"/guides/{published_guide.pk}/usage/").status_code == 404
    html = stranger.get("/guides/usage/").content.decode()
    assert 'data-total="0"' in html and "Spotting a fake Chrono" not in html


def test_platform_admins_see_everything(client_for, published_guide):
    GuideViewDay.objects.create(guide=published_guide, country="FR", day=timezone.localdate(), views=7)
    client = client_for("platform_admin")
    assert 'data-total="7"' in client.get("/guides/usage/").content.decode()
    assert client.get(f"/guides/{published_guide.pk}/usage/").status_code == 200


def test_the_dashboard_takes_a_bounded_number_of_queries(
    client_for, acme_editor, brand_fr, published_guide, django_assert_max_num_queries
):
    from authentication_guides import services as guide_services

    from .test_guides_web_support import add_indicator, make_guide

    client = client_for("acme_editor")
    today = timezone.localdate()
    GuideViewDay.objects.create(guide=published_guide, country="FR", day=today, views=1)
    with django_assert_max_num_queries(12) as one:
        assert client.get("/guides/usage/").status_code == 200
    for n in range(5):
        guide = make_guide(acme_editor, brand_fr, f"Guide {n}")
        add_indicator(acme_editor, guide, "Seam")
        guide_services.guide_publish(actor=acme_editor, guide=guide)
        for day in range(10):
            GuideViewDay.objects.create(
                guide=guide, country="DE", day=today - timezone.timedelta(days=day), views=day + 1
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/guides/usage/").status_code == 200
