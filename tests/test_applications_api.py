"""Applications for action through the API (DESIGN.md, "Representatives and applications for
action" and the API table): who sees and does what, the first decision winning, bad input a 400
naming the field, and the list's query count bounded."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import AuditEntry
from applications import services
from applications.models import Application, ApplicationStatus, ApplicationStep, StepKind
from brands.models import TrademarkRegistration

from .applications_fixtures import VALID_UNTIL, told

pytest_plugins = ["tests.brand_fixtures", "tests.network_fixtures", "tests.applications_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"
FIELDS = {
    "id",
    "right_holder",
    "country",
    "trademarks",
    "brands",
    "products",
    "status",
    "submitted",
    "valid_until",
    "extension_requested",
    "extension_due_by",
    "reason",
}
EVERYONE = (
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "coordinator_fr",
    "officer_fr",
    "coordinator_de",
    "officer_de",
    "police_coordinator_fr",
    "police_officer_fr",
    "platform_admin",
)
ACME = {"acme_admin", "acme_editor", "acme_viewer"}
ACME_WRITERS = {"acme_admin", "acme_editor"}


def expected(persona: str, readers: set[str], writers: set[str], ok: int = 200) -> int:
    if persona not in readers:
        return 404
    return ok if persona in writers else 403


# --------------------------------------------------------------------------- the holder files


def test_an_editor_creates_a_draft(api, acme_editor, acme, brand_fr, product_fr, customs_fr):
    mark = TrademarkRegistration.objects.create(brand=brand_fr, office="EUIPO", number="0185", expiry_date=None)
    response = api(acme_editor).post(
        URL,
        {"country": "fr", "brands": [brand_fr.pk], "products": [product_fr.pk], "trademarks": [mark.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["right_holder"] == {"id": acme.pk, "name": acme.name}
    assert (body["country"], body["brands"], body["products"], body["trademarks"]) == (
        "FR",
        [brand_fr.pk],
        [product_fr.pk],
        [mark.pk],
    )
    assert body["status"] == "draft" and body["submitted"] is None and body["valid_until"] is None
    assert body["extension_due_by"] is None and body["extension_requested"] is False
    application = Application.objects.get(pk=body["id"])
    assert AuditEntry.objects.filter(action="application.created", target_id=str(application.pk)).exists()


@pytest.mark.parametrize("persona", ["acme_viewer", "coordinator_fr", "officer_fr", "police_officer_fr"])
def test_only_a_right_holders_admins_and_editors_create(request, api, persona, brand_fr, customs_fr):
    response = api(request.getfixturevalue(persona)).post(
        URL, {"country": "FR", "brands": [brand_fr.pk]}, format="json"
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "FR", "brands": []}, "brands"),
        ({"country": "FR"}, "brands"),
        ({"country": "FR", "brands": "seven"}, "brands"),
        ({"country": "FR", "brands": [2**70]}, "brands"),
        ({"country": "XX", "brands": ["BRAND"]}, "country"),
        ({"country": "ZZ", "brands": ["BRAND"]}, "country"),
        # A country with no customs administration on the portal: nobody could decide.
        ({"country": "PT", "brands": ["BRAND"]}, "country"),
        ({"brands": ["BRAND"]}, "country"),
        ({"country": "FR", "brands": ["GLOBEX"]}, "brands"),
        ({"country": "FR", "brands": ["BRAND"], "products": ["OTHER_PRODUCT"]}, "products"),
        ({"country": "FR", "brands": ["BRAND"], "products": [999999]}, "products"),
        ({"country": "FR", "brands": ["BRAND"], "trademarks": ["GLOBEX_MARK"]}, "trademarks"),
        ({"country": "FR", "brands": ["BRAND"], "right_holder": "GLOBEX_ORG"}, "right_holder"),
        ({"country": "FR", "brands": ["BRAND"], "valid_until": "2030-01-01"}, "valid_until"),
        ({"country": "FR", "brands": ["BRAND"], "status": "granted"}, "status"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api, acme_editor, brand_fr, brand_all, globex_brand, globex, customs_fr, body, field
):
    from brands import services as catalogue

    other_product = catalogue.product_create(
        actor=acme_editor, brand=brand_all, data={"name": "Other", "sku": "O-1", "category": "watches_jewellery"}
    )
    globex_mark = TrademarkRegistration.objects.create(brand=globex_brand, office="EUIPO", number="9")
    names = {
        "BRAND": brand_fr.pk,
        "GLOBEX": globex_brand.pk,
        "OTHER_PRODUCT": other_product.pk,
        "GLOBEX_MARK": globex_mark.pk,
        "GLOBEX_ORG": globex.pk,
    }

    def resolve(value):
        if isinstance(value, list):
            return [names.get(item, item) for item in value]
        return names.get(value, value)

    response = api(acme_editor).post(URL, {key: resolve(value) for key, value in body.items()}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Application.objects.exists()


# --------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_reads_a_draft(request, api, persona, draft):
    response = api(request.getfixturevalue(persona)).get(f"{URL}{draft.pk}/")
    assert response.status_code == expected(persona, ACME | {"platform_admin"}, ACME | {"platform_admin"})


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_reads_a_submitted_application(request, api, persona, submitted):
    readers = ACME | {"platform_admin", "coordinator_fr"}
    response = api(request.getfixturevalue(persona)).get(f"{URL}{submitted.pk}/")
    assert response.status_code == expected(persona, readers, readers)


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_reads_a_granted_application(request, api, persona, granted):
    readers = ACME | {"platform_admin", "coordinator_fr", "officer_fr"}
    response = api(request.getfixturevalue(persona)).get(f"{URL}{granted.pk}/")
    assert response.status_code == expected(persona, readers, readers)
    if response.status_code == 200:
        assert response.json()["status"] == "granted"


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_lists_which(request, api, persona, draft, acme_editor, brand_fr, coordinator_fr, today):
    other = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})
    services.application_submit(actor=acme_editor, application=other)
    third = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})
    services.application_submit(actor=acme_editor, application=third)
    services.application_grant(actor=coordinator_fr, application=third, valid_until=VALID_UNTIL)
    seen = {
        **{
            who: {draft.pk, other.pk, third.pk}
            for who in ("acme_admin", "acme_editor", "acme_viewer", "platform_admin")
        },
        "coordinator_fr": {other.pk, third.pk},
        "officer_fr": {third.pk},
    }
    response = api(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == seen.get(persona, set())


def test_an_officer_no_longer_sees_an_application_past_its_validity(api, officer_fr, granted, today):
    from datetime import timedelta

    today(VALID_UNTIL)
    assert api(officer_fr).get(f"{URL}{granted.pk}/").status_code == 200
    today(VALID_UNTIL + timedelta(days=1))
    assert api(officer_fr).get(f"{URL}{granted.pk}/").status_code == 404


# --------------------------------------------------------------------------- who does what


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_edits_the_draft(request, api, persona, draft, brand_all):
    response = api(request.getfixturevalue(persona)).patch(
        f"{URL}{draft.pk}/", {"brands": [brand_all.pk]}, format="json"
    )
    assert response.status_code == expected(persona, ACME | {"platform_admin"}, ACME_WRITERS)
    draft.refresh_from_db()
    changed = list(draft.brands.values_list("pk", flat=True)) == [brand_all.pk]
    assert changed == (response.status_code == 200)


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_submits(request, api, persona, draft, django_capture_on_commit_callbacks, coordinator_fr):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(request.getfixturevalue(persona)).post(f"{URL}{draft.pk}/submit/")
    assert response.status_code == expected(persona, ACME | {"platform_admin"}, ACME_WRITERS)
    draft.refresh_from_db()
    assert (draft.status == ApplicationStatus.SUBMITTED) == (response.status_code == 200)
    if response.status_code == 200:
        assert response.json()["status"] == "submitted" and response.json()["submitted"]
        # The other side is told: the addressed administration's coordinators, no one else.
        assert told("application.submitted") == {coordinator_fr.email}


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_grants(
    request, api, persona, submitted, today, acme_admin, acme_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(request.getfixturevalue(persona)).post(
            f"{URL}{submitted.pk}/grant/", {"valid_until": VALID_UNTIL.isoformat()}, format="json"
        )
    readers = ACME | {"platform_admin", "coordinator_fr"}
    assert response.status_code == expected(persona, readers, {"coordinator_fr"})
    submitted.refresh_from_db()
    assert (submitted.status == ApplicationStatus.GRANTED) == (response.status_code == 200)
    if response.status_code == 200:
        body = response.json()
        assert body["valid_until"] == "2026-08-31" and body["extension_due_by"] == "2026-07-20"
        assert told("application.decided") == {acme_admin.email, acme_editor.email}


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_rejects(request, api, persona, submitted):
    response = api(request.getfixturevalue(persona)).post(
        f"{URL}{submitted.pk}/reject/", {"reason": "The trade mark is not registered in France."}, format="json"
    )
    readers = ACME | {"platform_admin", "coordinator_fr"}
    assert response.status_code == expected(persona, readers, {"coordinator_fr"})
    if response.status_code == 200:
        assert response.json()["status"] == "rejected"
        assert response.json()["reason"] == "The trade mark is not registered in France."


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_asks_for_an_extension(request, api, persona, granted):
    response = api(request.getfixturevalue(persona)).post(f"{URL}{granted.pk}/request-extension/")
    readers = ACME | {"platform_admin", "coordinator_fr", "officer_fr"}
    assert response.status_code == expected(persona, readers, ACME_WRITERS)
    if response.status_code == 200:
        assert response.json()["extension_requested"] is True


# --------------------------------------------------------------------------- transitions


def test_the_first_decision_wins(api, submitted, coordinator_fr, customs_fr, today):
    from .factories import member

    second = member(customs_fr, "coordinator", email="camille@douane.example")
    first = api(coordinator_fr).post(f"{URL}{submitted.pk}/grant/", {"valid_until": "2026-08-31"}, format="json")
    assert first.status_code == 200
    late_reject = api(second).post(f"{URL}{submitted.pk}/reject/", {"reason": "No."}, format="json")
    late_grant = api(second).post(f"{URL}{submitted.pk}/grant/", {"valid_until": "2027-01-31"}, format="json")
    assert late_reject.status_code == 400 and set(late_reject.json()) == {"status"}
    assert late_grant.status_code == 400 and set(late_grant.json()) == {"status"}
    submitted.refresh_from_db()
    assert (submitted.status, submitted.valid_until.isoformat(), submitted.decided_by) == (
        "granted",
        "2026-08-31",
        coordinator_fr,
    )


def test_a_rejection_is_final(api, submitted, coordinator_fr, today):
    assert (
        api(coordinator_fr).post(f"{URL}{submitted.pk}/reject/", {"reason": "No."}, format="json").status_code == 200
    )
    response = api(coordinator_fr).post(f"{URL}{submitted.pk}/grant/", {"valid_until": "2026-08-31"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"status"}


def test_decisions_are_serialized_by_a_row_lock(submitted, coordinator_fr, today):
    """The decision reads the status under SELECT ... FOR UPDATE: a concurrent decision waits
    for the first one's commit and then reads its status."""
    with connection.execute_wrapper(_record := _Recorder()):
        services.application_grant(actor=coordinator_fr, application=submitted, valid_until=VALID_UNTIL)
    assert any("FOR UPDATE" in sql and "applications_application" in sql for sql in _record.statements)


class _Recorder:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.parametrize(
    "body", [{}, {"valid_until": "tomorrow"}, {"valid_until": "2026-06-01"}, {"valid_until": "2026-05-01"}]
)
def test_a_grant_needs_a_date_after_today(api, submitted, coordinator_fr, today, body):
    response = api(coordinator_fr).post(f"{URL}{submitted.pk}/grant/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"valid_until"}


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_a_rejection_needs_a_reason(api, submitted, coordinator_fr, body):
    response = api(coordinator_fr).post(f"{URL}{submitted.pk}/reject/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"reason"}


def test_only_a_draft_is_edited_or_submitted(api, acme_editor, submitted, brand_all):
    patch = api(acme_editor).patch(f"{URL}{submitted.pk}/", {"brands": [brand_all.pk]}, format="json")
    again = api(acme_editor).post(f"{URL}{submitted.pk}/submit/")
    assert patch.status_code == 400 and set(patch.json()) == {"status"}
    assert again.status_code == 400 and set(again.json()) == {"status"}


def test_editing_keeps_products_within_the_brands(api, acme_editor, brand_fr, brand_all, product_fr, customs_fr):
    created = api(acme_editor).post(
        URL, {"country": "FR", "brands": [brand_fr.pk], "products": [product_fr.pk]}, format="json"
    )
    pk = created.json()["id"]
    response = api(acme_editor).patch(f"{URL}{pk}/", {"brands": [brand_all.pk]}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"products"}
    response = api(acme_editor).patch(f"{URL}{pk}/", {"brands": [brand_all.pk], "products": []}, format="json")
    assert response.status_code == 200 and response.json()["products"] == []


def test_an_application_to_another_country(api, acme_editor, brand_all, coordinator_de, coordinator_fr, customs_de):
    created = api(acme_editor).post(URL, {"country": "DE", "brands": [brand_all.pk]}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    api(acme_editor).post(f"{URL}{pk}/submit/")
    assert api(coordinator_de).get(f"{URL}{pk}/").status_code == 200
    assert api(coordinator_fr).get(f"{URL}{pk}/").status_code == 404
    assert api(coordinator_fr).post(f"{URL}{pk}/reject/", {"reason": "x"}, format="json").status_code == 404


def test_every_step_is_in_the_history_and_the_audit_log(api, acme_editor, coordinator_fr, draft, today):
    api(acme_editor).post(f"{URL}{draft.pk}/submit/")
    api(coordinator_fr).post(f"{URL}{draft.pk}/grant/", {"valid_until": "2026-08-31"}, format="json")
    api(acme_editor).post(f"{URL}{draft.pk}/request-extension/")
    api(coordinator_fr).post(f"{URL}{draft.pk}/grant/", {"valid_until": "2027-08-31"}, format="json")
    steps = list(ApplicationStep.objects.filter(application=draft).values_list("kind", flat=True))
    assert steps == [
        StepKind.CREATED,
        StepKind.SUBMITTED,
        StepKind.GRANTED,
        StepKind.EXTENSION_REQUESTED,
        StepKind.EXTENDED,
    ]
    actions = set(AuditEntry.objects.filter(target_id=str(draft.pk)).values_list("action", flat=True))
    assert actions == {
        "application.created",
        "application.submitted",
        "application.granted",
        "application.extension_requested",
        "application.extended",
    }


# --------------------------------------------------------------------------- query counts


def test_the_list_reads_a_bounded_number_of_queries(
    api, acme_editor, brand_fr, brand_all, product_fr, customs_fr, django_assert_max_num_queries
):
    client = api(acme_editor)
    client.get(URL)  # the token's person cached

    def make(count: int) -> None:
        for _ in range(count):
            services.application_create(
                actor=acme_editor,
                data={"country": "FR", "brands": [brand_fr.pk, brand_all.pk], "products": [product_fr.pk]},
            )

    make(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(URL).json()["count"] == 2
    make(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).json()["count"] == 20


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_deciding_at_once_one_wins(acme_editor, brand_fr, customs_fr, coordinator_fr):
    """Two coordinators decide the same application in two connections at the same moment: one
    decision is recorded, the other is refused naming `status`."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connections

    from .factories import member

    second = member(customs_fr, "coordinator", email="camille@douane.example")
    application = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_fr.pk]})
    services.application_submit(actor=acme_editor, application=application)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name, call):
        try:
            start.wait()
            call()
            outcomes[name] = "ok"
        except ValidationError as error:
            outcomes[name] = ",".join(sorted(error.message_dict))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=decide,
            args=(
                "grant",
                lambda: services.application_grant(
                    actor=coordinator_fr, application=application, valid_until="2099-01-01"
                ),
            ),
        ),
        threading.Thread(
            target=decide,
            args=("reject", lambda: services.application_reject(actor=second, application=application, reason="No.")),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["ok", "status"], outcomes
    application.refresh_from_db()
    winner = "grant" if outcomes["grant"] == "ok" else "reject"
    assert application.status == {"grant": "granted", "reject": "rejected"}[winner]
    assert ApplicationStep.objects.filter(application=application, kind__in=["granted", "rejected"]).count() == 1


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_reads_the_history(request, api, persona, granted):
    readers = ACME | {"platform_admin", "coordinator_fr", "officer_fr"}
    response = api(request.getfixturevalue(persona)).get(f"{URL}{granted.pk}/history/")
    assert response.status_code == expected(persona, readers, readers)
    if response.status_code == 200:
        body = response.json()
        assert [step["kind"] for step in body] == ["created", "submitted", "granted"]
        assert body[2]["organization"] == "Douane française" and body[2]["valid_until"] == "2026-08-31"
        assert "actor" not in body[0]


def test_the_list_page_reads_a_bounded_number_of_queries(
    client, acme_editor, brand_fr, brand_all, product_fr, customs_fr, django_assert_max_num_queries
):
    client.force_login(acme_editor)
    client.get("/applications/")

    def make(count: int) -> None:
        for _ in range(count):
            services.application_create(
                actor=acme_editor,
                data={"country": "FR", "brands": [brand_fr.pk, brand_all.pk], "products": [product_fr.pk]},
            )

    make(2)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/applications/").status_code == 200
    make(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/applications/").status_code == 200
