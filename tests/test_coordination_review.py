"""Regressions from the review of issue 14 (coordination), each a clear 4xx naming the field where
there was a 500 or a silent change:

1. a website or shop subject whose host IDNA cannot encode (an empty or too long label) is 400
   naming `subjects` (API create and PATCH, the case pages), not a 500;
2. a value whose normal form is longer than its column (400 characters: NFKD turns "ﷺ" into 18
   characters, "㎒" into 3) is 400 naming `subjects`;
3. a value that is not text (an object, a list, a boolean) or holds a lone surrogate is 400
   naming `subjects`; a JSON number is read as text;
4. a case tagged with a closed operation keeps it: untagging or re-tagging is 400 naming
   `operation`, the operation's results unchanged;
5. the lead cannot move an operation's dates past a case tagged with it: 400 naming `starts`
   or `ends`;
6. an organization that declined an operation may be invited to it again even while it is
   invited to or takes part in another operation.

French customs (officer_fr, coordinator_fr) lead the operations; French police
(police_coordinator_fr) are invited."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from alerts import services
from alerts.models import Case, CaseSubject, Operation, OperationParticipant, ParticipantStatus

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
OPERATIONS = "/api/v1/operations/"
COMPANY = {"kind": "company", "value": "ACME Trading Co., Ltd."}


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def operation_data(**extra) -> dict:
    return {
        "name": "Operation Pangea",
        "description": "Fake watches sold online.",
        "starts": days(-5),
        "ends": days(5),
        **extra,
    }


def snapshot() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(Case.objects.order_by("pk").values_list("pk", "share_subjects", "operation_id", "status")),
        list(CaseSubject.objects.order_by("pk").values_list("case_id", "kind", "value", "normal")),
        list(Operation.objects.order_by("pk").values_list("pk", "name", "starts", "ends", "status")),
        list(OperationParticipant.objects.order_by("pk").values_list("operation_id", "organization_id", "status")),
        AuditEntry.objects.count(),
    )


def form_rows(*subjects: dict) -> dict:
    """The subjects' rows as the case pages post them."""
    data = {"subjects-TOTAL_FORMS": str(len(subjects)), "subjects-INITIAL_FORMS": "0"}
    for index, subject in enumerate(subjects):
        data[f"subjects-{index}-kind"] = subject["kind"]
        data[f"subjects-{index}-value"] = subject["value"]
    return data


@pytest.fixture
def customs_case(officer_fr, brand_all):
    return services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=[COMPANY]))


@pytest.fixture
def operation(coordinator_fr):
    """Led by French customs (which takes part), nobody else invited."""
    return services.operation_create(actor=coordinator_fr, data=operation_data())


def patch_subjects(api, officer, case, subjects):
    client = api(officer)
    client.raise_request_exception = False  # a 500 is an answer here, not an exception
    return client.patch(f"{CASES}{case.pk}/", {"subjects": subjects}, format="json")


# --------------------------------------------------------------------------- 1. IDNA


BAD_HOSTS = [
    {"kind": "website", "value": "https://ü..com/shop"},  # an empty label
    {"kind": "website", "value": "https://" + "ü" * 64 + ".com/"},  # a label longer than 63
    {"kind": "marketplace_shop", "value": "shop.ü..example/123"},
]


@pytest.mark.parametrize("subject", BAD_HOSTS, ids=["empty-label", "long-label", "shop"])
def test_a_host_idna_cannot_encode_is_refused_by_patch(api, officer_fr, customs_case, subject):
    before = snapshot()
    response = patch_subjects(api, officer_fr, customs_case, [subject])
    assert response.status_code == 400, response.status_code
    [message] = response.json()["subjects"]
    # A website "is not a web address"; a shop's message quotes the value.
    assert f"“{subject['value']}”" in message
    assert "is not a web address" in message or subject["kind"] == "marketplace_shop"
    assert snapshot() == before


def test_a_host_idna_cannot_encode_is_refused_on_create(api, officer_fr, brand_all):
    client = api(officer_fr)
    client.raise_request_exception = False
    response = client.post(CASES, case_data(brand_all, subjects=[BAD_HOSTS[0]]), format="json")
    assert response.status_code == 400 and "subjects" in response.json()
    assert not Case.objects.exists() and not CaseSubject.objects.exists()


def test_an_international_host_idna_encodes_is_kept(api, officer_fr, customs_case):
    response = patch_subjects(
        api, officer_fr, customs_case, [{"kind": "website", "value": "https://bücher.example/shop"}]
    )
    assert response.status_code == 200, response.json()
    assert list(CaseSubject.objects.values_list("normal", flat=True)) == ["xn--bcher-kva.example/shop"]


def test_the_subjects_page_refuses_a_host_idna_cannot_encode(client_for, customs_case):
    client = client_for("officer_fr")
    client.raise_request_exception = False
    before = snapshot()
    response = client.post(f"/cases/{customs_case.pk}/subjects/", {**form_rows(BAD_HOSTS[0]), "share_subjects": "on"})
    assert response.status_code == 400, response.status_code
    assert "is not a web address" in response.content.decode()
    assert snapshot() == before


def test_the_case_form_refuses_a_host_idna_cannot_encode(client_for, brand_all):
    client = client_for("officer_fr")
    client.raise_request_exception = False
    data = {"brand": brand_all.pk, "description": "Watches", "quantity": "12", "location": "Calais"}
    response = client.post("/cases/open/", {**data, **form_rows(BAD_HOSTS[0])})
    assert response.status_code == 400, response.status_code
    assert "is not a web address" in response.content.decode()
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- 2. the normal form's length


@pytest.mark.parametrize(
    "subject",
    [
        {"kind": "company", "value": "\ufdfa" * 30},  # 30 characters, 450 once folded
        {"kind": "person", "value": "\u3392" * 200},  # "㎒": 600
        {"kind": "person", "value": "\u3392" * 133 + "ab"},  # 401: one too many
        {"kind": "website", "value": "shop.example/" + "\ufdfa" * 30},  # 463
    ],
    ids=["company", "person", "person-401", "website"],
)
def test_a_normal_form_longer_than_its_column_is_refused(api, officer_fr, customs_case, subject):
    before = snapshot()
    response = patch_subjects(api, officer_fr, customs_case, [subject])
    assert response.status_code == 400, response.status_code
    assert "too long once its special characters are spelled out" in response.json()["subjects"][0]
    assert snapshot() == before


def test_a_normal_form_of_exactly_400_characters_is_kept(api, officer_fr, customs_case):
    response = patch_subjects(api, officer_fr, customs_case, [{"kind": "person", "value": "\u3392" * 133 + "a"}])
    assert response.status_code == 200, response.json()
    assert [len(normal) for normal in CaseSubject.objects.values_list("normal", flat=True)] == [400]


def test_a_case_whose_normal_form_is_too_long_is_not_opened(api, officer_fr, brand_all):
    client = api(officer_fr)
    client.raise_request_exception = False
    body = case_data(brand_all, subjects=[{"kind": "company", "value": "\ufdfa" * 30}])
    response = client.post(CASES, body, format="json")
    assert response.status_code == 400 and "subjects" in response.json()
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- 3. text only


@pytest.mark.parametrize("value", [{"a": "b"}, ["x", "y"], True, False, None, 1.5], ids=repr)
def test_a_value_that_is_not_text_is_refused(api, officer_fr, customs_case, value):
    before = snapshot()
    response = patch_subjects(api, officer_fr, customs_case, [{"kind": "company", "value": value}])
    assert response.status_code == 400, response.status_code
    assert "subjects" in response.json()
    assert snapshot() == before


def test_a_number_is_read_as_text(api, officer_fr, customs_case):
    response = patch_subjects(api, officer_fr, customs_case, [{"kind": "phone", "value": 612345678}])
    assert response.status_code == 200, response.json()
    assert response.json()["subjects"] == [{"kind": "phone", "value": "612345678"}]
    assert CaseSubject.objects.get().normal == "+33612345678"


def test_a_lone_surrogate_is_refused(api, officer_fr, customs_case):
    client = api(officer_fr)
    client.raise_request_exception = False
    before = snapshot()
    # JSON may carry "\ud800" alone; Python reads it as a str no database column takes.
    body = '{"subjects": [{"kind": "company", "value": "ACME \\ud800 Ltd"}]}'
    response = client.patch(f"{CASES}{customs_case.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert "not valid text" in response.json()["subjects"][0]
    assert snapshot() == before


def test_a_lone_surrogate_on_create_is_refused(api, officer_fr, brand_all):
    client = api(officer_fr)
    client.raise_request_exception = False
    body = json.dumps(case_data(brand_all, subjects=[{"kind": "company", "value": "ACME SURROGATE"}]))
    response = client.post(CASES, body.replace("SURROGATE", "\\udfff"), content_type="application/json")
    assert response.status_code == 400 and "subjects" in response.json()
    assert not Case.objects.exists()


def test_the_subjects_page_takes_surrogate_bytes_as_text(client_for, customs_case):
    # A form cannot carry a lone surrogate: its bytes are decoded with replacement characters,
    # never a 500.
    client = client_for("officer_fr")
    body = "subjects-TOTAL_FORMS=1&subjects-INITIAL_FORMS=0&subjects-0-kind=company&subjects-0-value=ACME%ED%A0%80Ltd"
    response = client.post(
        f"/cases/{customs_case.pk}/subjects/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    [value] = CaseSubject.objects.values_list("value", flat=True)
    assert value.startswith("ACME\ufffd") and value.endswith("Ltd")


# --------------------------------------------------------------------------- 4. a closed operation's cases


@pytest.fixture
def closed(api, officer_fr, coordinator_fr, operation, brand_all):
    """`operation` with one case tagged, then closed: (operation, case)."""
    case = services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk, quantity=40))
    services.operation_close(actor=coordinator_fr, operation=operation)
    return operation, case


def results(api, coordinator_fr, operation) -> dict:
    response = api(coordinator_fr).get(f"{OPERATIONS}{operation.pk}/results/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("target", ["untag", "retag"])
def test_a_case_keeps_its_closed_operation(api, officer_fr, coordinator_fr, closed, target):
    operation, case = closed
    other = services.operation_create(actor=coordinator_fr, data=operation_data(name="Operation Other"))
    before_results = results(api, coordinator_fr, operation)
    assert (before_results["cases"], before_results["quantity"]) == (1, 40)
    before = snapshot()
    body = {"operation": None if target == "untag" else other.pk}
    response = api(officer_fr).patch(f"{CASES}{case.pk}/", body, format="json")
    assert response.status_code == 400 and "operation" in response.json(), response.json()
    assert snapshot() == before
    assert results(api, coordinator_fr, operation) == before_results


def test_a_case_of_a_closed_operation_still_changes_its_subjects(api, officer_fr, coordinator_fr, closed):
    operation, case = closed
    client = api(officer_fr)
    same = client.patch(f"{CASES}{case.pk}/", {"operation": operation.pk, "subjects": [COMPANY]}, format="json")
    assert same.status_code == 200 and same.json()["operation"] == operation.pk, same.json()
    assert CaseSubject.objects.filter(case=case).count() == 1
    assert results(api, coordinator_fr, operation)["cases"] == 1


# --------------------------------------------------------------------------- 5. an operation's dates


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts": days(1), "ends": days(10)}, "starts"),  # today's case falls before
        ({"starts": days(-10), "ends": days(-1)}, "ends"),  # and after
        ({"ends": days(-1)}, "ends"),
    ],
)
def test_the_lead_cannot_move_the_dates_past_a_tagged_case(
    api, officer_fr, coordinator_fr, operation, brand_all, body, field
):
    services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk))
    before = snapshot()
    response = api(coordinator_fr).patch(f"{OPERATIONS}{operation.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert snapshot() == before
    # Without a tagged case the same dates are fine.
    untagged = services.operation_create(actor=coordinator_fr, data=operation_data(name="Untagged"))
    assert api(coordinator_fr).patch(f"{OPERATIONS}{untagged.pk}/", body, format="json").status_code == 200


def test_the_dates_may_close_in_on_the_tagged_cases(api, officer_fr, coordinator_fr, operation, brand_all):
    early = services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk))
    late = services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk))
    # Opened three days and one day ago: the operation may run from the one to the other, no less.
    Case.objects.filter(pk=early.pk).update(created=timezone.now() - datetime.timedelta(days=3))
    Case.objects.filter(pk=late.pk).update(created=timezone.now() - datetime.timedelta(days=1))
    client = api(coordinator_fr)
    url = f"{OPERATIONS}{operation.pk}/"
    for body, field in (({"starts": days(-2)}, "starts"), ({"ends": days(-2)}, "ends")):
        refused = client.patch(url, body, format="json")
        assert refused.status_code == 400 and set(refused.json()) == {field}, refused.json()
    response = client.patch(url, {"starts": days(-3), "ends": days(-1)}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["starts"], response.json()["ends"]) == (days(-3), days(-1))


# --------------------------------------------------------------------------- 6. invitable after declining


@pytest.mark.parametrize("elsewhere", ["invited", "accepted"])
def test_a_declined_organization_busy_elsewhere_is_invitable_again(
    api, client_for, coordinator_fr, police_fr, police_coordinator_fr, operation, elsewhere
):
    other = services.operation_create(actor=coordinator_fr, data=operation_data(name="Operation Other"))
    services.operation_invite(actor=coordinator_fr, operation=other, organization=police_fr.pk)
    if elsewhere == "accepted":
        services.operation_answer(actor=police_coordinator_fr, operation=other, accept=True)
    services.operation_invite(actor=coordinator_fr, operation=operation, organization=police_fr.pk)
    client = api(coordinator_fr)
    invitable = f"{OPERATIONS}{operation.pk}/invitable/"
    assert police_fr.pk not in [row["id"] for row in client.get(invitable).json()]  # invited here
    services.operation_answer(actor=police_coordinator_fr, operation=operation, accept=False)
    assert police_fr.pk in [row["id"] for row in client.get(invitable).json()]
    assert police_fr.pk not in [row["id"] for row in client.get(f"{OPERATIONS}{other.pk}/invitable/").json()]
    page = client_for("coordinator_fr").get(f"/operations/{operation.pk}/").content.decode()
    assert f'name="organization" value="{police_fr.pk}"' in page
    again = client.post(f"{OPERATIONS}{operation.pk}/invite/", {"organization": police_fr.pk}, format="json")
    assert again.status_code == 200, again.json()
    seat = OperationParticipant.objects.get(operation=operation, organization=police_fr)
    assert seat.status == ParticipantStatus.INVITED
