"""Alerts across the enforcement network (issue 13): an alert targets kinds of agency
(`target_agencies`, by default its brand's, never wider) as well as countries; it is seen by, and
told to, exactly the officers and coordinators of a targeted kind whose jurisdiction meets the
target countries; alerts written before the other kinds joined keep targeting customs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Role
from alerts import services
from alerts.models import Alert, AlertAgency, AlertStatus
from brands import services as brand_services
from core.models import Event
from notifications.models import EmailMode, Notification, Preference
from tests.factories import member

from .alerts_fixtures import alert_data, in_days
from .test_alerts_worker import officers, wait_for

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]

URL = "/api/v1/alerts/"
ALL_KINDS = ["customs", "police", "market_surveillance", "anti_fraud", "international"]


def told(alert) -> set[str]:
    return set(Notification.objects.filter(event__data__alert=alert.pk).values_list("recipient__email", flat=True))


def published(actor, brand, capture, **extra) -> Alert:
    """An alert about `brand` written and published by `actor`, its notifications delivered."""
    alert = services.alert_create(actor=actor, data=alert_data(brand, **extra))
    with capture(execute=True):
        services.alert_publish(actor=actor, alert=alert)
    return alert


@pytest.fixture
def brand_customs_only(acme_editor):
    """Shared with customs only, in every country: as every brand that existed before issue 13."""
    return brand_services.brand_create(
        actor=acme_editor, data={"name": "Lumina Classic", "visibility": {"all": True, "agencies": ["customs"]}}
    )


@pytest.fixture
def brand_police_fr(acme_editor):
    return brand_services.brand_create(
        actor=acme_editor,
        data={"name": "Lumina Street", "visibility": {"all": False, "countries": ["FR"], "agencies": ["police"]}},
    )


# --------------------------------------------------------------------------- who is told


@pytest.mark.django_db
def test_an_alert_to_the_french_police_reaches_its_officer_and_coordinator_only(
    acme_editor,
    brand_all,
    police_officer_fr,
    police_coordinator_fr,
    officer_fr,
    coordinator_fr,
    market_officer_de,
    international_officer,
    django_capture_on_commit_callbacks,
):
    alert = published(
        acme_editor,
        brand_all,
        django_capture_on_commit_callbacks,
        target_countries=["FR", "DE"],
        target_agencies=["police"],
    )
    assert told(alert) == {police_officer_fr.email, police_coordinator_fr.email}


@pytest.mark.django_db
def test_an_alert_to_german_market_surveillance_skips_the_french_police(
    acme_editor, brand_all, police_officer_fr, market_officer_de, officer_de, django_capture_on_commit_callbacks
):
    alert = published(
        acme_editor,
        brand_all,
        django_capture_on_commit_callbacks,
        target_countries=["FR", "DE"],
        target_agencies=["market_surveillance"],
    )
    assert told(alert) == {market_officer_de.email}


@pytest.mark.django_db
def test_an_international_body_is_told_when_one_of_its_countries_is_targeted(
    acme_editor,
    brand_all,
    international_officer,
    international_officer_it,
    officer_fr,
    police_officer_fr,
    django_capture_on_commit_callbacks,
):
    alert = published(
        acme_editor,
        brand_all,
        django_capture_on_commit_callbacks,
        target_countries=["FR"],
        target_agencies=["international"],
    )
    assert told(alert) == {international_officer.email}


@pytest.mark.django_db
def test_an_international_body_is_not_told_of_an_alert_to_another_kind(
    acme_editor, brand_all, international_officer, police_officer_fr, django_capture_on_commit_callbacks
):
    alert = published(
        acme_editor, brand_all, django_capture_on_commit_callbacks, target_countries=["FR"], target_agencies=["police"]
    )
    assert told(alert) == {police_officer_fr.email}


@pytest.mark.django_db
def test_by_default_an_alert_reaches_every_kind_its_brand_is_shared_with(
    acme_editor,
    brand_all,
    officer_fr,
    police_officer_fr,
    international_officer,
    international_officer_it,
    market_officer_de,
    django_capture_on_commit_callbacks,
):
    alert = published(acme_editor, brand_all, django_capture_on_commit_callbacks, target_countries=["FR"])
    assert alert.target_agencies == ALL_KINDS
    assert told(alert) == {officer_fr.email, police_officer_fr.email, international_officer.email}


@pytest.mark.django_db
def test_a_customs_only_brand_alerts_customs_only(
    acme_editor,
    brand_customs_only,
    officer_fr,
    police_officer_fr,
    international_officer,
    django_capture_on_commit_callbacks,
):
    alert = published(acme_editor, brand_customs_only, django_capture_on_commit_callbacks, target_countries=["FR"])
    assert alert.target_agencies == ["customs"]
    assert told(alert) == {officer_fr.email}


# --------------------------------------------------------------------------- who sees it


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("police_officer_fr", True),
        ("police_coordinator_fr", True),
        ("officer_fr", False),
        ("coordinator_fr", False),
        ("market_officer_de", False),
        ("international_officer", False),
        ("acme_viewer", True),
        ("other_rightholder", False),
    ],
)
def test_an_alert_to_the_french_police_is_seen_by_them_alone(api, request, persona, sees, acme_editor, brand_all):
    alert = services.alert_create(
        actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"], target_agencies=["police"])
    )
    services.alert_publish(actor=acme_editor, alert=alert)
    client = api(request.getfixturevalue(persona))
    detail = client.get(f"{URL}{alert.pk}/")
    assert detail.status_code == (200 if sees else 404)
    assert [row["id"] for row in client.get(URL).json()["results"]] == ([alert.pk] if sees else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "sees"), [("international_officer", True), ("international_officer_it", False)])
def test_an_international_officer_sees_an_alert_to_international_bodies_in_its_jurisdiction(
    api, request, persona, sees, acme_editor, brand_all
):
    alert = services.alert_create(
        actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"], target_agencies=["international"])
    )
    services.alert_publish(actor=acme_editor, alert=alert)
    client = api(request.getfixturevalue(persona))
    assert client.get(f"{URL}{alert.pk}/").status_code == (200 if sees else 404)
    assert client.get(URL).json()["count"] == (1 if sees else 0)
    assert client.post(f"{URL}{alert.pk}/acknowledge/").status_code == (200 if sees else 404)


@pytest.mark.django_db
def test_a_targeted_police_officer_reads_and_acknowledges_in_the_browser(
    client_for, acme_editor, brand_police_fr, police_officer_fr, officer_fr
):
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_police_fr, target_agencies=["police"]))
    services.alert_publish(actor=acme_editor, alert=alert)
    client = client_for("police_officer_fr")
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert alert.title in page and "<dd>Police</dd>" in page
    assert alert.title in client.get("/alerts/").content.decode()
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 302
    customs = client_for("officer_fr")
    assert customs.get(f"/alerts/{alert.pk}/").status_code == 404
    assert alert.title not in customs.get("/alerts/").content.decode()


# --------------------------------------------------------------------------- the API's field


@pytest.mark.django_db
def test_target_agencies_default_to_the_brands_and_read_back(api, acme_editor, brand_customs_only, brand_all):
    client = api(acme_editor)
    customs_only = client.post(URL, alert_data(brand_customs_only), format="json")
    everyone = client.post(URL, alert_data(brand_all), format="json")
    chosen = client.post(URL, alert_data(brand_all, target_agencies=["police", "customs"]), format="json")
    assert customs_only.status_code == everyone.status_code == chosen.status_code == 201
    assert customs_only.json()["target_agencies"] == ["customs"]
    assert everyone.json()["target_agencies"] == ALL_KINDS
    assert chosen.json()["target_agencies"] == ["customs", "police"]
    assert client.get(f"{URL}{chosen.json()['id']}/").json()["target_agencies"] == ["customs", "police"]


@pytest.mark.django_db
@pytest.mark.parametrize("agencies", [["police"], ["customs", "international"]])
def test_target_agencies_wider_than_the_brands_are_a_400(api, acme_editor, brand_customs_only, agencies):
    response = api(acme_editor).post(URL, alert_data(brand_customs_only, target_agencies=agencies), format="json")
    assert response.status_code == 400 and "target_agencies" in response.json()
    assert not Alert.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("agencies", [[], ["coastguard"], ["customs", 7], "customs"])
def test_empty_or_unknown_target_agencies_are_a_400(api, acme_editor, brand_all, agencies):
    response = api(acme_editor).post(URL, alert_data(brand_all, target_agencies=agencies), format="json")
    assert response.status_code == 400 and "target_agencies" in response.json()
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_target_countries_still_lie_within_the_brands(api, acme_editor, brand_police_fr):
    response = api(acme_editor).post(
        URL, alert_data(brand_police_fr, target_countries=["DE"], target_agencies=["police"]), format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["target_countries"]


@pytest.mark.django_db
def test_a_draft_changes_its_agencies_within_the_brands(api, acme_editor, brand_police_fr, brand_all):
    client = api(acme_editor)
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all))
    narrowed = client.patch(f"{URL}{alert.pk}/", {"target_agencies": ["anti_fraud"]}, format="json")
    assert narrowed.status_code == 200 and narrowed.json()["target_agencies"] == ["anti_fraud"]
    # A change that leaves the agencies out keeps them.
    assert client.patch(f"{URL}{alert.pk}/", {"title": "New"}, format="json").json()["target_agencies"] == [
        "anti_fraud"
    ]
    police = services.alert_create(actor=acme_editor, data=alert_data(brand_police_fr))
    wider = client.patch(f"{URL}{police.pk}/", {"target_agencies": ["police", "customs"]}, format="json")
    assert wider.status_code == 400 and "target_agencies" in wider.json()
    assert Alert.objects.get(pk=police.pk).target_agencies == ["police"]


@pytest.mark.django_db
def test_publishing_after_the_brand_narrowed_its_agencies_is_a_400(api, acme_editor, brand_all):
    alert = services.alert_create(actor=acme_editor, data=alert_data(brand_all, target_agencies=["police"]))
    brand_services.brand_update(
        actor=acme_editor, brand=brand_all, data={"visibility": {"all": True, "agencies": ["customs"]}}
    )
    response = api(acme_editor).post(f"{URL}{alert.pk}/publish/")
    assert response.status_code == 400 and "target_agencies" in response.json()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.DRAFT


# --------------------------------------------------------------------------- the form


def _ticked(page: str) -> set[str]:
    boxes = re.findall(r'<input type="checkbox" name="target_agencies" value="([a-z_]+)"[^>]*>', page)
    checked = re.findall(r'<input type="checkbox" name="target_agencies" value="([a-z_]+)"[^>]*checked[^>]*>', page)
    assert set(checked) <= set(boxes)
    return set(checked)


def _offered(page: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="target_agencies" value="([a-z_]+)"', page))


def form_data(brand, **extra) -> dict:
    return {
        "brand": brand.pk,
        "title": "Fakes on the Paris markets",
        "severity": "high",
        "target_countries": ["FR"],
        "valid_until": in_days(10).isoformat(),
        **extra,
    }


@pytest.mark.django_db
def test_the_form_offers_the_brands_agencies_all_ticked(client_for, brand_customs_only, brand_all):
    client = client_for("acme_editor")
    page = client.get(f"/alerts/new/?brand={brand_all.pk}").content.decode()
    assert _offered(page) == _ticked(page) == set(ALL_KINDS)
    page = client.get(f"/alerts/new/?brand={brand_customs_only.pk}").content.decode()
    assert _offered(page) == _ticked(page) == {"customs"}


@pytest.mark.django_db
def test_the_form_sends_the_agencies_ticked(client_for, brand_all):
    client = client_for("acme_editor")
    response = client.post("/alerts/new/", form_data(brand_all, target_agencies=["", "police", "anti_fraud"]))
    alert = Alert.objects.get()
    assert response.status_code == 302 and alert.target_agencies == ["police", "anti_fraud"]
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Police, Anti-fraud agency" in page
    edit = client.get(f"/alerts/{alert.pk}/edit/").content.decode()
    assert _ticked(edit) == {"police", "anti_fraud"} and _offered(edit) == set(ALL_KINDS)
    client.post(f"/alerts/{alert.pk}/edit/", form_data(brand_all, target_agencies=["", "customs"]))
    assert Alert.objects.get().target_agencies == ["customs"]


@pytest.mark.django_db
def test_the_form_refuses_no_agency_and_one_the_brand_is_not_shared_with(client_for, brand_customs_only):
    client = client_for("acme_editor")
    none = client.post("/alerts/new/", form_data(brand_customs_only, target_agencies=[""]))
    assert none.status_code == 400 and "Tick at least one kind of agency." in none.content.decode()
    wider = client.post("/alerts/new/", form_data(brand_customs_only, target_agencies=["", "customs", "police"]))
    assert wider.status_code == 400
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_form_sent_before_the_brand_was_chosen_targets_the_brands_agencies(client_for, brand_customs_only):
    client = client_for("acme_editor")
    assert "target_agencies" not in client.get("/alerts/new/").content.decode()
    response = client.post("/alerts/new/", form_data(brand_customs_only))
    assert response.status_code == 302 and Alert.objects.get().target_agencies == ["customs"]


# --------------------------------------------------------------------------- existing alerts


@pytest.mark.django_db(transaction=True)
def test_alerts_written_before_the_other_kinds_joined_keep_targeting_customs(acme_editor, brand_all):
    executor = MigrationExecutor(connection)
    executor.migrate([("alerts", "0002_case_procedure")])
    try:
        # The alerts table is the same before and after: only the targeted agencies are new.
        old = Alert.objects.create(brand=brand_all, title="Before issue 13", valid_until=in_days(5))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(AlertAgency.objects.filter(alert=old).values_list("kind", flat=True)) == ["customs"]
    assert Alert.objects.get(pk=old.pk).target_agencies == ["customs"]


# --------------------------------------------------------------------------- a real worker


@pytest.mark.celery_worker
def test_a_real_worker_tells_exactly_the_targeted_kinds_and_countries(
    celery_worker,
    acme_editor,
    brand_all,
    customs_fr,
    police_fr,
    market_de,
    international_eu,
    international_it,
):
    celery_worker()
    police = officers(police_fr, 40)
    coordinator = member(police_fr, Role.COORDINATOR, email="chef@police.example")
    Preference.objects.create(user=coordinator, email=EmailMode.OFF)
    customs, market = officers(customs_fr, 30), officers(market_de, 10)
    europe, italy = officers(international_eu, 5), officers(international_it, 5)
    to_police = services.alert_create(
        actor=acme_editor, data=alert_data(brand_all, target_countries=["FR", "DE"], target_agencies=["police"])
    )
    to_bodies = services.alert_create(
        actor=acme_editor, data=alert_data(brand_all, target_countries=["FR"], target_agencies=["international"])
    )

    for alert in (to_police, to_bodies):
        services.alert_publish(actor=acme_editor, alert=alert)

    events = Event.objects.filter(kind="alert.published")
    assert events.count() == 2
    assert wait_for(lambda: not events.filter(completed_at__isnull=True).exists()), "the fan-out did not finish"
    for alert, expected in ((to_police, [*police, coordinator]), (to_bodies, europe)):
        rows = list(Notification.objects.filter(event__data__alert=alert.pk).values_list("recipient_id", flat=True))
        assert len(rows) == len(set(rows)) == len(expected)
        assert set(rows) == {person.pk for person in expected}
    assert not Notification.objects.filter(recipient__in=[*customs, *market, *italy]).exists()
