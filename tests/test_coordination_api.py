"""The coordination API (issue 14; DESIGN.md, "Coordination: deconfliction and joint operations"):
case subjects on create and PATCH, the deconfliction hits a case shows its organization and the
"in contact" mark, joint operations (create, invite, accept, decline, edit, close, the
organizations one may invite) and their results as JSON and CSV, bad input refused with nothing
changed, and the number of queries of the lists.

French customs (officer_fr, coordinator_fr) and French police (police_officer_fr,
police_coordinator_fr) each open a case on Acme's `brand_all` with the same company as subject:
a hit. German customs (officer_de, coordinator_de) is the third organization."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from alerts import services
from alerts.models import Case, CaseSubject, DeconflictionHit, Operation, OperationParticipant

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
OPERATIONS = "/api/v1/operations/"
COMPANY = "ACME Trading Co., Ltd."
SAME_COMPANY = "acme trading co ltd"
FULL = {"id", "name", "description", "starts", "ends", "categories", "brands", "lead", "status", "participants"}
INVITED = {"id", "name", "starts", "ends", "lead", "status", "invitation"}
BRIEF = {"id", "name", "starts", "ends"}


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


def company(value: str = COMPANY) -> list[dict]:
    return [{"kind": "company", "value": value}]


@pytest.fixture
def customs_case(officer_fr, brand_all):
    """A detention (subjects shared with the brand owner by default)."""
    data = case_data(brand_all, subjects=company(), location="Le Havre, quai 7", description="Forty cartons.")
    return services.case_open(actor=officer_fr, data=data)


@pytest.fixture
def police_case(police_officer_fr, brand_all, customs_case):
    """A verification (subjects not shared by default) on the same company: a hit."""
    return services.case_open(
        actor=police_officer_fr,
        data=case_data(brand_all, subjects=company(SAME_COMPANY), procedure="verification"),
    )


@pytest.fixture
def hit(customs_case, police_case):
    return DeconflictionHit.objects.get()


def operation_data(**extra) -> dict:
    return {
        "name": "Operation Pangea",
        "description": "Fake watches sold online.",
        "starts": days(-5),
        "ends": days(5),
        "categories": ["watches_jewellery"],
        **extra,
    }


@pytest.fixture
def operation(coordinator_fr):
    """Led by French customs, French police taking part."""
    return services.operation_create(actor=coordinator_fr, data=operation_data())


@pytest.fixture
def joint(operation, coordinator_fr, police_fr, police_coordinator_fr):
    services.operation_invite(actor=coordinator_fr, operation=operation, organization=police_fr.pk)
    services.operation_answer(actor=police_coordinator_fr, operation=operation, accept=True)
    return operation


def snapshot() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Case.objects.order_by("pk").values_list("pk", "share_subjects", "operation_id", "status")),
        list(CaseSubject.objects.order_by("pk").values_list("case_id", "kind", "value")),
        list(Operation.objects.order_by("pk").values_list("pk", "name", "description", "starts", "ends", "status")),
        list(OperationParticipant.objects.order_by("pk").values_list("operation_id", "organization_id", "status")),
        AuditEntry.objects.count(),
    )


# --------------------------------------------------------------------------- subjects


def test_an_officer_opens_a_case_with_subjects_and_reads_them_back(api, officer_fr, brand_all):
    body = case_data(brand_all, subjects=[*company(), {"kind": "phone", "value": "06 12 34 56 78"}])
    response = api(officer_fr).post(CASES, body, format="json")
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["subjects"] == [
        {"kind": "company", "value": COMPANY},
        {"kind": "phone", "value": "06 12 34 56 78"},
    ]
    assert case["share_subjects"] is True  # a detention's default
    assert case["operation"] is None
    assert case["deconfliction"] == []
    assert CaseSubject.objects.get(kind="phone").normal == "+33612345678"


def test_a_verification_keeps_its_subjects_from_the_brand_owner_unless_shared(
    api, police_officer_fr, acme_viewer, brand_all
):
    body = case_data(brand_all, subjects=company(), procedure="verification")
    created = api(police_officer_fr).post(CASES, body, format="json").json()
    assert created["share_subjects"] is False
    owner = api(acme_viewer)
    seen = owner.get(f"{CASES}{created['id']}/").json()
    assert "subjects" not in seen and "deconfliction" not in seen and seen["share_subjects"] is False
    shared = api(police_officer_fr).patch(f"{CASES}{created['id']}/", {"share_subjects": True}, format="json")
    assert shared.status_code == 200 and shared.json()["share_subjects"] is True
    seen = owner.get(f"{CASES}{created['id']}/").json()
    assert seen["subjects"] == company() and "deconfliction" not in seen


def test_the_platform_reads_the_cases_never_their_subjects_nor_hits(
    api, platform_admin, customs_case, police_case, hit
):
    # Subjects are the opening organization's (and the brand owner's when shared: the detention's
    # are); the platform admin reads the cases without them, nor the hits.
    assert customs_case.share_subjects is True and police_case.share_subjects is False
    client = api(platform_admin)
    listed = {row["id"]: row for row in client.get(CASES).json()["results"]}
    assert set(listed) == {customs_case.pk, police_case.pk}
    for case in (customs_case, police_case):
        detail = client.get(f"{CASES}{case.pk}/")
        assert detail.status_code == 200
        for shown in (detail.json(), listed[case.pk]):
            assert "subjects" not in shown and "deconfliction" not in shown, shown
            assert shown["share_subjects"] is case.share_subjects
        text = json.dumps(detail.json()) + json.dumps(listed[case.pk])
        assert COMPANY not in text and SAME_COMPANY not in text


def test_an_officer_replaces_the_subjects_by_patch_and_it_is_audited(api, officer_fr, customs_case):
    url = f"{CASES}{customs_case.pk}/"
    before = AuditEntry.objects.filter(action="case.subjects_changed").count()
    subjects = [{"kind": "website", "value": "www.shop.example/a"}]
    response = api(officer_fr).patch(url, {"subjects": subjects}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["subjects"] == [{"kind": "website", "value": "www.shop.example/a"}]
    assert list(CaseSubject.objects.filter(case=customs_case).values_list("normal", flat=True)) == ["shop.example/a"]
    assert AuditEntry.objects.filter(action="case.subjects_changed").count() == before + 1
    cleared = api(officer_fr).patch(url, {"subjects": []}, format="json")
    assert cleared.status_code == 200 and cleared.json()["subjects"] == []


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("coordinator_fr", 200),
        ("acme_admin", 403),
        ("acme_viewer", 403),
        ("platform_admin", 403),
        ("police_officer_fr", 404),
        ("officer_de", 404),
        ("other_rightholder", 404),
    ],
)
def test_only_the_opening_organization_patches_a_case(api, request, persona, code, customs_case):
    before = snapshot()
    response = api(request.getfixturevalue(persona)).patch(
        f"{CASES}{customs_case.pk}/", {"share_subjects": False}, format="json"
    )
    assert response.status_code == code
    if code != 200:
        assert snapshot() == before
    else:
        assert Case.objects.get(pk=customs_case.pk).share_subjects is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subjects": [{"kind": "ship", "value": "Ever Given"}]}, "subjects"),
        ({"subjects": [{"kind": "company", "value": "x" * 10_000}]}, "subjects"),
        ({"subjects": [{"kind": "company", "value": f"Company {i}"} for i in range(1000)]}, "subjects"),
        ({"subjects": [{"kind": "phone", "value": "12"}]}, "subjects"),
        ({"subjects": "ACME"}, "subjects"),
        ({"subjects": None}, "subjects"),
        ({"description": "changed"}, "description"),
        ({"quantity": 1, "share_subjects": True}, "quantity"),
        ({"share_subjects": "perhaps"}, "share_subjects"),
        ({"operation": "Pangea"}, "operation"),
        ({"operation": 10**30}, "operation"),
        ({"operation": 999_999}, "operation"),
    ],
)
def test_bad_patches_are_refused_naming_the_field_and_change_nothing(api, officer_fr, customs_case, body, field):
    before = snapshot()
    response = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "subjects",
    [
        [{"kind": "ship", "value": "Ever Given"}],
        [{"kind": "company", "value": "x" * 10_000}],
        [{"kind": "company", "value": f"Company {i}"} for i in range(1000)],
    ],
)
def test_a_case_with_bad_subjects_is_not_opened(api, officer_fr, brand_all, subjects):
    response = api(officer_fr).post(CASES, case_data(brand_all, subjects=subjects), format="json")
    assert response.status_code == 400 and "subjects" in response.json()
    assert not Case.objects.exists() and not CaseSubject.objects.exists()


def test_a_closed_case_keeps_its_subjects(api, officer_fr, customs_case):
    services.case_close(actor=officer_fr, case=customs_case, outcome="destroyed")
    before = snapshot()
    response = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", {"subjects": company("Other Ltd")}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert snapshot() == before


# --------------------------------------------------------------------------- deconfliction


def test_each_organization_reads_the_hit_on_its_own_case_never_the_other_case(
    api, officer_fr, police_officer_fr, coordinator_fr, police_coordinator_fr, customs_case, police_case, hit
):
    customs_side = api(officer_fr).get(f"{CASES}{customs_case.pk}/").json()
    [card] = customs_side["deconfliction"]
    assert card["id"] == hit.pk and card["subject_kind"] == "company" and card["in_contact"] is False
    assert card["organization"] == {"name": "Police nationale", "kind": "police", "country": "FR"}
    assert card["contact"] == [{"name": police_coordinator_fr.full_name, "email": police_coordinator_fr.email}]
    assert card["since"]
    police_side = api(police_officer_fr).get(f"{CASES}{police_case.pk}/").json()
    [card] = police_side["deconfliction"]
    assert card["organization"]["name"] == customs_case.organization.name
    assert [c["email"] for c in card["contact"]] == [coordinator_fr.email]
    # Never the other case's content: its id, description, location or subject as written.
    assert set(card) == {"id", "subject_kind", "organization", "contact", "since", "in_contact"}
    text = json.dumps(police_side)
    assert COMPANY not in text and "Le Havre" not in text and "Forty cartons" not in text


def test_a_coordinator_marks_a_hit_in_contact_once_and_it_is_audited(api, coordinator_fr, customs_case, hit):
    url = f"{CASES}{customs_case.pk}/deconfliction/{hit.pk}/in-contact/"
    response = api(coordinator_fr).post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == customs_case.pk
    assert response.json()["deconfliction"][0]["in_contact"] is True
    hit.refresh_from_db()
    assert hit.in_contact_at is not None and hit.in_contact_by == coordinator_fr
    again = api(coordinator_fr).post(url)
    assert again.status_code == 200
    assert AuditEntry.objects.filter(action="deconfliction.in_contact").count() == 1


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("officer_fr", 403),  # of the organization, not a coordinator
        ("police_coordinator_fr", 404),  # the other side marks it on its own case
        ("acme_admin", 404),
        ("platform_admin", 404),
        ("coordinator_de", 404),
        ("other_rightholder", 404),
    ],
)
def test_only_the_organizations_coordinators_mark_a_hit(api, request, persona, code, customs_case, hit):
    response = api(request.getfixturevalue(persona)).post(
        f"{CASES}{customs_case.pk}/deconfliction/{hit.pk}/in-contact/"
    )
    assert response.status_code == code
    hit.refresh_from_db()
    assert hit.in_contact_at is None


def test_an_unknown_hit_or_another_cases_hit_is_404(api, coordinator_fr, officer_fr, brand_all, customs_case, hit):
    client = api(coordinator_fr)
    assert client.post(f"{CASES}{customs_case.pk}/deconfliction/{hit.pk + 1000}/in-contact/").status_code == 404
    assert client.post(f"{CASES}{customs_case.pk}/deconfliction/abc/in-contact/").status_code == 404
    assert client.post(f"{CASES}{customs_case.pk}/deconfliction/{'9' * 30}/in-contact/").status_code == 404
    other = services.case_open(actor=officer_fr, data=case_data(brand_all))
    assert client.post(f"{CASES}{other.pk}/deconfliction/{hit.pk}/in-contact/").status_code == 404
    hit.refresh_from_db()
    assert hit.in_contact_at is None


# --------------------------------------------------------------------------- operations


def test_a_coordinator_creates_an_operation_led_by_their_organization(api, coordinator_fr, customs_fr, brand_all):
    response = api(coordinator_fr).post(OPERATIONS, operation_data(brands=[brand_all.pk]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FULL
    assert body["lead"] == {"id": customs_fr.pk, "name": customs_fr.name, "kind": "customs", "country": "FR"}
    assert body["participants"] == [
        {
            "organization": {"id": customs_fr.pk, "name": customs_fr.name, "kind": "customs", "country": "FR"},
            "status": "accepted",
        }
    ]
    assert (
        body["status"] == "open" and body["categories"] == ["watches_jewellery"] and body["brands"] == [brand_all.pk]
    )
    assert AuditEntry.objects.filter(action="operation.created").count() == 1


@pytest.mark.parametrize("persona", ["officer_fr", "acme_admin", "platform_admin", "other_rightholder"])
def test_only_enforcement_coordinators_create_operations(api, request, persona):
    response = api(request.getfixturevalue(persona)).post(OPERATIONS, operation_data(), format="json")
    assert response.status_code == 403
    assert not Operation.objects.exists()


def test_the_platform_sees_no_operation(api, platform_admin, joint, customs_case, officer_fr, customs_de):
    # Only participants (and the right holders whose brands it tagged) see an operation: the
    # platform may not read operations at all (403, as on the pages), whatever the endpoint, and
    # a case tagged with one shows its id only.
    services.case_coordinate(actor=officer_fr, case=customs_case, data={"operation": joint.pk})
    client = api(platform_admin)
    listed = client.get(OPERATIONS)
    assert listed.status_code == 403 and "Operation Pangea" not in listed.content.decode()
    before = snapshot()
    url = f"{OPERATIONS}{joint.pk}/"
    codes = {
        "detail": client.get(url).status_code,
        "results": client.get(f"{url}results/").status_code,
        "results csv": client.get(f"{url}results/", {"format": "csv"}).status_code,
        "invitable": client.get(f"{url}invitable/").status_code,
        "patch": client.patch(url, {"name": "Renamed"}, format="json").status_code,
        "invite": client.post(f"{url}invite/", {"organization": customs_de.pk}, format="json").status_code,
        "accept": client.post(f"{url}accept/").status_code,
        "decline": client.post(f"{url}decline/").status_code,
        "close": client.post(f"{url}close/").status_code,
    }
    assert codes == dict.fromkeys(codes, 403), codes
    assert client.post(OPERATIONS, operation_data(), format="json").status_code == 403
    assert snapshot() == before
    # The case itself: read, its operation an id only.
    case = client.get(f"{CASES}{customs_case.pk}/").json()
    assert case["operation"] == joint.pk and "Operation Pangea" not in json.dumps(case)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (operation_data(starts="tomorrow"), "starts"),
        (operation_data(ends="2025-02-30"), "ends"),
        (operation_data(starts=days(5), ends=days(-5)), "ends"),
        (operation_data(ends=days(1000)), "ends"),
        (operation_data(name=""), "name"),
        (operation_data(name="x" * 10_000), "name"),
        (operation_data(categories=["weapons"]), "categories"),
        (operation_data(brands=[999_999]), "brands"),
        (operation_data(brands=[10**30]), "brands"),
        (operation_data(lead=1), "lead"),
        (operation_data(status="closed"), "status"),
    ],
)
def test_bad_operations_are_refused_naming_the_field(api, coordinator_fr, body, field):
    response = api(coordinator_fr).post(OPERATIONS, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Operation.objects.exists()


def test_a_focus_brand_the_lead_cannot_see_is_refused(api, coordinator_de, brand_fr):
    response = api(coordinator_de).post(OPERATIONS, operation_data(brands=[brand_fr.pk]), format="json")
    assert response.status_code == 400 and "brands" in response.json()


def test_invite_accept_and_what_the_invited_read_until_they_answer(
    api, coordinator_fr, police_fr, police_coordinator_fr, police_officer_fr, operation
):
    url = f"{OPERATIONS}{operation.pk}/"
    invited = api(coordinator_fr).post(f"{url}invite/", {"organization": police_fr.pk}, format="json")
    assert invited.status_code == 200, invited.json()
    seats = {p["organization"]["id"]: p["status"] for p in invited.json()["participants"]}
    assert seats[police_fr.pk] == "invited"
    # Until they answer: the name, dates and lead, for the coordinators only; no results.
    police = api(police_coordinator_fr)
    seen = police.get(url).json()
    assert set(seen) == INVITED and seen["invitation"] == "invited" and seen["lead"]["name"] == "Douane française"
    assert [set(row) for row in police.get(OPERATIONS).json()["results"]] == [INVITED]
    assert police.get(f"{url}results/").status_code == 404
    assert api(police_officer_fr).get(url).status_code == 404
    assert api(police_officer_fr).post(f"{url}accept/").status_code == 404
    accepted = police.post(f"{url}accept/")
    assert accepted.status_code == 200 and set(accepted.json()) == FULL
    assert police.get(f"{url}results/").status_code == 200
    assert api(police_officer_fr).get(url).status_code == 200
    assert police.post(f"{url}accept/").status_code == 403  # answered already
    assert AuditEntry.objects.filter(action__in=["operation.invited", "operation.accepted"]).count() == 2


def test_a_declined_invitation_hides_the_operation_and_may_be_asked_again(
    api, coordinator_fr, police_fr, police_coordinator_fr, operation
):
    url = f"{OPERATIONS}{operation.pk}/"
    api(coordinator_fr).post(f"{url}invite/", {"organization": police_fr.pk}, format="json")
    declined = api(police_coordinator_fr).post(f"{url}decline/")
    assert declined.status_code == 200
    assert set(declined.json()) == INVITED and declined.json()["invitation"] == "declined"
    assert api(police_coordinator_fr).get(url).status_code == 404
    again = api(coordinator_fr).post(f"{url}invite/", {"organization": police_fr.pk}, format="json")
    assert again.status_code == 200
    assert api(police_coordinator_fr).get(url).json()["invitation"] == "invited"


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("coordinator_fr", 200),
        ("officer_fr", 403),
        ("police_coordinator_fr", 403),  # taking part, not leading
        ("acme_admin", 403),  # reads the operation (its brand's case is tagged), not more
        ("platform_admin", 403),  # may not read operations at all: only participants see one
        ("coordinator_de", 404),
        ("other_rightholder", 404),
    ],
)
def test_only_the_leads_coordinators_invite(api, request, persona, code, joint, customs_case, customs_de):
    services.case_coordinate(actor=customs_case.opened_by, case=customs_case, data={"operation": joint.pk})
    before = snapshot()
    response = api(request.getfixturevalue(persona)).post(
        f"{OPERATIONS}{joint.pk}/invite/", {"organization": customs_de.pk}, format="json"
    )
    assert response.status_code == code
    if code == 200:
        assert OperationParticipant.objects.filter(operation=joint, organization=customs_de).exists()
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "organization"),
        ({"organization": "Zoll"}, "organization"),
        ({"organization": 10**30}, "organization"),
        ({"organization": 999_999}, "organization"),
        ({"organization": 1, "message": "hi"}, "message"),
    ],
)
def test_bad_invitations_are_refused(api, coordinator_fr, operation, body, field):
    before = snapshot()
    response = api(coordinator_fr).post(f"{OPERATIONS}{operation.pk}/invite/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert snapshot() == before


def test_right_holders_and_the_platform_cannot_be_invited_nor_twice(
    api, coordinator_fr, acme, police_fr, joint, platform_admin
):
    client = api(coordinator_fr)
    for organization in (acme.pk, platform_admin.organization.pk, police_fr.pk):
        response = client.post(f"{OPERATIONS}{joint.pk}/invite/", {"organization": organization}, format="json")
        assert response.status_code == 400 and "organization" in response.json()


def test_the_lead_searches_the_organizations_to_invite(
    api, coordinator_fr, police_coordinator_fr, joint, customs_de, market_de, international_eu, acme
):
    client = api(coordinator_fr)
    listed = client.get(f"{OPERATIONS}{joint.pk}/invitable/")
    assert listed.status_code == 200
    names = [row["name"] for row in listed.json()]
    # Approved enforcement organizations not taking part: not the lead, not police (accepted), not Acme.
    assert set(names) == {customs_de.name, market_de.name, international_eu.name}
    assert set(listed.json()[0]) == {"id", "name", "kind", "country"}
    by_country = client.get(f"{OPERATIONS}{joint.pk}/invitable/", {"q": "de"}).json()
    assert {row["name"] for row in by_country} == {customs_de.name, market_de.name}
    assert [row["name"] for row in client.get(f"{OPERATIONS}{joint.pk}/invitable/", {"q": "zol"}).json()] == ["Zoll"]
    assert client.get(f"{OPERATIONS}{joint.pk}/invitable/", {"q": "x" * 101}).status_code == 400
    assert api(police_coordinator_fr).get(f"{OPERATIONS}{joint.pk}/invitable/").status_code == 403


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("coordinator_fr", 200),
        ("officer_fr", 403),
        ("police_coordinator_fr", 403),
        ("platform_admin", 403),  # may not read operations at all: only participants see one
        ("coordinator_de", 404),
    ],
)
def test_only_the_leads_coordinators_edit_and_close(api, request, persona, code, joint):
    client = api(request.getfixturevalue(persona))
    url = f"{OPERATIONS}{joint.pk}/"
    edited = client.patch(url, {"description": "Online marketplaces.", "ends": days(30)}, format="json")
    assert edited.status_code == code
    closed = client.post(f"{url}close/")
    assert closed.status_code == code
    joint.refresh_from_db()
    if code == 200:
        assert edited.json()["description"] == "Online marketplaces." and edited.json()["ends"] == days(30)
        assert closed.json()["status"] == "closed" and joint.status == "closed"
    else:
        assert joint.description == "Fake watches sold online." and joint.status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ends": days(-10)}, "ends"),
        ({"starts": "not a date"}, "starts"),
        ({"name": ""}, "name"),
        ({"lead": 1}, "lead"),
        ({"categories": "watches_jewellery"}, "categories"),
    ],
)
def test_bad_operation_edits_change_nothing(api, coordinator_fr, joint, body, field):
    before = snapshot()
    response = api(coordinator_fr).patch(f"{OPERATIONS}{joint.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert snapshot() == before


def test_a_closed_operation_is_not_edited_invited_or_tagged(
    api, coordinator_fr, officer_fr, customs_de, customs_case, joint
):
    client = api(coordinator_fr)
    assert client.post(f"{OPERATIONS}{joint.pk}/close/").status_code == 200
    before = snapshot()
    assert client.patch(f"{OPERATIONS}{joint.pk}/", {"name": "Renamed"}, format="json").status_code == 400
    assert client.post(f"{OPERATIONS}{joint.pk}/invite/", {"organization": customs_de.pk}).status_code == 400
    assert client.post(f"{OPERATIONS}{joint.pk}/close/").status_code == 400
    tagged = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", {"operation": joint.pk}, format="json")
    assert tagged.status_code == 400 and "operation" in tagged.json()
    assert snapshot() == before


# --------------------------------------------------------------------------- tagging


def test_participants_tag_their_cases_on_create_and_by_patch(
    api, officer_fr, police_officer_fr, brand_all, joint, customs_case
):
    created = api(police_officer_fr).post(
        CASES, case_data(brand_all, procedure="verification", operation=joint.pk), format="json"
    )
    assert created.status_code == 201 and created.json()["operation"] == joint.pk
    tagged = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", {"operation": joint.pk}, format="json")
    assert tagged.status_code == 200 and tagged.json()["operation"] == joint.pk
    untagged = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", {"operation": None}, format="json")
    assert untagged.status_code == 200 and untagged.json()["operation"] is None
    assert AuditEntry.objects.filter(action="case.operation_tagged").count() == 3


def test_tagging_outside_the_dates_is_refused_naming_the_operation(api, coordinator_fr, officer_fr, customs_case):
    later = services.operation_create(actor=coordinator_fr, data=operation_data(starts=days(1), ends=days(10)))
    earlier = services.operation_create(actor=coordinator_fr, data=operation_data(starts=days(-10), ends=days(-1)))
    for operation in (later, earlier):
        before = snapshot()
        response = api(officer_fr).patch(f"{CASES}{customs_case.pk}/", {"operation": operation.pk}, format="json")
        assert response.status_code == 400 and "operation" in response.json()
        assert "outside the operation's dates" in response.json()["operation"][0]
        assert snapshot() == before


def test_a_non_participant_cannot_tag(
    api, officer_de, police_officer_fr, police_fr, coordinator_fr, brand_all, operation
):
    # German customs are not invited; French police invited but not yet answered.
    services.operation_invite(actor=coordinator_fr, operation=operation, organization=police_fr.pk)
    for officer, data in (
        (officer_de, case_data(brand_all, operation=operation.pk)),
        (police_officer_fr, case_data(brand_all, procedure="verification", operation=operation.pk)),
    ):
        response = api(officer).post(CASES, data, format="json")
        assert response.status_code == 400 and "operation" in response.json()
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- results


def tag(officer, brand, operation, quantity, **extra) -> Case:
    return services.case_open(actor=officer, data=case_data(brand, quantity=quantity, operation=operation.pk, **extra))


@pytest.fixture
def tagged(joint, officer_fr, police_officer_fr, brand_all, brand_fr, product_fr, globex_brand, acme_editor):
    """Seven cases in the operation: French customs 4 (Acme's brand_all x2, brand_fr, Globex's
    brand), French police 3 (brand_all, Globex's x2); two answered counterfeit."""
    cases = [
        tag(officer_fr, brand_all, joint, 10),
        tag(officer_fr, brand_all, joint, 20),
        tag(officer_fr, brand_fr, joint, 5, product=product_fr),
        tag(officer_fr, globex_brand, joint, 7),
        tag(police_officer_fr, brand_all, joint, 100, procedure="verification"),
        tag(police_officer_fr, globex_brand, joint, 1, procedure="verification"),
        tag(police_officer_fr, globex_brand, joint, 2, procedure="verification"),
    ]
    services.case_open(actor=officer_fr, data=case_data(brand_all, quantity=1000))  # not tagged
    for case in cases[:2]:
        services.case_respond(actor=acme_editor, case=case, verdict="counterfeit")
    return cases


def test_the_results_add_up_to_the_tagged_cases(api, police_coordinator_fr, joint, tagged, brand_all):
    response = api(police_coordinator_fr).get(f"{OPERATIONS}{joint.pk}/results/")
    assert response.status_code == 200
    results = response.json()
    assert results["cases"] == len(tagged) == 7
    assert results["quantity"] == sum(case.quantity for case in tagged) == 145
    for axis in ("by_country", "by_agency", "by_category", "by_brand"):
        assert sum(row["cases"] for row in results[axis]) == 7, axis
        assert sum(row["quantity"] for row in results[axis]) == 145, axis
    assert sum(results["verdicts"].values()) == 7 and results["verdicts"]["counterfeit"] == 2
    assert sum(week["cases"] for week in results["over_time"]) == 7
    agencies = {row["kind"]: (row["cases"], row["quantity"]) for row in results["by_agency"]}
    assert agencies == {"customs": (4, 42), "police": (3, 103)}
    brands = {row["name"]: row["cases"] for row in results["by_brand"]}
    assert brands["Lumina"] == 3
    assert {row["category"]: row["cases"] for row in results["by_category"]}["watches_jewellery"] == 1


def test_the_right_holders_results_hold_only_its_brands(api, acme_viewer, other_rightholder, joint, tagged):
    acme = api(acme_viewer).get(f"{OPERATIONS}{joint.pk}/results/").json()
    assert acme["cases"] == 4 and acme["quantity"] == 135
    assert {row["name"] for row in acme["by_brand"]} == {"Lumina", "Lumina Secret"}
    assert "Globex Wear" not in json.dumps(acme)
    assert sum(row["cases"] for row in acme["by_country"]) == 4
    globex = api(other_rightholder).get(f"{OPERATIONS}{joint.pk}/results/").json()
    assert globex["cases"] == 3 and [row["name"] for row in globex["by_brand"]] == ["Globex Wear"]
    # Both read the operation itself only as {id, name, starts, ends}.
    assert set(api(acme_viewer).get(f"{OPERATIONS}{joint.pk}/").json()) == BRIEF
    assert [set(row) for row in api(other_rightholder).get(OPERATIONS).json()["results"]] == [BRIEF]


def test_a_brand_a_participant_cannot_see_is_summed_as_other(
    api, coordinator_fr, coordinator_de, customs_de, joint, tagged
):
    services.operation_invite(actor=coordinator_fr, operation=joint, organization=customs_de.pk)
    services.operation_answer(actor=coordinator_de, operation=joint, accept=True)
    results = api(coordinator_de).get(f"{OPERATIONS}{joint.pk}/results/").json()
    assert "Lumina Secret" not in json.dumps(results)  # brand_fr: France only
    other = results["by_brand"][-1]
    assert other == {"brand": None, "name": "other", "cases": 1, "quantity": 5}
    assert results["cases"] == 7 and sum(row["cases"] for row in results["by_brand"]) == 7


def test_the_results_as_csv(api, coordinator_fr, joint, tagged):
    response = api(coordinator_fr).get(f"{OPERATIONS}{joint.pk}/results/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["dimension", "key", "name", "cases", "quantity"]
    assert rows[0]["dimension"] == "total" and rows[0]["cases"] == "7" and rows[0]["quantity"] == "145"
    by = {}
    for row in rows:
        by.setdefault(row["dimension"], []).append(row)
    assert set(by) == {"total", "country", "agency", "category", "brand", "verdict", "week"}
    for dimension in ("country", "agency", "category", "brand"):
        assert sum(int(row["cases"]) for row in by[dimension]) == 7
        assert sum(int(row["quantity"]) for row in by[dimension]) == 145
    assert {row["key"]: row["cases"] for row in by["verdict"]}["counterfeit"] == "2"
    assert {row["key"]: row["name"] for row in by["country"]} == {"FR": "France"}
    json_results = api(coordinator_fr).get(f"{OPERATIONS}{joint.pk}/results/", {"format": "json"})
    assert json_results.status_code == 200 and json_results.json()["cases"] == 7


@pytest.mark.parametrize("persona", ["coordinator_de", "officer_de", "acme_admin", "other_rightholder"])
def test_who_may_not_read_the_results_gets_404(api, request, persona, joint):
    # No case tagged: the right holders have nothing of theirs in it. (The platform may not read
    # operations at all: 403, test_the_platform_sees_no_operation.)
    client = api(request.getfixturevalue(persona))
    assert client.get(f"{OPERATIONS}{joint.pk}/results/").status_code == 404
    refused = client.get(f"{OPERATIONS}{joint.pk}/results/", {"format": "csv"})
    assert refused.status_code == 404 and refused["Content-Type"].startswith("text/csv")
    assert client.get(f"{OPERATIONS}{joint.pk}/").status_code == 404
    assert joint.pk not in [row["id"] for row in client.get(OPERATIONS).json()["results"]]


# --------------------------------------------------------------------------- queries


def test_the_case_list_reads_subjects_and_hits_in_a_fixed_number_of_queries(
    api, officer_fr, police_officer_fr, brand_all, django_assert_max_num_queries
):
    def open_pair(n: int) -> None:
        subjects = [*company(f"Network {n} Ltd"), {"kind": "email", "value": f"sales{n}@shop.example"}]
        services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=subjects))
        services.case_open(
            actor=police_officer_fr, data=case_data(brand_all, subjects=subjects, procedure="verification")
        )

    client = api(officer_fr)
    open_pair(0)
    with django_assert_max_num_queries(20) as few:
        rows = client.get(CASES).json()["results"]
    assert len(rows) == 1 and len(rows[0]["deconfliction"]) == 1 and len(rows[0]["subjects"]) == 2
    for n in range(1, 8):
        open_pair(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(CASES).json()["results"]
    assert len(rows) == 8 and all(len(row["deconfliction"]) == 1 for row in rows)


def test_the_operation_list_is_a_fixed_number_of_queries(
    api, coordinator_fr, police_fr, police_coordinator_fr, brand_all, django_assert_max_num_queries
):
    def one(n: int) -> None:
        operation = services.operation_create(
            actor=coordinator_fr, data=operation_data(name=f"Operation {n}", brands=[brand_all.pk])
        )
        services.operation_invite(actor=coordinator_fr, operation=operation, organization=police_fr.pk)

    one(0)
    client = api(coordinator_fr)
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(OPERATIONS).json()["results"]) == 1
    for n in range(1, 8):
        one(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(OPERATIONS).json()["results"]
    assert len(rows) == 8 and all(len(row["participants"]) == 2 for row in rows)
    invited = api(police_coordinator_fr)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(invited.get(OPERATIONS).json()["results"]) == 8
