"""The alerts' and cases' pages, API and services answer as their role table does
(alerts/permissions.py; the table itself is checked in tests/test_permission_tables.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from alerts import services
from alerts.models import Alert, Case
from core.permissions import allowed

from .alerts_fixtures import alert_data, case_data
from .permission_fixtures import PERSONAS

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.permission_fixtures"]
pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- who asks the table


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_services_draft_and_open_as_the_table_says(request, persona, brand_all):
    user = request.getfixturevalue(persona)
    if persona == "other_rightholder":
        # They may draft alerts, but about a brand of their own: refused as bad input, not a 403.
        with pytest.raises(ValidationError, match="brand"):
            services.alert_create(actor=user, data=alert_data(brand_all))
    elif allowed(user, "alerts.draft"):
        assert services.alert_create(actor=user, data=alert_data(brand_all)).pk
    else:
        with pytest.raises(PermissionDenied, match="draft alerts"):
            services.alert_create(actor=user, data=alert_data(brand_all))
    if allowed(user, "cases.open"):
        assert services.case_open(actor=user, data=case_data(brand_all)).pk
    else:
        with pytest.raises(PermissionDenied, match="open cases"):
            services.case_open(actor=user, data=case_data(brand_all))


@pytest.mark.parametrize("person", ["pending editor", "suspended officer", "officer of a suspended organization"])
def test_the_services_refuse_anyone_without_access(without_access, person, brand_all):
    with pytest.raises(PermissionDenied):
        services.alert_create(actor=without_access[person], data=alert_data(brand_all))
    with pytest.raises(PermissionDenied):
        services.case_open(actor=without_access[person], data=case_data(brand_all))
    assert not Alert.objects.exists() and not Case.objects.exists()


def test_only_officers_acknowledge(acme_editor, platform_admin, officer_fr, published_alert):
    for user in (acme_editor, platform_admin):
        with pytest.raises(PermissionDenied, match="acknowledge"):
            services.alert_acknowledge(actor=user, alert=published_alert)
    assert services.alert_acknowledge(actor=officer_fr, alert=published_alert).pk


@pytest.mark.parametrize(
    ("persona", "drafts"),
    [("acme_editor", True), ("acme_viewer", False), ("officer_fr", False), ("platform_admin", False)],
)
def test_the_alert_list_offers_a_new_alert_to_writers(client_for, persona, drafts):
    page = client_for(persona).get("/alerts/").content.decode()
    assert ('href="/alerts/new/"' in page) == drafts
    assert ("reported to your country's administration" in page) == (persona == "officer_fr")


@pytest.mark.parametrize(
    ("persona", "filters_status"), [("acme_viewer", True), ("platform_admin", True), ("officer_fr", False)]
)
def test_only_the_sending_side_filters_alerts_by_status(client_for, persona, filters_status):
    page = client_for(persona).get("/alerts/").content.decode()
    assert ('name="status"' in page) == filters_status


@pytest.mark.parametrize(("persona", "opens"), [("officer_fr", True), ("coordinator_fr", True), ("acme_admin", False)])
def test_the_case_list_offers_to_open_a_case_to_officers(client_for, persona, opens):
    page = client_for(persona).get("/cases/").content.decode()
    assert ('href="/cases/open/"' in page) == opens
    assert ("The cases your administration opened" in page) == opens


@pytest.mark.parametrize(("persona", "status"), [("officer_fr", 200), ("acme_editor", 403), ("platform_admin", 403)])
def test_the_open_case_page_asks_the_table(client_for, persona, status):
    assert client_for(persona).get("/cases/open/").status_code == status


# An empty body: refused as bad input (400) for a writer, but the table answers first (403).
@pytest.mark.parametrize(("persona", "status"), [("officer_fr", 403), ("acme_viewer", 403), ("acme_editor", 400)])
def test_the_api_asks_the_table_before_reading_the_body(api, request, persona, status):
    response = api(request.getfixturevalue(persona)).post("/api/v1/alerts/", {}, format="json")
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "Only a right holder's admins and editors can draft alerts."


def test_templates_ask_the_table_by_name(acme_viewer, officer_fr):
    template = Template('{% load permissions %}{% allowed "alerts.acknowledge" as receives %}{{ receives }}')
    for user, expected in ((acme_viewer, "False"), (officer_fr, "True")):
        request = RequestFactory().get("/")
        request.user = user
        assert template.render(Context({"request": request})) == expected
