"""Coordination pages in the browser (issue 14): a case's subjects on "open a case" and on its
own page, the deconfliction hits on the case page (both organizations, never the brand owner),
and the joint operation pages: list, create, detail (edit, invite, close, accept, decline) and
results (tables, a chart drawn as SVG, CSV).

The operation's personas: French customs lead it (coordinator_fr, officer_fr), German customs
are invited (coordinator_de answers; officer_de sees nothing until then), French police are a
third organization (404), Acme the right holder whose brand a case tagged (name, dates,
results), Globex a right holder with nothing tagged (404)."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from alerts import services
from alerts.models import (
    Case,
    CaseStatus,
    CaseSubject,
    DeconflictionHit,
    Operation,
    OperationParticipant,
    OperationStatus,
    ParticipantStatus,
)

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db

COMPANY = {"kind": "company", "value": "ACME Trading Co., Ltd."}


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> str:
    return (today() + datetime.timedelta(days=n)).isoformat()


def rows(*subjects, extra: int = 0) -> dict:
    """The subjects' rows as the form posts them, with `extra` empty rows."""
    data = {"subjects-TOTAL_FORMS": str(len(subjects) + extra), "subjects-INITIAL_FORMS": "0"}
    for index, subject in enumerate(subjects):
        data[f"subjects-{index}-kind"] = subject.get("kind", "")
        data[f"subjects-{index}-value"] = subject.get("value", "")
    for index in range(len(subjects), len(subjects) + extra):
        data[f"subjects-{index}-kind"] = ""
        data[f"subjects-{index}-value"] = ""
    return data


def html(response) -> str:
    return response.content.decode()


def to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def case_form(brand, **extra) -> dict:
    return {"brand": brand.pk, "description": "Watches", "quantity": "12", "location": "Calais", **extra}


@pytest.fixture
def brand_police(acme_editor):
    """An Acme brand shared with French customs and police."""
    from brands import services as brand_services

    return brand_services.brand_create(
        actor=acme_editor,
        data={
            "name": "Lumina Network",
            "visibility": {"all": False, "countries": ["FR"], "agencies": ["customs", "police"]},
        },
    )


@pytest.fixture
def operation(coordinator_fr, brand_all, customs_de):
    """Led by French customs; German customs invited, not answered yet."""
    op = services.operation_create(
        actor=coordinator_fr,
        data={
            "name": "Operation Opson",
            "description": "Fake watches through the Channel ports.",
            "starts": days(-7),
            "ends": days(30),
            "categories": ["watches_jewellery"],
            "brands": [brand_all.pk],
        },
    )
    services.operation_invite(actor=coordinator_fr, operation=op, organization=customs_de.pk)
    return op


@pytest.fixture
def tagged_case(officer_fr, brand_all, operation, acme_admin):
    return services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk, quantity=40))


@pytest.fixture
def hit(officer_fr, police_officer_fr, coordinator_fr, police_coordinator_fr, brand_police, acme_admin):
    """A customs case and a police case on the same company: one hit."""
    customs = services.case_open(actor=officer_fr, data=case_data(brand_police, subjects=[COMPANY]))
    police = services.case_open(
        actor=police_officer_fr,
        data=case_data(
            brand_police, procedure="verification", subjects=[{"kind": "company", "value": "acme trading co ltd"}]
        ),
    )
    return {"customs": customs, "police": police, "hit": DeconflictionHit.objects.get()}


# --------------------------------------------------------------------------- open a case


def test_the_case_form_offers_subject_rows_shared_by_default_for_a_detention(client_for):
    form = html(client_for("officer_fr").get("/cases/open/"))
    assert 'name="subjects-TOTAL_FORMS" value="3"' in form
    assert 'name="subjects-2-value"' in form and 'name="subjects-3-value"' not in form
    assert '<template id="subject-row-template">' in form and "subjects-__prefix__-kind" in form
    assert "data-add-subject hidden" in form and "/static/cases/subjects.js" in form
    assert 'name="share_subjects"' in form and 'id="id_share_subjects" checked' in form
    assert "The brand owner sees the subjects only if you share them." in form
    assert 'name="operation"' not in form  # no operation to tag with


def test_a_verification_is_not_shared_by_default(client_for):
    form = html(client_for("police_officer_fr").get("/cases/open/"))
    assert 'name="share_subjects"' in form and 'id="id_share_subjects" checked' not in form


def test_an_officer_opens_a_case_with_subjects_and_an_operation(client_for, brand_all, operation):
    client = client_for("officer_fr")
    form = html(client.get("/cases/open/"))
    assert f'<option value="{operation.pk}">Operation Opson</option>' in form
    data = {
        **case_form(brand_all),
        **rows(COMPANY, {"kind": "phone", "value": "06 12 34 56 78"}, extra=2),
        "share_subjects": "on",
        "operation": operation.pk,
    }
    response = client.post("/cases/open/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.share_subjects and case.operation == operation
    assert list(CaseSubject.objects.values_list("kind", "value", "normal")) == [
        ("company", "ACME Trading Co., Ltd.", "acmetradingcoltd"),
        ("phone", "06 12 34 56 78", "+33612345678"),
    ]
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "ACME Trading Co., Ltd." in page and f'href="/operations/{operation.pk}/">Operation Opson</a>' in page


def test_an_unticked_box_keeps_the_subjects_from_the_brand_owner(client_for, brand_all, acme_admin):
    client_for("officer_fr").post("/cases/open/", {**case_form(brand_all), **rows(COMPANY)})
    case = Case.objects.get()
    assert not case.share_subjects and CaseSubject.objects.count() == 1
    owner_page = html(client_for("acme_admin").get(f"/cases/{case.pk}/"))
    assert "ACME Trading" not in owner_page and 'id="subjects"' not in owner_page


@pytest.mark.parametrize(
    ("subjects", "message"),
    [
        ([{"kind": "phone", "value": "12"}], "“12” is not a phone number"),
        ([{"kind": "container", "value": "CSQU3054384"}], "is not an ISO 6346 container number"),
        ([{"kind": "ship", "value": "Black Pearl"}], "Select a valid choice"),
        ([{"kind": "", "value": "Black Pearl"}], "Choose what this subject is."),
        ([{"kind": "company", "value": "x" * 301}], "at most 300 characters"),
        ([COMPANY] * 51, "At most 50 subjects a case."),
    ],
)
def test_bad_subjects_are_shown_on_the_form_and_nothing_is_saved(client_for, brand_all, subjects, message):
    response = client_for("officer_fr").post("/cases/open/", {**case_form(brand_all), **rows(*subjects)})
    assert response.status_code == 400
    page = html(response)
    assert message in page and 'class="error-summary"' in page
    assert not Case.objects.exists() and not CaseSubject.objects.exists()


def test_a_tampered_subjects_form_is_a_400_page(client_for, brand_all):
    data = {**case_form(brand_all), **rows(COMPANY), "subjects-TOTAL_FORMS": "many"}
    response = client_for("officer_fr").post("/cases/open/", data)
    assert response.status_code == 400 and not Case.objects.exists()
    data = {**case_form(brand_all), **rows(COMPANY), "subjects-TOTAL_FORMS": "1000"}
    response = client_for("officer_fr").post("/cases/open/", data)
    assert response.status_code == 400 and "At most 50 subjects a case." in html(response)
    assert not Case.objects.exists()


def test_an_operation_the_organization_does_not_take_part_in_is_refused(
    client_for, brand_all, coordinator_de, operation
):
    theirs = services.operation_create(
        actor=coordinator_de, data={"name": "Zoll only", "starts": days(-1), "ends": days(5)}
    )
    data = {**case_form(brand_all), **rows(COMPANY), "operation": theirs.pk}
    response = client_for("officer_fr").post("/cases/open/", data)
    assert response.status_code == 400 and "Select a valid choice" in html(response)
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- a case's subjects page


def test_the_officers_change_the_subjects_on_their_own_page(client_for, officer_fr, brand_all, operation):
    case = services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=[COMPANY]))
    client = client_for("officer_fr")
    detail = html(client.get(f"/cases/{case.pk}/"))
    assert f'href="/cases/{case.pk}/subjects/"' in detail
    form = html(client.get(f"/cases/{case.pk}/subjects/"))
    assert 'value="ACME Trading Co., Ltd."' in form and 'name="subjects-TOTAL_FORMS" value="4"' in form
    assert 'id="id_share_subjects" checked' in form and f'<option value="{operation.pk}">' in form
    data = {
        **rows({"kind": "website", "value": "https://www.shop.example/store/1"}, extra=1),
        "operation": operation.pk,
    }
    response = client.post(f"/cases/{case.pk}/subjects/", data)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#subjects"
    case.refresh_from_db()
    assert not case.share_subjects and case.operation == operation
    assert list(CaseSubject.objects.values_list("kind", "normal")) == [("website", "shop.example/store/1")]
    assert AuditEntry.objects.filter(action="case.subjects_changed").count() == 3  # open, share, subjects


def test_a_case_keeps_its_operation_once_closed_when_its_subjects_change(
    client_for, officer_fr, coordinator_fr, tagged_case, operation
):
    services.operation_close(actor=coordinator_fr, operation=operation)
    client = client_for("officer_fr")
    form = html(client.get(f"/cases/{tagged_case.pk}/subjects/"))
    assert f'<option value="{operation.pk}" selected>Operation Opson</option>' in form
    response = client.post(
        f"/cases/{tagged_case.pk}/subjects/", {**rows(COMPANY), "share_subjects": "on", "operation": operation.pk}
    )
    assert response.status_code == 302
    tagged_case.refresh_from_db()
    assert tagged_case.operation == operation and CaseSubject.objects.count() == 1


def test_bad_subjects_on_the_subjects_page_change_nothing(client_for, officer_fr, brand_all):
    case = services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=[COMPANY]))
    response = client_for("officer_fr").post(
        f"/cases/{case.pk}/subjects/", {**rows({"kind": "phone", "value": "12"}), "share_subjects": "on"}
    )
    assert response.status_code == 400 and "“12” is not a phone number" in html(response)
    assert list(CaseSubject.objects.values_list("value", flat=True)) == ["ACME Trading Co., Ltd."]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator_fr", 200), ("acme_admin", 403), ("officer_de", 404), ("other_rightholder", 404)],
)
def test_who_opens_the_subjects_page(client_for, officer_fr, brand_all, persona, status):
    case = services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=[COMPANY]))
    client = client_for(persona)
    assert client.get(f"/cases/{case.pk}/subjects/").status_code == status
    posted = client.post(f"/cases/{case.pk}/subjects/", rows({"kind": "company", "value": "Other Ltd"}))
    assert posted.status_code == (302 if status == 200 else status)
    expected = "Other Ltd" if status == 200 else "ACME Trading Co., Ltd."
    assert list(CaseSubject.objects.values_list("value", flat=True)) == [expected]


def test_the_subjects_page_sends_anonymous_visitors_to_sign_in(client_for, case_fr):
    assert to_sign_in(client_for("anonymous").get(f"/cases/{case_fr.pk}/subjects/"))


def test_a_closed_case_keeps_its_subjects(client_for, officer_fr, case_fr):
    services.case_close(actor=officer_fr, case=case_fr, outcome="other")
    client = client_for("officer_fr")
    assert 'href="/cases/' + str(case_fr.pk) + '/subjects/"' not in html(client.get(f"/cases/{case_fr.pk}/"))
    response = client.post(f"/cases/{case_fr.pk}/subjects/", rows(COMPANY))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case_fr.pk}/"
    assert not CaseSubject.objects.exists() and Case.objects.get().status == CaseStatus.CLOSED


# --------------------------------------------------------------------------- deconfliction


@pytest.mark.parametrize(
    ("persona", "side", "other"),
    [
        ("officer_fr", "customs", "Police nationale (Police, France)"),
        ("coordinator_fr", "customs", "Police nationale (Police, France)"),
        ("police_officer_fr", "police", "Douane française (Customs administration, France)"),
        ("police_coordinator_fr", "police", "Douane française (Customs administration, France)"),
    ],
)
def test_both_organizations_see_the_hit_and_whom_to_call(client_for, hit, persona, side, other):
    page = html(client_for(persona).get(f"/cases/{hit[side].pk}/"))
    assert 'id="deconfliction"' in page
    assert f"{other} has a case on the same company since" in page
    contact = "paul@police.example" if side == "customs" else "claire@douane.example"
    assert f'href="mailto:{contact}"' in page
    # Never the other case's content.
    assert "/cases/{}/".format(hit["police" if side == "customs" else "customs"].pk) not in page
    marks = f'action="/cases/{hit[side].pk}/deconfliction/{hit["hit"].pk}/in-contact/"' in page
    assert marks == persona.startswith(("coordinator", "police_coordinator"))


@pytest.mark.parametrize("persona", ["acme_admin", "acme_editor", "acme_viewer"])
def test_the_brand_owner_never_sees_the_hit(client_for, hit, persona):
    for side in ("customs", "police"):
        page = html(client_for(persona).get(f"/cases/{hit[side].pk}/"))
        assert 'id="deconfliction"' not in page and "in-contact" not in page
        other = "Police nationale" if side == "customs" else "Douane française"
        assert other not in page


def test_a_coordinator_marks_a_hit_in_contact(client_for, hit):
    client = client_for("coordinator_fr")
    url = f"/cases/{hit['customs'].pk}/deconfliction/{hit['hit'].pk}/in-contact/"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/cases/{hit['customs'].pk}/#deconfliction"
    assert DeconflictionHit.objects.get().in_contact_at is not None
    assert AuditEntry.objects.filter(action="deconfliction.in_contact").count() == 1
    page = html(client.get(f"/cases/{hit['customs'].pk}/"))
    assert "In contact" in page and url not in page
    # The police see it too.
    assert "In contact" in html(client_for("police_officer_fr").get(f"/cases/{hit['police'].pk}/"))


@pytest.mark.parametrize(
    ("persona", "side", "status"),
    [
        ("officer_fr", "customs", 403),
        ("police_officer_fr", "police", 403),
        ("acme_admin", "customs", 403),
        ("coordinator_de", "customs", 404),
        ("police_coordinator_fr", "customs", 404),
        ("other_rightholder", "police", 404),
    ],
)
def test_others_cannot_mark_a_hit(client_for, hit, persona, side, status):
    response = client_for(persona).post(f"/cases/{hit[side].pk}/deconfliction/{hit['hit'].pk}/in-contact/")
    assert response.status_code == status
    assert DeconflictionHit.objects.get().in_contact_at is None


def test_a_hit_of_another_case_is_not_found(client_for, hit, officer_fr, brand_police):
    mine = services.case_open(actor=officer_fr, data=case_data(brand_police))
    client = client_for("coordinator_fr")
    assert client.post(f"/cases/{mine.pk}/deconfliction/{hit['hit'].pk}/in-contact/").status_code == 404
    assert client.get(f"/cases/{hit['customs'].pk}/deconfliction/{hit['hit'].pk}/in-contact/").status_code == 405
    assert DeconflictionHit.objects.get().in_contact_at is None


def test_anonymous_visitors_are_sent_to_sign_in_to_mark_a_hit(client_for, hit):
    url = f"/cases/{hit['customs'].pk}/deconfliction/{hit['hit'].pk}/in-contact/"
    assert to_sign_in(client_for("anonymous").post(url))


def test_the_case_page_with_hits_takes_a_bounded_number_of_queries(
    client_for, officer_fr, officer_de, coordinator_fr, coordinator_de, brand_all, django_assert_max_num_queries
):
    mine = services.case_open(actor=officer_fr, data=case_data(brand_all, subjects=[COMPANY]))
    client = client_for("coordinator_fr")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{mine.pk}/").status_code == 200
        return len(queries)

    services.case_open(actor=officer_de, data=case_data(brand_all, subjects=[COMPANY]))
    one = count()
    for _ in range(3):
        services.case_open(actor=officer_de, data=case_data(brand_all, subjects=[COMPANY]))
    assert DeconflictionHit.objects.count() == 4
    with django_assert_max_num_queries(one):
        page = html(client.get(f"/cases/{mine.pk}/"))
    assert page.count("Zoll (Customs administration, Germany) has a case") == 4
    with django_assert_max_num_queries(30):
        client.get(f"/cases/{mine.pk}/")


# --------------------------------------------------------------------------- operations: who sees what

PERSONAS = (
    "coordinator_fr",
    "officer_fr",
    "coordinator_de",
    "officer_de",
    "police_coordinator_fr",
    "acme_admin",
    "other_rightholder",
    "platform_admin",
)
# persona: (list, detail, results, listed). The platform takes part in no operation: "operations.read"
# refuses it the list, an operation's page and its results (403) before any operation is looked up.
SEES = {
    "coordinator_fr": (200, 200, 200, True),
    "officer_fr": (200, 200, 200, True),
    "coordinator_de": (200, 200, 403, True),
    "officer_de": (200, 404, 404, False),
    "police_coordinator_fr": (200, 404, 404, False),
    "acme_admin": (200, 200, 200, True),
    "other_rightholder": (200, 404, 404, False),
    "platform_admin": (403, 403, 403, False),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_an_operation(client_for, tagged_case, operation, persona):
    listed_status, detail, results, listed = SEES[persona]
    client = client_for(persona)
    listing = client.get("/operations/")
    assert listing.status_code == listed_status
    assert (f'href="/operations/{operation.pk}/"' in html(listing)) == listed
    assert ("Operation Opson" in html(listing)) == listed
    assert client.get(f"/operations/{operation.pk}/").status_code == detail
    assert client.get(f"/operations/{operation.pk}/results/").status_code == results
    assert client.get(f"/operations/{operation.pk}/results.csv").status_code == results


def test_anonymous_visitors_are_sent_to_sign_in(client_for, operation):
    client = client_for("anonymous")
    for url in (
        "/operations/",
        "/operations/new/",
        f"/operations/{operation.pk}/",
        f"/operations/{operation.pk}/results/",
    ):
        assert to_sign_in(client.get(url)), url
    for verb in ("invite", "accept", "decline", "close"):
        assert to_sign_in(client.post(f"/operations/{operation.pk}/{verb}/")), verb


def test_the_nav_links_to_the_operations(client_for):
    assert 'href="/operations/"' in html(client_for("officer_fr").get("/cases/"))
    assert 'href="/operations/"' in html(client_for("acme_viewer").get("/cases/"))
    assert 'href="/operations/"' not in html(client_for("platform_admin").get("/cases/"))


def test_the_platform_never_gets_an_operation_page(client_for, tagged_case, operation, customs_de):
    # 403 where the page asks "operations.read" first (the list, "new", an operation, its
    # results), 404 where it looks the operation up first (which the platform does not see):
    # never an operation's page, and nothing changes.
    before = (
        list(Operation.objects.values_list("pk", "name", "status")),
        list(OperationParticipant.objects.values_list("operation_id", "organization_id", "status")),
        AuditEntry.objects.count(),
    )
    client = client_for("platform_admin")
    base = f"/operations/{operation.pk}/"
    codes = {
        url: client.get(url).status_code
        for url in ("/operations/", "/operations/new/", base, f"{base}results/", f"{base}results.csv")
    }
    codes.update({f"{base}{name}/": client.get(f"{base}{name}/").status_code for name in ("edit", "close")})
    codes.update(
        {
            f"POST {base}{verb}/": client.post(f"{base}{verb}/", {"organization": customs_de.pk}).status_code
            for verb in ("edit", "invite", "accept", "decline", "close")
        }
    )
    assert codes == {
        "/operations/": 403,
        "/operations/new/": 403,
        base: 403,
        f"{base}results/": 403,
        f"{base}results.csv": 403,
        f"{base}edit/": 404,
        f"{base}close/": 404,
        f"POST {base}edit/": 404,
        f"POST {base}invite/": 404,
        f"POST {base}accept/": 404,
        f"POST {base}decline/": 404,
        f"POST {base}close/": 404,
    }, codes
    assert (
        list(Operation.objects.values_list("pk", "name", "status")),
        list(OperationParticipant.objects.values_list("operation_id", "organization_id", "status")),
        AuditEntry.objects.count(),
    ) == before
    # The tagged case's page: the case, not its operation.
    page = html(client.get(f"/cases/{tagged_case.pk}/"))
    assert "Operation Opson" not in page and f'href="{base}"' not in page


def test_the_platform_sees_neither_subjects_nor_hits_on_a_case_page(client_for, hit):
    client = client_for("platform_admin")
    for side in ("customs", "police"):
        response = client.get(f"/cases/{hit[side].pk}/")
        assert response.status_code == 200
        page = html(response)
        assert 'id="subjects"' not in page and 'id="deconfliction"' not in page
        assert "ACME Trading" not in page and "acme trading" not in page
        assert f'href="/cases/{hit[side].pk}/subjects/"' not in page and "in-contact" not in page
        assert client.get(f"/cases/{hit[side].pk}/subjects/").status_code == 403


def test_the_lead_reads_everything_and_manages(client_for, operation, brand_all):
    page = html(client_for("coordinator_fr").get(f"/operations/{operation.pk}/"))
    assert "Fake watches through the Channel ports." in page
    assert "Watches and jewellery" in page and brand_all.name in page
    assert "Douane française" in page and "Zoll" in page and "Invited" in page and "Taking part" in page
    for name in ("edit", "close"):
        assert f'href="/operations/{operation.pk}/{name}/"' in page
    # Both enforcement organizations there are take part or are invited already: none to invite.
    assert 'id="invite"' in page and "No organization to invite matches." in page
    assert f'action="/operations/{operation.pk}/invite/"' not in page
    assert f'href="/operations/{operation.pk}/results/"' in page


def test_an_officer_of_the_lead_reads_but_does_not_manage(client_for, operation):
    page = html(client_for("officer_fr").get(f"/operations/{operation.pk}/"))
    assert "Fake watches through the Channel ports." in page and "Zoll" in page
    assert "/edit/" not in page and "/close/" not in page and 'id="invite"' not in page


def test_an_invited_coordinator_sees_name_dates_and_lead_and_answers(client_for, operation):
    client = client_for("coordinator_de")
    page = html(client.get(f"/operations/{operation.pk}/"))
    assert "Operation Opson" in page and "Douane française" in page
    assert "Fake watches" not in page and "Watches and jewellery" not in page and 'id="participants"' not in page
    assert f'action="/operations/{operation.pk}/accept/"' in page
    assert f'action="/operations/{operation.pk}/decline/"' in page
    assert "/results/" not in page and "/edit/" not in page
    listing = html(client.get("/operations/"))
    assert "Invited" in listing and f'action="/operations/{operation.pk}/accept/"' in listing


def test_a_right_holder_sees_name_dates_and_its_results(client_for, operation, tagged_case):
    page = html(client_for("acme_admin").get(f"/operations/{operation.pk}/"))
    assert "Operation Opson" in page and f'href="/operations/{operation.pk}/results/"' in page
    assert "Fake watches" not in page and "Douane française" not in page and "Zoll" not in page
    assert "accept/" not in page and "/edit/" not in page
    listing = html(client_for("acme_admin").get("/operations/"))
    assert "Operation Opson" in listing and "Douane française" not in listing


# --------------------------------------------------------------------------- create, edit, close


def test_a_coordinator_creates_an_operation(client_for, coordinator_fr, brand_all):
    client = client_for("coordinator_fr")
    form = html(client.get("/operations/new/"))
    assert 'type="checkbox" name="categories" value="watches_jewellery"' in form
    assert f'<option value="{brand_all.pk}">{brand_all.name}</option>' in form
    response = client.post(
        "/operations/new/",
        {
            "name": "Operation Pangea",
            "description": "Medicines sold online.",
            "starts": days(0),
            "ends": days(14),
            "categories": ["pharmaceuticals", "cosmetics_perfume"],
            "brands": [brand_all.pk],
        },
    )
    op = Operation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/operations/{op.pk}/"
    assert op.lead == coordinator_fr.organization and op.categories == ["cosmetics_perfume", "pharmaceuticals"]
    assert list(op.brands.all()) == [brand_all]
    assert op.participants.get().status == ParticipantStatus.ACCEPTED


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ends": days(-3)}, "The operation ends on or after the day it starts."),
        ({"ends": days(800)}, "An operation lasts at most two years."),
        ({"name": ""}, "This field is required."),
        ({"starts": "someday"}, "Enter a valid date."),
        ({"categories": ["spaceships"]}, "Select a valid choice."),
        ({"brands": ["999999"]}, "Select a valid choice."),
    ],
)
def test_bad_operation_input_is_a_400_page(client_for, bad, message):
    data = {"name": "Operation X", "starts": days(0), "ends": days(10), **bad}
    response = client_for("coordinator_fr").post("/operations/new/", data)
    assert response.status_code == 400 and message in html(response)
    assert not Operation.objects.exists()


@pytest.mark.parametrize("persona", ["officer_fr", "acme_admin", "police_officer_fr"])
def test_only_coordinators_create_operations(client_for, persona):
    client = client_for(persona)
    assert client.get("/operations/new/").status_code == 403
    data = {"name": "Operation X", "starts": days(0), "ends": days(10)}
    assert client.post("/operations/new/", data).status_code == 403
    assert not Operation.objects.exists()
    assert "/operations/new/" not in html(client.get("/operations/"))


def test_the_lead_edits_the_operation(client_for, operation):
    client = client_for("coordinator_fr")
    form = html(client.get(f"/operations/{operation.pk}/edit/"))
    assert 'value="Operation Opson"' in form and 'value="watches_jewellery" id="id_categories_3" checked' in form
    data = {"name": "Operation Opson II", "description": "", "starts": days(-7), "ends": days(60)}
    response = client.post(f"/operations/{operation.pk}/edit/", data)
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.name == "Operation Opson II" and operation.ends == today() + datetime.timedelta(days=60)
    assert operation.categories == [] and not operation.brands.exists()
    bad = client.post(f"/operations/{operation.pk}/edit/", {**data, "ends": days(-30)})
    assert bad.status_code == 400 and "The operation ends on or after the day it starts." in html(bad)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_fr", 403), ("coordinator_de", 403), ("acme_admin", 403), ("police_coordinator_fr", 404)],
)
def test_others_do_not_edit_or_close(client_for, operation, tagged_case, persona, status):
    client = client_for(persona)
    data = {"name": "Hijacked", "starts": days(-7), "ends": days(30)}
    assert client.get(f"/operations/{operation.pk}/edit/").status_code == status
    assert client.post(f"/operations/{operation.pk}/edit/", data).status_code == status
    assert client.get(f"/operations/{operation.pk}/close/").status_code == status
    assert client.post(f"/operations/{operation.pk}/close/").status_code == status
    operation.refresh_from_db()
    assert operation.name == "Operation Opson" and operation.status == OperationStatus.OPEN


def test_the_lead_closes_the_operation_after_confirming(client_for, operation):
    client = client_for("coordinator_fr")
    confirm = html(client.get(f"/operations/{operation.pk}/close/"))
    assert f'action="/operations/{operation.pk}/close/"' in confirm and "Close the operation" in confirm
    assert Operation.objects.get().status == OperationStatus.OPEN
    response = client.post(f"/operations/{operation.pk}/close/")
    assert response.status_code == 302 and response["Location"] == f"/operations/{operation.pk}/"
    assert Operation.objects.get().status == OperationStatus.CLOSED
    page = html(client.get(f"/operations/{operation.pk}/"))
    assert "/edit/" not in page and 'id="invite"' not in page and "Closed" in page
    assert client.get(f"/operations/{operation.pk}/edit/").status_code == 302


# --------------------------------------------------------------------------- invite, accept, decline


def test_the_lead_searches_and_invites_an_organization(client_for, operation, police_fr, police_coordinator_fr):
    client = client_for("coordinator_fr")
    page = html(client.get(f"/operations/{operation.pk}/?q=police"))
    assert 'value="police"' in page and "Police nationale" in page
    assert f'name="organization" value="{police_fr.pk}"' in page
    assert "Zoll" not in page.split('id="invite"')[1]  # invited already
    response = client.post(f"/operations/{operation.pk}/invite/", {"organization": police_fr.pk})
    assert response.status_code == 302 and response["Location"] == f"/operations/{operation.pk}/#invite"
    seat = OperationParticipant.objects.get(organization=police_fr)
    assert seat.status == ParticipantStatus.INVITED
    assert "Police nationale" not in html(client.get(f"/operations/{operation.pk}/?q=police")).split('id="invite"')[1]
    assert client_for("police_coordinator_fr").get(f"/operations/{operation.pk}/").status_code == 200


def test_inviting_a_right_holder_is_refused_with_a_message(client_for, operation, acme):
    response = client_for("coordinator_fr").post(
        f"/operations/{operation.pk}/invite/", {"organization": acme.pk}, follow=True
    )
    assert "Choose an approved enforcement organization." in html(response)
    assert not OperationParticipant.objects.filter(organization=acme).exists()
    response = client_for("coordinator_fr").post(f"/operations/{operation.pk}/invite/", {"organization": "x"})
    assert response.status_code == 302 and OperationParticipant.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_fr", 403), ("coordinator_de", 403), ("police_coordinator_fr", 404), ("other_rightholder", 404)],
)
def test_only_the_lead_invites(client_for, operation, police_fr, persona, status):
    response = client_for(persona).post(f"/operations/{operation.pk}/invite/", {"organization": police_fr.pk})
    assert response.status_code == status
    assert not OperationParticipant.objects.filter(organization=police_fr).exists()


def test_the_invited_coordinator_accepts(client_for, operation, customs_de):
    assert client_for("officer_de").get(f"/operations/{operation.pk}/").status_code == 404
    response = client_for("coordinator_de").post(f"/operations/{operation.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"/operations/{operation.pk}/"
    assert OperationParticipant.objects.get(organization=customs_de).status == ParticipantStatus.ACCEPTED
    page = html(client_for("officer_de").get(f"/operations/{operation.pk}/"))
    assert "Fake watches through the Channel ports." in page and "accept/" not in page


def test_the_invited_coordinator_declines(client_for, operation, customs_de):
    client = client_for("coordinator_de")
    response = client.post(f"/operations/{operation.pk}/decline/")
    assert response.status_code == 302 and response["Location"] == "/operations/"
    assert OperationParticipant.objects.get(organization=customs_de).status == ParticipantStatus.DECLINED
    assert client.get(f"/operations/{operation.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_de", 404), ("coordinator_fr", 403), ("officer_fr", 403), ("police_coordinator_fr", 404)],
)
def test_only_the_invited_coordinators_answer(client_for, operation, customs_de, persona, status):
    client = client_for(persona)
    assert client.post(f"/operations/{operation.pk}/accept/").status_code == status
    assert client.post(f"/operations/{operation.pk}/decline/").status_code == status
    assert OperationParticipant.objects.get(organization=customs_de).status == ParticipantStatus.INVITED


def test_answering_twice_is_told_not_failed(client_for, operation, customs_de):
    client = client_for("coordinator_de")
    client.post(f"/operations/{operation.pk}/accept/")
    # Accepted: no invitation left to answer (the gate's `answer` rule).
    assert client.post(f"/operations/{operation.pk}/decline/").status_code == 403
    assert OperationParticipant.objects.get(organization=customs_de).status == ParticipantStatus.ACCEPTED


# --------------------------------------------------------------------------- results


def test_the_results_page_shows_totals_tables_and_a_chart(client_for, tagged_case, operation, officer_fr, brand_all):
    services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk, quantity=2))
    page = html(client_for("officer_fr").get(f"/operations/{operation.pk}/results/"))
    assert "<dt>Cases</dt><dd>2</dd>" in page and "<dt>Quantity</dt><dd>42</dd>" in page
    assert '<svg viewBox="0 0 640 240" role="img" aria-labelledby="chart-title chart-desc"' in page
    assert '<title id="chart-title">Cases per week</title>' in page and 'class="chart__bar"' in page
    assert '<table class="visually-hidden">' in page
    for label in ("France", "Customs administration", "Category not known", "Lumina", "No answer yet"):
        assert f'<th scope="row">{label}</th>' in page, label
    assert f'href="/operations/{operation.pk}/results.csv"' in page


def test_the_chart_bars_follow_the_counts(client_for, operation, officer_fr, brand_all):
    for _ in range(3):
        services.case_open(actor=officer_fr, data=case_data(brand_all, operation=operation.pk))
    earlier = Case.objects.first()
    Case.objects.filter(pk=earlier.pk).update(created=timezone.now() - datetime.timedelta(days=14))
    page = html(client_for("officer_fr").get(f"/operations/{operation.pk}/results/"))
    assert page.count('class="chart__bar"') == 3  # two weeks with cases, the one between with none
    heights = [float(h) for h in re.findall(r'class="chart__bar"[^>]*height="([0-9.]+)"', page)]
    assert heights == [96.0, 0.0, 192.0]
    assert page.count("<title>Week of ") == 3 and ": 0 cases</title>" in page


def test_the_results_csv(client_for, tagged_case, operation):
    client = client_for("coordinator_fr")
    response = client.get(f"/operations/{operation.pk}/results.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = csv_rows(response)
    assert lines[0] == ["dimension", "key", "name", "cases", "quantity"]
    assert ["total", "", "All tagged cases", "1", "40"] in lines
    assert ["country", "FR", "France", "1", "40"] in lines
    assert ["agency", "customs", "Customs administration", "1", "40"] in lines
    assert ["category", "unknown", "Category not known", "1", "40"] in lines
    assert ["brand", str(tagged_case.brand_id), "Lumina", "1", "40"] in lines
    assert ["verdict", "unanswered", "No answer yet", "1", ""] in lines
    assert [row[0] for row in lines if row[0] == "week"] == ["week"]
    same = client.get(f"/operations/{operation.pk}/results/?format=csv")
    assert same["Content-Type"].startswith("text/csv") and csv_rows(same) == lines


def test_brands_a_participant_does_not_see_are_other_brands(
    client_for, operation, officer_fr, brand_fr, coordinator_de
):
    services.operation_answer(actor=coordinator_de, operation=operation, accept=True)
    services.case_open(actor=officer_fr, data=case_data(brand_fr, operation=operation.pk, quantity=5))
    page = html(client_for("officer_de").get(f"/operations/{operation.pk}/results/"))
    assert '<th scope="row">Other brands</th>' in page and "Lumina Secret" not in page
    lines = csv_rows(client_for("officer_de").get(f"/operations/{operation.pk}/results.csv"))
    assert ["brand", "other", "Other brands", "1", "5"] in lines
    assert "Lumina Secret" in html(client_for("officer_fr").get(f"/operations/{operation.pk}/results/"))


def test_the_right_holder_reads_its_own_brands_only(client_for, tagged_case, operation, officer_fr, globex_brand):
    services.case_open(actor=officer_fr, data=case_data(globex_brand, operation=operation.pk, quantity=7))
    page = html(client_for("acme_admin").get(f"/operations/{operation.pk}/results/"))
    assert "<dt>Cases</dt><dd>1</dd>" in page and "Globex Wear" not in page
    assert "Other brands" not in page and "Counts of the cases of your brands" in page
    lines = csv_rows(client_for("acme_admin").get(f"/operations/{operation.pk}/results.csv"))
    assert ["total", "", "All tagged cases", "1", "40"] in lines and not any(
        "Globex" in cell for row in lines for cell in row
    )
    assert "Globex Wear" in html(client_for("officer_fr").get(f"/operations/{operation.pk}/results/"))


# --------------------------------------------------------------------------- queries


def test_the_operations_list_takes_a_bounded_number_of_queries(
    client_for, coordinator_fr, customs_de, brand_all, django_assert_max_num_queries
):
    for n in range(6):
        op = services.operation_create(
            actor=coordinator_fr,
            data={"name": f"Operation {n}", "starts": days(-1), "ends": days(9), "brands": [brand_all.pk]},
        )
        services.operation_invite(actor=coordinator_fr, operation=op, organization=customs_de.pk)
    for persona in ("coordinator_fr", "coordinator_de"):
        client = client_for(persona)
        with django_assert_max_num_queries(15):
            page = html(client.get("/operations/"))
        assert page.count('class="card"') == 6


def test_the_results_page_takes_a_bounded_number_of_queries(
    client_for, operation, officer_fr, brand_all, brand_fr, django_assert_max_num_queries
):
    for brand in (brand_all, brand_fr, brand_all, brand_fr, brand_all):
        services.case_open(actor=officer_fr, data=case_data(brand, operation=operation.pk))
    client = client_for("officer_fr")
    with django_assert_max_num_queries(14):
        assert client.get(f"/operations/{operation.pk}/results/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/operations/{operation.pk}/results.csv").status_code == 200
