"""The permission table of the alerts and cases (alerts/permissions.py): for each named
permission, exactly which personas it allows. Nobody without access is ever allowed: anonymous,
a person pending approval, a suspended person, a member of a suspended organization. The pages,
the API, the services and the templates answer as the table does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import OrganizationKind, Role, Status
from alerts import services
from alerts.models import Alert, Case
from core.permissions import allowed, require, table

from .alerts_fixtures import alert_data, case_data
from .factories import OrganizationFactory, member

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db

PERSONAS = (
    "platform_admin",
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "coordinator_fr",
    "officer_fr",
    "coordinator_de",
    "officer_de",
)
EVERYONE = set(PERSONAS)
RIGHT_HOLDER_WRITERS = {"acme_admin", "acme_editor", "other_rightholder"}
RIGHT_HOLDERS = RIGHT_HOLDER_WRITERS | {"acme_viewer"}
ENFORCEMENT = {"coordinator_fr", "officer_fr", "coordinator_de", "officer_de"}

ALLOWED = {
    "alerts.read": EVERYONE,
    "alerts.draft": RIGHT_HOLDER_WRITERS,
    "alerts.track": RIGHT_HOLDERS | {"platform_admin"},
    "alerts.acknowledge": ENFORCEMENT,
    "cases.read": EVERYONE,
    "cases.open": ENFORCEMENT,
}


@pytest.fixture
def without_access(acme, customs_fr):
    """People the table never allows, whatever their organization and role."""
    suspended_organization = OrganizationFactory(
        name="Suspended Customs", kind=OrganizationKind.CUSTOMS, country="BE", status=Status.SUSPENDED
    )
    return {
        "anonymous": AnonymousUser(),
        "pending editor": member(acme, Role.EDITOR, status=Status.PENDING),
        "suspended editor": member(acme, Role.EDITOR, status=Status.SUSPENDED),
        "pending officer": member(customs_fr, Role.OFFICER, status=Status.PENDING),
        "suspended officer": member(customs_fr, Role.OFFICER, status=Status.SUSPENDED),
        "officer of a suspended organization": member(suspended_organization, Role.OFFICER),
    }


def test_the_table_is_registered():
    assert set(ALLOWED) == {name for name in table() if name.startswith(("alerts.", "cases."))}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_exactly_these_personas_are_allowed(request, name):
    got = {persona for persona in PERSONAS if allowed(request.getfixturevalue(persona), name)}
    assert got == ALLOWED[name]


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_nobody_without_access_is_allowed(without_access, name):
    for who, person in without_access.items():
        assert not allowed(person, name), who


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_require_refuses_with_the_tables_message(without_access, name):
    with pytest.raises(PermissionDenied) as error:
        require(without_access["suspended officer"], name)
    assert str(error.value) == str(table()[name].message)


def test_an_unknown_name_is_an_error(acme_editor):
    with pytest.raises(ImproperlyConfigured):
        allowed(acme_editor, "alerts.no_such_thing")
    with pytest.raises(ImproperlyConfigured):
        require(acme_editor, "cases.no_such_thing")


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
