"""A representative's scope, before any rule reads appointments: the firm's members reach their
own organization's pages (members, appointments, inbox, account) and NOTHING of anyone's
catalogue, guides, alerts, cases, applications or search, not even a client that appointed the
firm. Every scoped model's every rule is asked (fail closed: a rule returns none() for a reach it
does not name)."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import Appointment, Role, User
from core.permissions import allowed
from core.scope import REPRESENTATIVE, ScopedQuerySet, scope_of
from search.scope_tags import scope_filter
from tests.factories import member

from .alerts_fixtures import BACKEND

pytest_plugins = [
    "tests.brand_fixtures",
    "tests.alerts_fixtures",
    "tests.test_guides_web_support",
    "tests.appointments_fixtures",
]
pytestmark = pytest.mark.django_db

FIRM_MEMBERS = ["firm_admin", "firm_editor", "firm_viewer"]
# What a representative's scope does reach today: its own appointments, the firm's own jobs,
# the person's own inbox, and (its admins) the firm's own members.
OWN_ROWS = {
    (Appointment, "view"),
    (Appointment, "accept"),
    (Appointment, "end"),
    (apps.get_model("jobs", "Job"), "view"),
    (apps.get_model("notifications", "Notification"), "view"),
    (User, "moderate"),
}


@pytest.fixture
def client_of_the_firm(
    appoint, firm_admin, brand_fr, brand_all, product_fr, published_guide, published_alert, case_fr
):
    """Acme appointed Lex & Partners in every country as editor, and it accepted: Acme's brands,
    product, guide, alert and case exist."""
    return appoint(all_countries=True, role="editor", accept=firm_admin)


def test_a_representatives_members_have_a_reach_of_their_own(firm_admin, firm_editor, firm_viewer, firm):
    for person, role in ((firm_admin, Role.ADMIN), (firm_editor, Role.EDITOR), (firm_viewer, Role.VIEWER)):
        scope = scope_of(person)
        assert scope.reach == REPRESENTATIVE and scope.is_representative
        assert scope.organization_id == firm.pk and scope.kind == "representative" and scope.role == role
        assert scope.jurisdiction == ("FR",)
        assert not (scope.is_owner or scope.is_enforcement or scope.is_platform or scope.is_nobody)
        assert not scope.writes and not scope.administers
        assert scope_filter(scope) is None  # the search engine lets nothing through
    assert scope_of(firm_admin).approves and not scope_of(firm_editor).approves


def _scoped_rules():
    for model in apps.get_models():
        rows = model._default_manager.all()
        if not isinstance(rows, ScopedQuerySet):
            continue
        for name, _member in inspect.getmembers(type(rows), inspect.isfunction):
            if name.startswith("scope_"):
                yield model, name.removeprefix("scope_")


def test_the_rules_are_found():
    rules = set(_scoped_rules())
    assert {(apps.get_model("brands", "Brand"), "view"), (Appointment, "end")} <= rules
    assert len(rules) > 25


@pytest.mark.parametrize("persona", FIRM_MEMBERS)
def test_every_rule_gives_a_representative_nothing_but_its_own(request, client_of_the_firm, firm, persona):
    person = request.getfixturevalue(persona)
    assert apps.get_model("brands", "Brand").objects.exists()  # there is something to leak
    for model, action in _scoped_rules():
        rows = model._default_manager.all().restrict(person, action)
        if (model, action) not in OWN_ROWS:
            assert not rows.exists(), (model.__name__, action)
        elif model is Appointment:
            assert set(rows.values_list("representative_id", flat=True)) <= {firm.pk}
        elif model is User:
            assert set(rows.values_list("membership__organization_id", flat=True)) <= {firm.pk}
        elif hasattr(model, "recipient"):
            assert set(rows.values_list("recipient_id", flat=True)) <= {person.pk}
        else:
            assert set(rows.values_list("organization_id", flat=True)) <= {firm.pk}


def test_a_firm_admin_moderates_the_firms_members_only(client_of_the_firm, firm_admin, firm_editor, acme_viewer):
    people = User.objects.restrict(firm_admin, "moderate")
    assert firm_editor in people and acme_viewer not in people
    assert not User.objects.restrict(firm_editor, "moderate").exists()


@pytest.mark.parametrize("persona", FIRM_MEMBERS)
def test_the_api_shows_a_representative_nothing_of_its_client(
    api, request, client_of_the_firm, brand_fr, product_fr, published_guide, published_alert, case_fr, persona
):
    client = api(request.getfixturevalue(persona))
    for path in (
        "/api/v1/brands/",
        "/api/v1/products/",
        "/api/v1/guides/",
        "/api/v1/alerts/",
        "/api/v1/cases/",
        "/api/v1/applications/",
        "/api/v1/search/?q=Lumina",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.json()["count"] == 0, path
    for path in (
        f"/api/v1/brands/{brand_fr.pk}/",
        f"/api/v1/brands/{brand_fr.pk}/trademarks/",
        f"/api/v1/products/{product_fr.pk}/",
        f"/api/v1/guides/{published_guide.pk}/",
        f"/api/v1/alerts/{published_alert.pk}/",
        f"/api/v1/cases/{case_fr.pk}/",
        "/api/v1/products/lookup/?gtin=4006381333931",
    ):
        assert client.get(path).status_code == 404, path
    assert client.patch(f"/api/v1/brands/{brand_fr.pk}/", {"name": "Taken"}, format="json").status_code == 404
    respond = client.post(f"/api/v1/cases/{case_fr.pk}/respond/", {"verdict": "genuine"}, format="json")
    assert respond.status_code == 404
    assert client.post("/api/v1/brands/", {"name": "Mine now"}, format="json").status_code == 403
    brand_fr.refresh_from_db()
    assert brand_fr.name == "Lumina Secret"


def test_the_search_engine_shows_a_representative_nothing(
    api, search_engine, firm_viewer, client_of_the_firm, acme_editor
):
    from brands import services

    services.brand_create(actor=acme_editor, data={"name": "Lumina Engine"})
    assert api(acme_editor).get("/api/v1/search/?q=Lumina").json()["count"] > 0
    assert api(firm_viewer).get("/api/v1/search/?q=Lumina").json()["count"] == 0


@pytest.mark.parametrize("persona", FIRM_MEMBERS)
def test_the_pages_show_a_representative_nothing_of_its_client(
    client, request, client_of_the_firm, brand_fr, product_fr, published_guide, published_alert, case_fr, persona
):
    client.force_login(request.getfixturevalue(persona), backend=BACKEND)
    for name, args in (
        ("brands:brand_detail", [brand_fr.pk]),
        ("guides:detail", [published_guide.pk]),
        ("alerts:detail", [published_alert.pk]),
        ("cases:detail", [case_fr.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    # The lists: empty, or refused by the role table (alerts and cases name who they are for).
    for name, status in (("brands:catalogue", 200), ("guides:list", 200), ("alerts:list", 403), ("cases:list", 403)):
        page = client.get(reverse(name))
        assert page.status_code == status, name
        assert "Lumina" not in page.content.decode(), name
    home = client.get("/")
    assert home.status_code == 200 and "Lumina" not in home.content.decode()


def test_the_firms_own_pages_work(client, firm_admin, firm_viewer, appoint):
    appoint()
    client.force_login(firm_admin, backend=BACKEND)
    for path in ("/", "/accounts/me/", "/accounts/members/", "/accounts/clients/", reverse("notifications:inbox")):
        assert client.get(path).status_code == 200, path
    client.force_login(firm_viewer, backend=BACKEND)
    assert client.get("/accounts/members/").status_code == 403
    assert client.get("/accounts/clients/").status_code == 200


def test_two_factor_is_required_of_firm_admins_as_of_coordinators(firm_admin, firm_editor, firm_viewer):
    assert not allowed(firm_admin, "accounts.go_without_two_factor")
    assert allowed(firm_editor, "accounts.go_without_two_factor")
    assert allowed(firm_viewer, "accounts.go_without_two_factor")


def test_a_suspended_or_pending_firm_reaches_nothing(firm, firm_admin, appoint):
    appoint()
    pending = member(firm, Role.VIEWER, status="pending")
    assert scope_of(pending).is_nobody
    assert not Appointment.objects.restrict(pending, "view").exists()
    firm.status = "suspended"
    firm.save(update_fields=["status"])
    firm_admin.refresh_from_db()
    assert scope_of(firm_admin).is_nobody
    assert not Appointment.objects.restrict(firm_admin, "view").exists()
