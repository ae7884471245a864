"""Alert pages in the browser: the list, an alert's page (acknowledgement counts for the
owner), the form, publish / withdraw / acknowledge; the home panel include."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from alerts import services
from alerts.models import Alert, AlertAcknowledgement, AlertStatus

from .alerts_fixtures import alert_data, in_days

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db


def form_data(brand, **extra) -> dict:
    data = {
        "brand": brand.pk,
        "title": "Fakes via Marseille",
        "severity": "critical",
        "description": "Reefer containers.",
        "target_countries": ["FR"],
        "hs_codes": "9102.11\n910221",
        "ports": "Marseille\nFos",
        "transport_modes": ["sea"],
        "valid_until": in_days(10).isoformat(),
    }
    data.update(extra)
    return data


def test_a_right_holder_drafts_publishes_and_sees_acknowledgements(client_for, brand_fr, officer_fr):
    client = client_for("acme_editor")
    assert 'href="/alerts/new/"' in client.get("/alerts/").content.decode()
    assert client.get("/alerts/new/").status_code == 200
    response = client.post("/alerts/new/", form_data(brand_fr))
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"
    assert alert.hs_codes == ["910211", "910221"] and alert.ports == ["Marseille", "Fos"]
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'action="/alerts/{alert.pk}/publish/"' in page
    assert client.post(f"/alerts/{alert.pk}/publish/").status_code == 302
    assert Alert.objects.get().status == AlertStatus.PUBLISHED
    services.alert_acknowledge(actor=officer_fr, alert=alert)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Acknowledged by officers" in page and "<td>France</td><td>1</td>" in page
    assert client.post(f"/alerts/{alert.pk}/withdraw/").status_code == 302
    assert Alert.objects.get().status == AlertStatus.WITHDRAWN


def test_the_form_refuses_a_country_outside_the_brand_visibility(client_for, brand_fr):
    response = client_for("acme_editor").post("/alerts/new/", form_data(brand_fr, target_countries=["DE"]))
    assert response.status_code == 400 and "not visible in DE" in response.content.decode()
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"hs_codes": "12"},
        {"valid_until": "2001-01-01"},
        {"valid_until": "soon"},
        {"title": ""},
        {"severity": "x"},
        {"brand": "999999"},
    ],
)
def test_bad_form_input_is_a_400_page(client_for, brand_fr, bad):
    response = client_for("acme_editor").post("/alerts/new/", {**form_data(brand_fr), **bad})
    assert response.status_code == 400
    assert not Alert.objects.exists()


def test_editing_a_draft(client_for, draft_alert, brand_fr):
    client = client_for("acme_editor")
    assert client.get(f"/alerts/{draft_alert.pk}/edit/").status_code == 200
    response = client.post(f"/alerts/{draft_alert.pk}/edit/", form_data(brand_fr, title="Changed"))
    assert response.status_code == 302 and Alert.objects.get().title == "Changed"


def test_an_officer_reads_and_acknowledges(client_for, officer_fr, published_alert):
    client = client_for("officer_fr")
    listing = client.get("/alerts/").content.decode()
    assert published_alert.title in listing and 'href="/alerts/new/"' not in listing
    page = client.get(f"/alerts/{published_alert.pk}/").content.decode()
    assert f'action="/alerts/{published_alert.pk}/acknowledge/"' in page and "publish/" not in page
    assert "Acknowledged by officers" not in page
    assert client.post(f"/alerts/{published_alert.pk}/acknowledge/").status_code == 302
    assert AlertAcknowledgement.objects.filter(user=officer_fr).count() == 1
    assert "You acknowledged this alert." in client.get(f"/alerts/{published_alert.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["officer_de", "other_rightholder"])
def test_outsiders_get_404_and_an_empty_list(client_for, persona, published_alert):
    client = client_for(persona)
    assert client.get(f"/alerts/{published_alert.pk}/").status_code == 404
    assert client.post(f"/alerts/{published_alert.pk}/acknowledge/").status_code == 404
    assert client.post(f"/alerts/{published_alert.pk}/withdraw/").status_code == 404
    assert published_alert.title not in client.get("/alerts/").content.decode()


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_readers_cannot_write(client_for, persona, draft_alert, published_alert):
    client = client_for(persona)
    assert client.get("/alerts/new/").status_code == 403
    # They all see the alert (its owner's viewer, a targeted officer, the platform): 403, not 404.
    assert client.post(f"/alerts/{published_alert.pk}/withdraw/").status_code == 403
    assert Alert.objects.get(pk=published_alert.pk).status == AlertStatus.PUBLISHED


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/alerts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_page_is_bounded_in_queries(
    client_for, acme_editor, brand_fr, officer_fr, django_assert_max_num_queries
):
    for i in range(15):
        alert = services.alert_create(actor=acme_editor, data=alert_data(brand_fr, title=f"Flow {i}"))
        services.alert_publish(actor=acme_editor, alert=alert)
    for persona in ("acme_editor", "officer_fr"):
        client = client_for(persona)
        with django_assert_max_num_queries(22):
            response = client.get("/alerts/")
        assert response.status_code == 200 and response.content.decode().count('class="card"') == 15


def test_the_home_panel_shows_the_most_severe_first(acme_editor, brand_fr, officer_fr, officer_de, rf):
    low = services.alert_create(actor=acme_editor, data=alert_data(brand_fr, title="Low one", severity="low"))
    critical = services.alert_create(
        actor=acme_editor, data=alert_data(brand_fr, title="Critical one", severity="critical")
    )
    for alert in (low, critical):
        services.alert_publish(actor=acme_editor, alert=alert)
    services.alert_acknowledge(actor=officer_fr, alert=low)
    alerts = services.alerts_for_home(officer_fr)
    assert [a.title for a in alerts] == ["Critical one", "Low one"]
    assert [a.acknowledged for a in alerts] == [False, True]
    assert services.alerts_for_home(officer_de) == []
    assert len(services.alerts_for_home(officer_fr, limit=1)) == 1
    html = render_to_string("alerts/_home_panel.html", {"alerts": alerts})
    assert "Critical one" in html and f'href="/alerts/{critical.pk}/"' in html
    assert "No alert for your country" in render_to_string("alerts/_home_panel.html", {"alerts": []})


def test_products_are_offered_for_the_chosen_brand(client_for, brand_fr, product_fr, brand_all):
    client = client_for("acme_editor")
    plain = client.get("/alerts/new/").content.decode()
    assert f'href="/alerts/new/?brand={brand_fr.pk}"' in plain and "Lumina Chrono" not in plain
    page = client.get(f"/alerts/new/?brand={brand_fr.pk}").content.decode()
    assert f'<option value="{product_fr.pk}">Lumina Chrono</option>' in page
    response = client.post("/alerts/new/", form_data(brand_fr, products=[product_fr.pk]))
    assert response.status_code == 302 and list(Alert.objects.get().products.all()) == [product_fr]
    wrong = client.post("/alerts/new/", form_data(brand_all, products=[product_fr.pk]))
    assert wrong.status_code == 400


def test_officers_filter_by_severity_only(client_for, published_alert):
    page = client_for("officer_fr").get("/alerts/?severity=high&status=draft").content.decode()
    assert 'name="status"' not in page and published_alert.title in page
    assert published_alert.title not in client_for("officer_fr").get("/alerts/?severity=low").content.decode()


def test_the_list_names_the_countries_in_the_reader_language(client_for, published_alert, acme_editor):
    acme_editor.language = "fr"
    acme_editor.save()
    html = client_for("acme_editor").get("/alerts/").content.decode()
    countries = ", ".join(published_alert.target_countries)
    assert "France" in html and f"<dd>{countries}</dd>" not in html
