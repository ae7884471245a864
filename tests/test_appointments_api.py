"""Appointments of representatives through the API (DESIGN.md, "Representatives and applications
for action"): who appoints, sees, accepts and ends; one live appointment per pair; bad input is a
400 naming the field with nothing changed; /me/clients/ with each person's effective role; lists
in a bounded number of queries."""

from __future__ import annotations

import pytest

from accounts.models import Appointment, AppointmentStatus, AuditEntry, Role, Status
from core.models import Event
from tests.factories import member
from tests.matrix import UNAUTHENTICATED, Matrix

pytest_plugins = ["tests.appointments_fixtures"]
pytestmark = pytest.mark.django_db

PERSONAS = [
    "platform_admin",
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "coordinator_fr",
    "officer_fr",
    "firm_admin",
    "firm_editor",
    "firm_viewer",
    "other_firm_admin",
]
ACME = {"acme_admin", "acme_editor", "acme_viewer"}
FIRM = {"firm_admin", "firm_editor", "firm_viewer"}
# An appointment of Lex & Partners by Acme: both organizations' members see it; the firm's admin
# accepts; either side's admin ends. Nobody else sees it (the platform's admins included).
ACCEPT = Matrix(readers=ACME | FIRM, writers={"firm_admin"}, anonymous=UNAUTHENTICATED)
END = Matrix(readers=ACME | FIRM, writers={"acme_admin", "firm_admin"}, anonymous=UNAUTHENTICATED)


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def body(firm, **extra):
    return {"representative": firm.pk, "all_countries": False, "countries": ["FR"], "role": "editor", **extra}


# --------------------------------------------------------------------------- appoint


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_right_holders_admin_appoints(api, people, firm, persona):
    response = api(people[persona]).post("/api/v1/appointments/", body(firm), format="json")
    if persona in ("acme_admin", "other_rightholder"):
        assert response.status_code == 201, response.content
        appointment = Appointment.objects.get()
        assert appointment.right_holder == people[persona].organization
        assert appointment.representative == firm and appointment.requested_by == people[persona]
        assert response.json() == {
            "id": appointment.pk,
            "right_holder": {"id": appointment.right_holder_id, "name": appointment.right_holder.name},
            "representative": {"id": firm.pk, "name": "Lex & Partners"},
            "all_countries": False,
            "countries": ["FR"],
            "role": "editor",
            "status": "requested",
        }
    else:
        assert response.status_code == 403, (persona, response.content)
        assert not Appointment.objects.exists()


def test_anonymous_gets_401(anonymous, firm):
    assert anonymous.post("/api/v1/appointments/", body(firm), format="json").status_code == 401
    assert anonymous.get("/api/v1/appointments/").status_code == 401
    assert anonymous.get("/api/v1/me/clients/").status_code == 401


def test_every_country_stores_no_list(api, acme_admin, firm):
    response = api(acme_admin).post(
        "/api/v1/appointments/", body(firm, all_countries=True, countries=["DE"], role="viewer"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["all_countries"] is True and response.json()["countries"] == []
    assert Appointment.objects.get().countries == []


def test_countries_are_stored_sorted_once_in_upper_case(api, acme_admin, firm):
    response = api(acme_admin).post("/api/v1/appointments/", body(firm, countries=["es", "FR", "ES"]), format="json")
    assert response.status_code == 201
    assert response.json()["countries"] == ["ES", "FR"]


def test_one_live_appointment_per_pair(api, acme_admin, firm, firm_admin, other_firm, other_rightholder):
    client = api(acme_admin)
    first = client.post("/api/v1/appointments/", body(firm), format="json").json()["id"]
    again = client.post("/api/v1/appointments/", body(firm, role="viewer"), format="json")
    assert again.status_code == 400 and "representative" in again.json()
    # Still one once accepted.
    assert api(firm_admin).post(f"/api/v1/appointments/{first}/accept/").status_code == 200
    again = client.post("/api/v1/appointments/", body(firm), format="json")
    assert again.status_code == 400 and "representative" in again.json()
    assert Appointment.objects.count() == 1
    # Another firm, or another right holder appointing the same firm: fine.
    assert client.post("/api/v1/appointments/", body(other_firm), format="json").status_code == 201
    assert api(other_rightholder).post("/api/v1/appointments/", body(firm), format="json").status_code == 201
    # Once ended, the pair may start again.
    assert client.post(f"/api/v1/appointments/{first}/end/").status_code == 200
    assert client.post("/api/v1/appointments/", body(firm), format="json").status_code == 201
    assert Appointment.objects.filter(right_holder=acme_admin.organization, representative=firm).count() == 2


# --------------------------------------------------------------------------- bad input

BAD = [
    ({"representative": 99999999}, "representative"),
    ({"representative": "abc"}, "representative"),
    ({"representative": 2**70}, "representative"),
    ({"representative": "pending_firm"}, "representative"),
    ({"representative": "acme"}, "representative"),
    ({"representative": "customs_fr"}, "representative"),
    ({"countries": ["XX"]}, "countries"),
    ({"countries": ["France"]}, "countries"),
    ({"countries": "FR"}, "countries"),
    ({"countries": []}, "countries"),
    ({"countries": None}, "countries"),
    ({"role": "admin"}, "role"),
    ({"role": ""}, "role"),
    ({"role": 5}, "role"),
    ({"role": None}, "role"),
    ({"all_countries": "maybe"}, "all_countries"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_is_a_400_naming_the_field_with_nothing_changed(
    api, request, acme_admin, firm, pending_firm, customs_fr, change, field
):
    data = body(firm)
    for key, value in change.items():
        if isinstance(value, str) and key == "representative" and value != "abc":
            value = request.getfixturevalue(value).pk
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    audit_before = AuditEntry.objects.count()
    response = api(acme_admin).post("/api/v1/appointments/", data, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Appointment.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert not Event.objects.filter(kind__startswith="appointment.").exists()


def test_a_refused_representative_reads_the_same_whatever_the_reason(api, acme_admin, firm, pending_firm, customs_fr):
    answers = {
        api(acme_admin).post("/api/v1/appointments/", body(firm, representative=pk), format="json").content
        for pk in (99999999, pending_firm.pk, customs_fr.pk, acme_admin.organization.pk)
    }
    assert len(answers) == 1


# --------------------------------------------------------------------------- who sees it


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_an_appointment(api, people, appoint, persona):
    appointment = appoint()
    client = api(people[persona])
    detail = client.get(f"/api/v1/appointments/{appointment.pk}/")
    listed = client.get("/api/v1/appointments/")
    assert listed.status_code == 200
    if persona in ACME | FIRM:
        assert detail.status_code == 200
        assert detail.json()["status"] == "requested"
        assert [row["id"] for row in listed.json()["results"]] == [appointment.pk]
    else:
        assert detail.status_code == 404
        assert listed.json()["count"] == 0


def test_each_side_lists_its_own_only(
    api, appoint, acme_admin, firm_admin, other_rightholder, other_firm, other_firm_admin
):
    mine = appoint()
    theirs = appoint(actor=other_rightholder, representative=other_firm)
    assert [row["id"] for row in api(acme_admin).get("/api/v1/appointments/").json()["results"]] == [mine.pk]
    assert [row["id"] for row in api(firm_admin).get("/api/v1/appointments/").json()["results"]] == [mine.pk]
    assert [row["id"] for row in api(other_firm_admin).get("/api/v1/appointments/").json()["results"]] == [theirs.pk]
    filtered = api(acme_admin).get("/api/v1/appointments/?status=active").json()
    assert filtered["count"] == 0


# --------------------------------------------------------------------------- accept and end


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_firms_admin_accepts(api, people, appoint, persona):
    appointment = appoint()
    response = api(people[persona]).post(f"/api/v1/appointments/{appointment.pk}/accept/")
    expected = ACCEPT.status(persona, write=True)
    assert response.status_code == expected, (persona, response.content)
    appointment.refresh_from_db()
    if expected == 200:
        assert response.json()["status"] == "active"
        assert appointment.status == AppointmentStatus.ACTIVE
        assert appointment.accepted_by == people[persona] and appointment.accepted_at is not None
    else:
        assert appointment.status == AppointmentStatus.REQUESTED and appointment.accepted_at is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_either_sides_admin_ends(api, people, appoint, firm_admin, persona):
    appointment = appoint(accept=firm_admin)
    response = api(people[persona]).post(f"/api/v1/appointments/{appointment.pk}/end/")
    expected = END.status(persona, write=True)
    assert response.status_code == expected, (persona, response.content)
    appointment.refresh_from_db()
    if expected == 200:
        assert response.json()["status"] == "ended"
        assert appointment.status == AppointmentStatus.ENDED
        assert appointment.ended_by == people[persona] and appointment.ended_at is not None
    else:
        assert appointment.status == AppointmentStatus.ACTIVE and appointment.ended_at is None


def test_accepting_twice_or_after_the_end_is_a_400_on_status(api, appoint, firm_admin, acme_admin):
    appointment = appoint()
    client = api(firm_admin)
    assert client.post(f"/api/v1/appointments/{appointment.pk}/accept/").status_code == 200
    again = client.post(f"/api/v1/appointments/{appointment.pk}/accept/")
    assert again.status_code == 400 and list(again.json()) == ["status"]
    assert api(acme_admin).post(f"/api/v1/appointments/{appointment.pk}/end/").status_code == 200
    late = client.post(f"/api/v1/appointments/{appointment.pk}/accept/")
    assert late.status_code == 400 and list(late.json()) == ["status"]
    ended = client.post(f"/api/v1/appointments/{appointment.pk}/end/")
    assert ended.status_code == 400 and list(ended.json()) == ["status"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ENDED and appointment.ended_by == acme_admin


def test_ending_before_acceptance_declines_it(api, appoint, firm_admin):
    appointment = appoint()
    response = api(firm_admin).post(f"/api/v1/appointments/{appointment.pk}/end/")
    assert response.status_code == 200 and response.json()["status"] == "ended"
    appointment.refresh_from_db()
    assert appointment.accepted_at is None and appointment.ended_by == firm_admin
    assert AuditEntry.objects.filter(action="appointment.declined", target_id=str(appointment.pk)).exists()
    late = api(firm_admin).post(f"/api/v1/appointments/{appointment.pk}/accept/")
    assert late.status_code == 400


def test_a_suspended_firm_admin_can_do_nothing(api, appoint, firm_admin, firm):
    appointment = appoint()
    client = api(firm_admin)
    firm.status = Status.SUSPENDED
    firm.save(update_fields=["status"])
    assert client.post(f"/api/v1/appointments/{appointment.pk}/accept/").status_code == 401
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.REQUESTED


# --------------------------------------------------------------------------- /me/clients/


def clients(api, user):
    response = api(user).get("/api/v1/me/clients/")
    assert response.status_code == 200
    return response.json()["results"]


def test_clients_with_each_persons_effective_role(
    api, appoint, firm, firm_admin, firm_editor, firm_viewer, acme, globex, other_rightholder
):
    appoint(accept=firm_admin, countries=["FR", "ES"], role="editor")
    appoint(actor=other_rightholder, accept=firm_admin, all_countries=True, role="viewer")
    acme_row = {
        "id": acme.pk,
        "name": "Acme Watches",
        "country": "CH",
        "all_countries": False,
        "countries": ["ES", "FR"],
    }
    globex_row = {"id": globex.pk, "name": "Globex Apparel", "country": "IT", "all_countries": True, "countries": []}
    # A firm admin counts as editor; the lower of the firm role and the appointment's.
    assert clients(api, firm_admin) == [{**acme_row, "role": "editor"}, {**globex_row, "role": "viewer"}]
    assert clients(api, firm_editor) == [{**acme_row, "role": "editor"}, {**globex_row, "role": "viewer"}]
    assert clients(api, firm_viewer) == [{**acme_row, "role": "viewer"}, {**globex_row, "role": "viewer"}]


def test_only_active_appointments_make_clients(api, appoint, firm_admin, acme_admin, other_rightholder):
    waiting = appoint()
    assert clients(api, firm_admin) == []
    api(firm_admin).post(f"/api/v1/appointments/{waiting.pk}/accept/")
    assert [row["name"] for row in clients(api, firm_admin)] == ["Acme Watches"]
    api(acme_admin).post(f"/api/v1/appointments/{waiting.pk}/end/")
    assert clients(api, firm_admin) == []


def test_a_suspended_client_is_not_listed(api, appoint, firm_admin, acme):
    appoint(accept=firm_admin)
    acme.status = Status.SUSPENDED
    acme.save(update_fields=["status"])
    assert clients(api, firm_admin) == []


@pytest.mark.parametrize(
    "persona", ["acme_admin", "acme_viewer", "coordinator_fr", "platform_admin", "other_firm_admin"]
)
def test_nobody_else_has_clients(api, people, appoint, firm_admin, persona):
    appoint(accept=firm_admin)
    assert clients(api, people[persona]) == []


# --------------------------------------------------------------------------- query counts


def test_lists_take_a_bounded_number_of_queries(api, firm, firm_admin, django_assert_max_num_queries):
    from tests.factories import OrganizationFactory

    holders = [OrganizationFactory(name=f"Holder {n}") for n in range(12)]
    admins = [member(holder, Role.ADMIN) for holder in holders]
    client = api(firm_admin)
    client.get("/api/v1/me/")  # the token's first use is counted apart
    counts = []
    for how_many in (2, 12):
        for holder, admin in zip(holders[:how_many], admins[:how_many], strict=True):
            if not Appointment.objects.filter(right_holder=holder).exists():
                appointment = Appointment.objects.create(
                    right_holder=holder, representative=firm, countries=["FR"], role="editor", requested_by=admin
                )
                Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.ACTIVE)
        with django_assert_max_num_queries(12) as listed:
            assert client.get("/api/v1/appointments/").json()["count"] == how_many
        with django_assert_max_num_queries(12) as mine:
            assert len(client.get("/api/v1/me/clients/").json()["results"]) == how_many
        counts.append((len(listed.captured_queries), len(mine.captured_queries)))
    assert counts[0] == counts[1], counts
