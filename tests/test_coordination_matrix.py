"""Who gets what from the coordination endpoints (issue 14): every case and operation endpoint ×
every persona, as a table (tests/matrix.py), and the keys nobody else may read: a case's
`deconfliction` reaches only the members of the organization that opened it, its `subjects` only
that organization and (when the officer shared them) the brand owner; never a third organization,
another right holder or the platform. Only participants (and the right holders whose brands it
tagged) see an operation: the platform admin reads the cases, never an operation (the list is
empty, anything of one 404) nor a subject.

The world: French customs (coordinator_fr, officer_fr) open a detention on Acme's brand_all and
French police (police_coordinator_fr, police_officer_fr) a verification on the same company, a
hit. French customs lead `joint`, in which the police take part and the customs case is tagged,
and `pending`, to which the police are invited and have not answered. German customs
(coordinator_de, officer_de) are a third organization; Globex (other_rightholder) another right
holder."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import DeconflictionHit

from .alerts_fixtures import case_data
from .matrix import ANONYMOUS, UNAUTHENTICATED, Matrix

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db

CUSTOMS_FR = frozenset({"coordinator_fr", "officer_fr"})
POLICE_FR = frozenset({"police_coordinator_fr", "police_officer_fr"})
ACME = frozenset({"acme_admin", "acme_viewer"})
PERSONAS = (
    *sorted(CUSTOMS_FR),
    *sorted(POLICE_FR),
    *sorted(ACME),
    "coordinator_de",
    "officer_de",
    "other_rightholder",
    "platform_admin",
    ANONYMOUS,
)
# Who must never read a subject or a hit of these cases (the brand owner aside, see below).
OUTSIDERS = frozenset({"coordinator_de", "officer_de", "other_rightholder"})

CUSTOMS_SUBJECT = "Shenzhen Bright Trading Co., Ltd."
POLICE_SUBJECT = "shenzhen bright trading co ltd"


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def world(
    officer_fr,
    coordinator_fr,
    police_officer_fr,
    police_coordinator_fr,
    police_fr,
    brand_all,
    customs_de,
) -> SimpleNamespace:
    customs_case = services.case_open(
        actor=officer_fr, data=case_data(brand_all, subjects=[{"kind": "company", "value": CUSTOMS_SUBJECT}])
    )
    police_case = services.case_open(
        actor=police_officer_fr,
        data=case_data(brand_all, procedure="verification", subjects=[{"kind": "company", "value": POLICE_SUBJECT}]),
    )
    dates = {"starts": _day(-3), "ends": _day(3)}
    joint = services.operation_create(actor=coordinator_fr, data={"name": "Joint", **dates})
    services.operation_invite(actor=coordinator_fr, operation=joint, organization=police_fr.pk)
    services.operation_answer(actor=police_coordinator_fr, operation=joint, accept=True)
    services.case_coordinate(actor=officer_fr, case=customs_case, data={"operation": joint.pk})
    pending = services.operation_create(actor=coordinator_fr, data={"name": "Pending", **dates})
    services.operation_invite(actor=coordinator_fr, operation=pending, organization=police_fr.pk)
    return SimpleNamespace(
        customs_case=customs_case,
        police_case=police_case,
        hit=DeconflictionHit.objects.get(),
        joint=joint,
        pending=pending,
        customs_de=customs_de,
    )


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: Callable[[SimpleNamespace], str]
    matrix: Matrix
    write: bool = False
    body: Callable[[SimpleNamespace], dict[str, Any]] | None = None


def table(readers, writers=()) -> Matrix:
    return Matrix(readers=readers, writers=writers, anonymous=UNAUTHENTICATED)


# Who may read operations at all ("operations.read"): everyone signed in but the platform, which
# gets 403 on every operation endpoint before any row is looked up.
OPERATION_READERS = frozenset(set(PERSONAS) - {ANONYMOUS, "platform_admin"})


def operations_table(readers, writers=()) -> Matrix:
    return Matrix(readers=readers, writers=writers, anonymous=UNAUTHENTICATED, admitted=OPERATION_READERS)


# The cases: their organization, Acme (its brand) and the platform read them.
CUSTOMS_CASE = CUSTOMS_FR | ACME | {"platform_admin"}
POLICE_CASE = POLICE_FR | ACME | {"platform_admin"}
# The joint operation: its participants and Acme (a case of its brand is tagged); not the platform.
JOINT = CUSTOMS_FR | POLICE_FR | ACME
# The pending one: the lead and the invited organization's coordinator (until it answers).
PENDING = CUSTOMS_FR | {"police_coordinator_fr"}
LEADS = {"coordinator_fr"}

ROWS = (
    Row("case-detail-customs", "get", lambda w: f"/api/v1/cases/{w.customs_case.pk}/", table(CUSTOMS_CASE)),
    Row("case-detail-police", "get", lambda w: f"/api/v1/cases/{w.police_case.pk}/", table(POLICE_CASE)),
    Row(
        "case-patch",
        "patch",
        lambda w: f"/api/v1/cases/{w.customs_case.pk}/",
        table(CUSTOMS_CASE, CUSTOMS_FR),
        write=True,
        body=lambda w: {"subjects": [{"kind": "company", "value": CUSTOMS_SUBJECT}], "share_subjects": False},
    ),
    # A case's hits exist only for its organization: anyone else, the brand owner and the
    # platform included, gets 404.
    Row(
        "in-contact-customs",
        "post",
        lambda w: f"/api/v1/cases/{w.customs_case.pk}/deconfliction/{w.hit.pk}/in-contact/",
        table(CUSTOMS_FR, {"coordinator_fr"}),
        write=True,
    ),
    Row(
        "in-contact-police",
        "post",
        lambda w: f"/api/v1/cases/{w.police_case.pk}/deconfliction/{w.hit.pk}/in-contact/",
        table(POLICE_FR, {"police_coordinator_fr"}),
        write=True,
    ),
    # Everyone who may read operations gets the list; it holds only what they see.
    Row("operations-list", "get", lambda w: "/api/v1/operations/", operations_table(OPERATION_READERS)),
    Row("operation-detail", "get", lambda w: f"/api/v1/operations/{w.joint.pk}/", operations_table(JOINT)),
    Row("operation-results", "get", lambda w: f"/api/v1/operations/{w.joint.pk}/results/", operations_table(JOINT)),
    Row(
        "operation-results-csv",
        "get",
        lambda w: f"/api/v1/operations/{w.joint.pk}/results/?format=csv",
        operations_table(JOINT),
    ),
    Row(
        "operation-patch",
        "patch",
        lambda w: f"/api/v1/operations/{w.joint.pk}/",
        operations_table(JOINT, LEADS),
        write=True,
        body=lambda w: {"description": "Marketplaces."},
    ),
    Row(
        "operation-invite",
        "post",
        lambda w: f"/api/v1/operations/{w.joint.pk}/invite/",
        operations_table(JOINT, LEADS),
        write=True,
        body=lambda w: {"organization": w.customs_de.pk},
    ),
    Row(
        "operation-invitable",
        "get",
        lambda w: f"/api/v1/operations/{w.joint.pk}/invitable/",
        operations_table(JOINT, LEADS),
        write=True,
    ),
    Row(
        "operation-close",
        "post",
        lambda w: f"/api/v1/operations/{w.joint.pk}/close/",
        operations_table(JOINT, LEADS),
        write=True,
    ),
    Row("pending-detail", "get", lambda w: f"/api/v1/operations/{w.pending.pk}/", operations_table(PENDING)),
    # Invited, not yet taking part: no results.
    Row(
        "pending-results",
        "get",
        lambda w: f"/api/v1/operations/{w.pending.pk}/results/",
        operations_table(CUSTOMS_FR),
    ),
    Row(
        "pending-accept",
        "post",
        lambda w: f"/api/v1/operations/{w.pending.pk}/accept/",
        operations_table(PENDING, {"police_coordinator_fr"}),
        write=True,
    ),
    Row(
        "pending-decline",
        "post",
        lambda w: f"/api/v1/operations/{w.pending.pk}/decline/",
        operations_table(PENDING, {"police_coordinator_fr"}),
        write=True,
    ),
)


def client_of(api, request, persona: str):
    return api(None if persona == ANONYMOUS else request.getfixturevalue(persona))


def secrets_for(persona: str, world: SimpleNamespace) -> list[str]:
    """What `persona` must never find in any answer: the subjects of a case they may not read
    them on, any deconfliction hit of a case not of their organization, and the operations of
    anyone who does not see them (the platform)."""
    hidden = []
    if persona not in CUSTOMS_FR | ACME:  # Acme: the detention's subjects are shared
        hidden.append(CUSTOMS_SUBJECT)
    if persona not in POLICE_FR:  # a verification's are not
        hidden.append(POLICE_SUBJECT)
    if persona not in CUSTOMS_FR | POLICE_FR:
        hidden += ['"deconfliction"', '"subject_kind"', "claire@douane.example", "paul@police.example"]
    if persona not in JOINT:
        hidden.append('"Joint"')
    if persona not in PENDING:
        hidden.append('"Pending"')
    return hidden


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_coordination_endpoint_for_every_persona(api, request, world, row, persona):
    client = client_of(api, request, persona)
    body = row.body(world) if row.body else None
    response = getattr(client, row.method)(row.path(world), body, format="json")
    assert response.status_code == row.matrix.status(persona, write=row.write), response.content[:300]
    content = (
        b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    ).decode()
    for secret in secrets_for(persona, world):
        assert secret not in content, (persona, row.name, secret)


def _keys_rule(persona: str, case_org: frozenset[str], shared: bool) -> tuple[bool, bool]:
    """(subjects present, deconfliction present) for `persona` on a case of `case_org`."""
    subjects = persona in case_org or (shared and persona in ACME)
    return subjects, persona in case_org


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {ANONYMOUS}))
def test_subjects_and_hits_reach_only_those_who_may_read_them(api, request, world, persona):
    client = client_of(api, request, persona)
    listed = {row["id"]: row for row in client.get("/api/v1/cases/").json()["results"]}
    for case, org, shared in (
        (world.customs_case, CUSTOMS_FR, True),
        (world.police_case, POLICE_FR, False),
    ):
        detail = client.get(f"/api/v1/cases/{case.pk}/")
        if detail.status_code == 404:
            assert case.pk not in listed
            continue
        subjects, hits = _keys_rule(persona, org, shared)
        for shown in (detail.json(), listed[case.pk]):
            assert ("subjects" in shown) is subjects, (persona, case.pk)
            assert ("deconfliction" in shown) is hits, (persona, case.pk)
            assert shown["share_subjects"] is shared and "operation" in shown
            if hits:
                [card] = shown["deconfliction"]
                assert card["id"] == world.hit.pk


OPERATION_SHAPES = {
    "full": {"id", "name", "description", "starts", "ends", "categories", "brands", "lead", "status", "participants"},
    "invited": {"id", "name", "starts", "ends", "lead", "status", "invitation"},
    "brief": {"id", "name", "starts", "ends"},
}


def _shapes(persona: str) -> dict[str, str | None]:
    """{operation: the shape persona reads it in, None when they do not see it}."""
    if persona in CUSTOMS_FR:
        return {"joint": "full", "pending": "full"}
    if persona == "police_coordinator_fr":
        return {"joint": "full", "pending": "invited"}
    if persona == "police_officer_fr":
        return {"joint": "full", "pending": None}
    if persona in ACME:
        return {"joint": "brief", "pending": None}
    return {"joint": None, "pending": None}


@pytest.mark.parametrize("persona", sorted(OPERATION_READERS))
def test_each_reader_gets_the_operation_in_its_shape_in_the_list_and_the_detail(api, request, world, persona):
    client = client_of(api, request, persona)
    listed = {row["id"]: row for row in client.get("/api/v1/operations/").json()["results"]}
    for name, shape in _shapes(persona).items():
        operation = getattr(world, name)
        detail = client.get(f"/api/v1/operations/{operation.pk}/")
        if shape is None:
            assert detail.status_code == 404 and operation.pk not in listed
            continue
        assert set(detail.json()) == OPERATION_SHAPES[shape], (persona, name)
        assert set(listed[operation.pk]) == OPERATION_SHAPES[shape], (persona, name)
    assert set(listed) == {getattr(world, name).pk for name, shape in _shapes(persona).items() if shape}
