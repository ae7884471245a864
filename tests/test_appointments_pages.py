"""The appointment pages: a right holder's "Representatives" (appoint with the firms a search
narrows, the list with statuses, withdraw or end) and a representative's "Clients" (accept or
decline what waits, the clients it acts for with each person's role, end); who opens which page;
the links in the navigation. And a representative registering, approved with its founder as
admin, whose joiners start as viewers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Appointment, AppointmentStatus, Organization, OrganizationKind, Role, Status, User
from accounts.services import organization_approve
from tests.factories import PASSWORD, OrganizationFactory

from .alerts_fixtures import BACKEND

pytest_plugins = ["tests.appointments_fixtures"]
pytestmark = pytest.mark.django_db

REPRESENTATIVES = "/accounts/representatives/"
CLIENTS = "/accounts/clients/"


@pytest.fixture
def signed_in(client, request):
    def make(persona: str):
        client.force_login(request.getfixturevalue(persona), backend=BACKEND)
        return client

    return make


# --------------------------------------------------------------------------- who opens which page


@pytest.mark.parametrize(
    ("persona", "representatives", "clients"),
    [
        ("acme_admin", 200, 404),
        ("acme_editor", 200, 404),
        ("acme_viewer", 200, 404),
        ("firm_admin", 404, 200),
        ("firm_editor", 404, 200),
        ("firm_viewer", 404, 200),
        ("officer_fr", 403, 403),
        ("coordinator_fr", 403, 403),
        ("platform_admin", 403, 403),
    ],
)
def test_who_opens_which_page(signed_in, persona, representatives, clients):
    client = signed_in(persona)
    assert client.get(REPRESENTATIVES).status_code == representatives
    assert client.get(CLIENTS).status_code == clients
    side = client.get("/accounts/appointments/")
    if representatives == 200:
        assert side.status_code == 302 and side["Location"] == REPRESENTATIVES
    elif clients == 200:
        assert side.status_code == 302 and side["Location"] == CLIENTS
    else:
        assert side.status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    for path in (REPRESENTATIVES, CLIENTS, "/accounts/appointments/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_links_each_side_to_its_page(signed_in):
    page = signed_in("acme_viewer").get("/").content.decode()
    assert f'href="{REPRESENTATIVES}"' in page and f'href="{CLIENTS}"' not in page
    page = signed_in("firm_viewer").get("/").content.decode()
    assert f'href="{CLIENTS}"' in page and f'href="{REPRESENTATIVES}"' not in page
    page = signed_in("officer_fr").get("/").content.decode()
    assert f'href="{CLIENTS}"' not in page and f'href="{REPRESENTATIVES}"' not in page


# --------------------------------------------------------------------------- the right holder's side


def test_an_admin_appoints_from_the_page(signed_in, firm, other_firm, pending_firm, acme_admin):
    client = signed_in("acme_admin")
    page = client.get(REPRESENTATIVES).content.decode()
    # The approved firms only, narrowed by a search.
    assert "Lex &amp; Partners" in page and "Northwind Agents" in page and "Pending Counsel" not in page
    searched = client.get(REPRESENTATIVES, {"q": "north"}).content.decode()
    assert "Northwind Agents" in searched and "Lex &amp; Partners" not in searched
    response = client.post(REPRESENTATIVES, {"representative": firm.pk, "countries": ["FR", "ES"], "role": "viewer"})
    assert response.status_code == 302 and response["Location"] == REPRESENTATIVES
    appointment = Appointment.objects.get()
    assert appointment.right_holder == acme_admin.organization and appointment.representative == firm
    assert appointment.countries == ["ES", "FR"] and appointment.role == "viewer"
    page = client.get(REPRESENTATIVES).content.decode()
    assert "Awaiting acceptance" in page and "Withdraw" in page


def test_the_pages_refusals_show_on_the_form_with_nothing_written(signed_in, firm, pending_firm):
    client = signed_in("acme_admin")
    no_country = client.post(REPRESENTATIVES, {"representative": firm.pk, "role": "editor"})
    assert no_country.status_code == 200
    assert "Give at least one country" in no_country.content.decode()
    pending = client.post(
        REPRESENTATIVES, {"representative": pending_firm.pk, "all_countries": "on", "role": "editor"}
    )
    assert pending.status_code == 200 and "Choose an approved representative" in pending.content.decode()
    assert not Appointment.objects.exists()


def test_an_editor_or_viewer_reads_the_list_without_the_form(signed_in, appoint):
    appoint()
    for persona in ("acme_editor", "acme_viewer"):
        client = signed_in(persona)
        page = client.get(REPRESENTATIVES).content.decode()
        assert "Lex &amp; Partners" in page and "Appoint a representative" not in page and "Withdraw" not in page
        assert client.post(REPRESENTATIVES, {"representative": 1, "role": "editor"}).status_code == 403


def test_an_admin_ends_an_appointment_from_the_page(signed_in, appoint, firm_admin):
    appointment = appoint(accept=firm_admin)
    client = signed_in("acme_admin")
    assert "End the appointment" in client.get(REPRESENTATIVES).content.decode()
    response = client.post(f"/accounts/appointments/{appointment.pk}/end/")
    assert response.status_code == 302 and response["Location"] == REPRESENTATIVES
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ENDED
    again = client.post(f"/accounts/appointments/{appointment.pk}/end/", follow=True)
    assert "already ended" in again.content.decode()


# --------------------------------------------------------------------------- the firm's side


def test_the_firms_admin_accepts_and_sees_the_client(signed_in, appoint):
    appointment = appoint(countries=["FR", "ES"], role="editor")
    client = signed_in("firm_admin")
    page = client.get(CLIENTS).content.decode()
    assert "Acme Watches" in page and "Accept" in page and "Decline" in page
    response = client.post(f"/accounts/appointments/{appointment.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == CLIENTS
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ACTIVE
    page = client.get(CLIENTS).content.decode()
    assert "No appointment awaits acceptance" in page
    assert "France" in page and "Spain" in page and "End the appointment" in page


def test_a_firm_viewer_reads_its_clients_with_its_own_role_and_acts_on_nothing(signed_in, appoint, firm_admin):
    waiting = appoint(actor=None, role="editor")
    client = signed_in("firm_viewer")
    page = client.get(CLIENTS).content.decode()
    assert "Acme Watches" in page and "Accept" not in page
    assert client.post(f"/accounts/appointments/{waiting.pk}/accept/").status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == AppointmentStatus.REQUESTED
    Appointment.objects.filter(pk=waiting.pk).update(status=AppointmentStatus.ACTIVE)
    page = client.get(CLIENTS).content.decode()
    assert "Your role for this client" in page and "End the appointment" not in page


def test_another_organizations_appointment_is_a_404(signed_in, appoint, other_rightholder, other_firm):
    theirs = appoint(actor=other_rightholder, representative=other_firm)
    for persona in ("firm_admin", "acme_admin"):
        client = signed_in(persona)
        assert client.post(f"/accounts/appointments/{theirs.pk}/accept/").status_code == 404
        assert client.post(f"/accounts/appointments/{theirs.pk}/end/").status_code == 404
    assert signed_in("acme_admin").post(f"/accounts/appointments/{theirs.pk}/unknown/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.REQUESTED


@pytest.mark.parametrize(("persona", "path"), [("firm_admin", CLIENTS), ("acme_admin", REPRESENTATIVES)])
def test_the_lists_take_a_bounded_number_of_queries(
    signed_in, request, firm, acme, persona, path, django_assert_max_num_queries
):
    """Clients: one firm appointed by more and more right holders. Representatives: one right
    holder appointing more and more firms."""
    counts = []
    for how_many in (1, 8):
        while Appointment.objects.count() < how_many:
            if path == CLIENTS:
                pair = {"right_holder": OrganizationFactory(), "representative": firm}
            else:
                pair = {
                    "right_holder": acme,
                    "representative": OrganizationFactory(kind=OrganizationKind.REPRESENTATIVE),
                }
            Appointment.objects.create(**pair, countries=["FR"], role="editor")
        client = signed_in(persona)
        client.get(path)  # the session's first page is counted apart
        with django_assert_max_num_queries(30) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


# --------------------------------------------------------------------------- registering a firm


def test_a_firm_registers_and_its_founder_becomes_its_admin(anonymous, api, platform_admin):
    data = {
        "email": "founder@counsel.example",
        "password": PASSWORD,
        "full_name": "Founder",
        "organization": {"kind": "representative", "name": "Counsel & Co", "country": "ES"},
    }
    response = anonymous.post("/api/v1/auth/register/", data, format="json")
    assert response.status_code == 201, response.content
    organization = Organization.objects.get(name="Counsel & Co")
    assert organization.kind == OrganizationKind.REPRESENTATIVE and organization.status == Status.PENDING
    organization_approve(actor=platform_admin, organization=organization)
    founder = User.objects.get(email="founder@counsel.example")
    assert founder.status == Status.APPROVED and founder.role == Role.ADMIN
    joiner = anonymous.post(
        "/api/v1/auth/register/", {**data, "email": "joiner@counsel.example", "full_name": "Joiner"}, format="json"
    )
    assert joiner.status_code == 201
    person = User.objects.get(email="joiner@counsel.example")
    assert person.organization == organization and person.role == Role.VIEWER and person.status == Status.PENDING
    # The firm's admin approves the joiner (their own member) and may make them an editor.
    approved = api(founder).post(f"/api/v1/admin/users/{person.pk}/approve/", {"role": "editor"}, format="json")
    assert approved.status_code == 200, approved.content
    person.refresh_from_db()
    assert person.status == Status.APPROVED and person.role == Role.EDITOR
    # A firm's role is one of a right holder's; never a coordinator's.
    refused = api(founder).patch(f"/api/v1/admin/users/{person.pk}/", {"role": "coordinator"}, format="json")
    assert refused.status_code == 400 and "role" in refused.json()


def test_a_firm_admin_never_manages_a_clients_members(api, appoint, firm_admin, acme_viewer):
    appoint(accept=firm_admin)
    client = api(firm_admin)
    assert client.get(f"/api/v1/admin/users/{acme_viewer.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/admin/users/{acme_viewer.pk}/suspend/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert acme_viewer.email not in str(client.get("/api/v1/admin/users/").json())


def test_the_registration_page_offers_the_representative_kind(client):
    page = client.get(reverse("accounts:register")).content.decode()
    assert 'value="representative"' in page
