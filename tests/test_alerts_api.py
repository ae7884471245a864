"""The alerts API: right holders draft, publish and withdraw their brands' alerts; officers of
the target countries read and acknowledge them; the owner sees acknowledgements per country.
Nobody else sees an alert (404, absent from lists)."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.models import Alert, AlertAcknowledgement, AlertStatus

from .alerts_fixtures import alert_data, in_days

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_a_right_holder_drafts_and_publishes_an_alert(api, acme_editor, brand_fr, product_fr, officer_fr):
    client = api(acme_editor)
    response = client.post(
        URL,
        alert_data(brand_fr, products=[product_fr.pk], ports=["Le Havre"], transport_modes=["sea"]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["target_countries"] == ["FR"] and body["hs_codes"] == ["910211"]
    assert body["products"] == [product_fr.pk] and body["severity"] == "high"
    assert set(body) >= {
        "id",
        "brand",
        "title",
        "description",
        "severity",
        "target_countries",
        "hs_codes",
        "valid_until",
        "status",
    }
    # Officers do not see a draft.
    assert api(officer_fr).get(f"{URL}{body['id']}/").status_code == 404
    published = client.post(f"{URL}{body['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    seen = api(officer_fr).get(URL)
    assert ids(seen) == {body["id"]} and seen.json()["results"][0]["acknowledged"] is False
    assert seen.json()["results"][0]["acknowledgements"] is None  # counts are the owner's


def test_target_countries_outside_the_brand_visibility_are_refused(api, acme_editor, brand_fr):
    response = api(acme_editor).post(URL, alert_data(brand_fr, target_countries=["FR", "DE"]), format="json")
    assert response.status_code == 400 and "target_countries" in response.json()
    assert "DE" in str(response.json()["target_countries"])
    assert not Alert.objects.exists()


def test_a_brand_visible_to_all_may_target_any_country(api, acme_editor, brand_all):
    response = api(acme_editor).post(URL, alert_data(brand_all, target_countries=["DE", "ES"]), format="json")
    assert response.status_code == 201 and response.json()["target_countries"] == ["DE", "ES"]


def test_publishing_rechecks_a_visibility_narrowed_since_the_draft(api, acme_editor, brand_all):
    from brands import services as brand_services

    created = api(acme_editor).post(URL, alert_data(brand_all, target_countries=["DE"]), format="json").json()
    brand_services.brand_update(
        actor=acme_editor, brand=brand_all, data={"visibility": {"all": False, "countries": ["FR"]}}
    )
    response = api(acme_editor).post(f"{URL}{created['id']}/publish/")
    assert response.status_code == 400 and "target_countries" in response.json()
    assert Alert.objects.get().status == AlertStatus.DRAFT


@pytest.mark.parametrize(
    "change",
    [
        {"target_countries": ["XX"]},
        {"target_countries": []},
        {"target_countries": "FR"},
        {"hs_codes": ["12"]},
        {"hs_codes": ["ninety"]},
        {"severity": "apocalyptic"},
        {"valid_until": "yesterday"},
        {"valid_until": "2001-01-01"},
        {"transport_modes": ["teleport"]},
        {"products": ["x"]},
        {"products": [999999]},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "nul\x00byte"},
        {"brand": "abc"},
        {"brand": None},
        {"origin_countries": ["Atlantis"]},
    ],
)
def test_bad_input_is_a_400_on_the_field(api, acme_editor, brand_fr, change):
    response = api(acme_editor).post(URL, {**alert_data(brand_fr), **change}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) & (set(change) | {"detail", "non_field_errors"}), response.json()


def test_a_product_of_another_brand_is_refused(api, acme_editor, brand_all, product_fr):
    response = api(acme_editor).post(URL, alert_data(brand_all, products=[product_fr.pk]), format="json")
    assert response.status_code == 400 and "products" in response.json()


def test_another_right_holders_brand_is_a_field_error(api, other_rightholder, brand_fr):
    response = api(other_rightholder).post(URL, alert_data(brand_fr), format="json")
    assert response.status_code == 400 and "brand" in response.json()


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "coordinator_fr", "platform_admin"])
def test_only_the_owners_writers_draft_alerts(api, request, persona, brand_fr):
    response = api(request.getfixturevalue(persona)).post(URL, alert_data(brand_fr), format="json")
    assert response.status_code == 403


def test_anonymous_gets_401(anonymous):
    assert anonymous.get(URL).status_code == 401


# --------------------------------------------------------------------------- who sees what

SEES_PUBLISHED = {"acme_admin", "acme_editor", "acme_viewer", "officer_fr", "coordinator_fr", "platform_admin"}


@pytest.mark.parametrize(
    "persona",
    [
        "acme_admin",
        "acme_editor",
        "acme_viewer",
        "officer_fr",
        "coordinator_fr",
        "officer_de",
        "other_rightholder",
        "platform_admin",
    ],
)
def test_visibility_of_a_published_alert(api, request, persona, published_alert):
    client = api(request.getfixturevalue(persona))
    detail = client.get(f"{URL}{published_alert.pk}/")
    listed = ids(client.get(URL))
    if persona in SEES_PUBLISHED:
        assert detail.status_code == 200 and published_alert.pk in listed
    else:
        assert detail.status_code == 404 and published_alert.pk not in listed


@pytest.mark.parametrize("persona", ["officer_fr", "officer_de", "other_rightholder"])
def test_drafts_are_the_owners_only(api, request, persona, draft_alert):
    client = api(request.getfixturevalue(persona))
    assert client.get(f"{URL}{draft_alert.pk}/").status_code == 404
    assert draft_alert.pk not in ids(client.get(URL))


def test_withdrawn_and_expired_alerts_leave_the_officers_lists(api, acme_editor, officer_fr, published_alert):
    assert api(officer_fr).get(f"{URL}{published_alert.pk}/").status_code == 200
    response = api(acme_editor).post(f"{URL}{published_alert.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert api(officer_fr).get(f"{URL}{published_alert.pk}/").status_code == 404
    assert api(acme_editor).get(f"{URL}{published_alert.pk}/").status_code == 200


def test_alerts_expire_after_their_last_valid_day(api, officer_fr, published_alert):
    assert services.alerts_expire(today=in_days(30)) == 0
    assert services.alerts_expire(today=in_days(31)) == 1
    assert Alert.objects.get().status == AlertStatus.EXPIRED
    assert api(officer_fr).get(f"{URL}{published_alert.pk}/").status_code == 404
    assert services.alerts_expire(today=in_days(32)) == 0


def test_the_expiry_task_runs(published_alert):
    from alerts.tasks import expire_alerts

    Alert.objects.filter(pk=published_alert.pk).update(valid_until=in_days(-1))
    expire_alerts.delay()
    assert Alert.objects.get().status == AlertStatus.EXPIRED


# --------------------------------------------------------------------------- writes by others


@pytest.mark.parametrize("persona", ["acme_viewer", "platform_admin"])
@pytest.mark.parametrize("verb", ["publish", "withdraw"])
def test_readers_of_an_alert_may_not_change_it(api, request, persona, verb, draft_alert):
    client = api(request.getfixturevalue(persona))
    assert client.post(f"{URL}{draft_alert.pk}/{verb}/").status_code == 403
    assert client.patch(f"{URL}{draft_alert.pk}/", {"title": "Hacked"}, format="json").status_code == 403
    assert Alert.objects.get().status == AlertStatus.DRAFT


@pytest.mark.parametrize("persona", ["other_rightholder", "officer_de"])
@pytest.mark.parametrize("verb", ["publish", "withdraw", "acknowledge"])
def test_outsiders_get_404_on_actions(api, request, persona, verb, published_alert):
    assert api(request.getfixturevalue(persona)).post(f"{URL}{published_alert.pk}/{verb}/").status_code == 404


def test_a_draft_is_edited_but_a_published_alert_is_not(api, acme_editor, draft_alert):
    client = api(acme_editor)
    response = client.patch(
        f"{URL}{draft_alert.pk}/", {"title": "Fakes via Marseille", "severity": "critical"}, format="json"
    )
    assert response.status_code == 200 and response.json()["title"] == "Fakes via Marseille"
    assert response.json()["severity"] == "critical" and response.json()["target_countries"] == ["FR"]
    bad = client.patch(f"{URL}{draft_alert.pk}/", {"target_countries": ["DE"]}, format="json")
    assert bad.status_code == 400 and "target_countries" in bad.json()
    client.post(f"{URL}{draft_alert.pk}/publish/")
    again = client.patch(f"{URL}{draft_alert.pk}/", {"title": "Too late"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert client.post(f"{URL}{draft_alert.pk}/publish/").status_code == 400


# --------------------------------------------------------------------------- acknowledgements


def test_officers_acknowledge_once_and_the_owner_sees_counts_per_country(
    api, officer_fr, coordinator_fr, acme_viewer, published_alert
):
    first = api(officer_fr).post(f"{URL}{published_alert.pk}/acknowledge/")
    assert first.status_code == 200 and first.json()["acknowledged"] is True
    assert api(officer_fr).post(f"{URL}{published_alert.pk}/acknowledge/").status_code == 200
    api(coordinator_fr).post(f"{URL}{published_alert.pk}/acknowledge/")
    assert AlertAcknowledgement.objects.count() == 2
    owner_view = api(acme_viewer).get(f"{URL}{published_alert.pk}/").json()
    assert owner_view["acknowledgements"] == {"FR": 2} and owner_view["acknowledged"] is None
    listed = api(acme_viewer).get(URL).json()["results"][0]
    assert listed["acknowledgements"] == {"FR": 2}


@pytest.mark.parametrize("persona", ["acme_editor", "platform_admin"])
def test_only_officers_acknowledge(api, request, persona, published_alert):
    assert api(request.getfixturevalue(persona)).post(f"{URL}{published_alert.pk}/acknowledge/").status_code == 403


def test_a_draft_cannot_be_acknowledged_even_by_id(api, officer_fr, draft_alert):
    assert api(officer_fr).post(f"{URL}{draft_alert.pk}/acknowledge/").status_code == 404


def test_ids_that_are_not_numbers_are_404(api, acme_editor):
    assert api(acme_editor).get(f"{URL}abc/").status_code == 404
    assert api(acme_editor).get(f"{URL}?status=nonsense").status_code == 400


# --------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("persona", ["acme_editor", "officer_fr"])
def test_the_list_costs_the_same_for_1_or_20_alerts(
    api, request, persona, acme_editor, brand_fr, product_fr, officer_fr, django_assert_max_num_queries
):
    client = api(request.getfixturevalue(persona))
    for i in range(20):
        alert = services.alert_create(
            actor=acme_editor, data=alert_data(brand_fr, title=f"Flow {i}", products=[product_fr.pk])
        )
        services.alert_publish(actor=acme_editor, alert=alert)
        services.alert_acknowledge(actor=officer_fr, alert=alert)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.json()["count"] == 20
