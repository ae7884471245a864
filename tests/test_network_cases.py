"""Cases across the enforcement network (issue 13): customs open a detention or a verification
request, every other kind a verification only; a verification's answer date is the working day
the officer asks for (5 working days by default, 1 to 30 ahead, in the case country's calendar),
extended once by 5; an international body names the case's country, one of its jurisdiction's
where the brand is visible to it. Answers, messages, verdicts, reminders and notifications work
the same for both procedures."""

from __future__ import annotations

import datetime
import re

import pytest

from alerts import services, workdays
from alerts.models import Case, Procedure
from notifications.models import Notification

from .alerts_fixtures import case_data

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures", "tests.network_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
D = datetime.date
# Friday 10 July 2026: Tuesday 14 July is a public holiday in France, not in Germany.
FRIDAY = D(2026, 7, 10)


@pytest.fixture
def opened_on(monkeypatch):
    """opened_on(date): "today" is that date for the services and the forms."""

    def set_today(day: datetime.date):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(event__kind=kind).values_list("recipient__email", flat=True))


# --------------------------------------------------------------------------- procedures


def test_a_police_officer_cannot_open_a_detention(api, police_officer_fr, brand_fr):
    response = api(police_officer_fr).post(URL, case_data(brand_fr, procedure="detention"), format="json")
    assert response.status_code == 400 and set(response.json()) == {"procedure"}
    assert not Case.objects.exists()


def test_an_unknown_procedure_is_a_400_naming_it(api, officer_fr, brand_fr):
    response = api(officer_fr).post(URL, case_data(brand_fr, procedure="arrest"), format="json")
    assert response.status_code == 400 and "procedure" in response.json()


def test_a_police_verification_is_due_in_five_working_days_skipping_the_national_holiday(
    api, police_officer_fr, brand_fr, opened_on
):
    opened_on(FRIDAY)
    response = api(police_officer_fr).post(URL, case_data(brand_fr), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    # Counted from Monday 13: 13, 15 (the 14th skipped), 16, 17, 20.
    assert body["procedure"] == "verification" and body["country"] == "FR"
    assert body["deadline"] == body["requested_deadline"] == "2026-07-20"
    assert Case.objects.get().remind_on == D(2026, 7, 16)


def test_a_german_market_officer_counts_on_german_working_days(api, market_officer_de, brand_all, opened_on):
    opened_on(FRIDAY)
    response = api(market_officer_de).post(URL, case_data(brand_all, procedure="verification"), format="json")
    assert response.status_code == 201 and response.json()["country"] == "DE"
    assert response.json()["deadline"] == "2026-07-17"  # the 14th is a working day in Germany


def test_perishable_goods_do_not_shorten_a_verification(api, police_officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    response = api(police_officer_fr).post(URL, case_data(brand_fr, perishable=True), format="json")
    assert response.status_code == 201 and response.json()["deadline"] == "2026-07-20", response.json()


def test_the_officer_asks_for_a_date_and_the_deadline_is_that_date(api, police_officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    response = api(police_officer_fr).post(URL, case_data(brand_fr, requested_deadline="2026-07-29"), format="json")
    assert response.status_code == 201
    assert response.json()["deadline"] == response.json()["requested_deadline"] == "2026-07-29"


def test_thirty_working_days_ahead_is_the_last_date_accepted(api, police_officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    last = workdays.add_working_days(FRIDAY, 30, "FR")
    assert last == D(2026, 8, 24)  # 14 July skipped; 15 August 2026 is a Saturday
    response = api(police_officer_fr).post(URL, case_data(brand_fr, requested_deadline=last), format="json")
    assert response.status_code == 201 and response.json()["deadline"] == "2026-08-24"


@pytest.mark.parametrize(
    "requested",
    [
        "2026-07-10",  # today: at least one working day ahead
        "2026-07-09",  # the past
        "2026-07-11",  # a Saturday
        "2026-07-14",  # the French national day
        "2026-08-25",  # 31 working days ahead
        "2027-01-04",  # far ahead
        "next week",  # not a date
    ],
)
def test_a_requested_deadline_out_of_range_is_a_400_naming_it(api, police_officer_fr, brand_fr, opened_on, requested):
    opened_on(FRIDAY)
    response = api(police_officer_fr).post(URL, case_data(brand_fr, requested_deadline=requested), format="json")
    assert response.status_code == 400 and set(response.json()) == {"requested_deadline"}
    assert not Case.objects.exists()


def test_customs_open_a_detention_when_they_name_no_procedure(api, officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    response = api(officer_fr).post(URL, case_data(brand_fr), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["procedure"] == "detention" and body["requested_deadline"] is None
    assert body["deadline"] == "2026-07-27"  # 10 working days, the 14th skipped


def test_customs_may_open_a_verification(api, officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    data = case_data(brand_fr, procedure="verification", requested_deadline="2026-07-16")
    response = api(officer_fr).post(URL, data, format="json")
    assert response.status_code == 201
    assert response.json()["procedure"] == "verification" and response.json()["deadline"] == "2026-07-16"


def test_a_detention_takes_no_requested_deadline(api, officer_fr, brand_fr, opened_on):
    opened_on(FRIDAY)
    data = case_data(brand_fr, procedure="detention", requested_deadline="2026-07-16")
    response = api(officer_fr).post(URL, data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"requested_deadline"}


def test_a_verification_is_extended_once_by_five_working_days(
    api, police_officer_fr, acme_editor, brand_fr, opened_on
):
    opened_on(FRIDAY)
    case = api(police_officer_fr).post(URL, case_data(brand_fr), format="json").json()
    extended = api(acme_editor).post(f"{URL}{case['id']}/extend/")
    assert extended.status_code == 200
    body = extended.json()
    # 20 July + 5 working days; the date asked for is kept.
    assert body["deadline"] == "2026-07-27" and body["extended"] and body["requested_deadline"] == "2026-07-20"
    again = api(acme_editor).post(f"{URL}{case['id']}/extend/")
    assert again.status_code == 400 and "deadline" in again.json()
    assert api(police_officer_fr).get(f"{URL}{case['id']}/").json()["deadline"] == "2026-07-27"


def test_existing_cases_read_as_detentions(case_fr):
    assert Case.objects.get(pk=case_fr.pk).procedure == Procedure.DETENTION


# --------------------------------------------------------------------------- country


def test_an_international_officer_names_a_country_of_its_jurisdiction(api, international_officer, brand_fr):
    response = api(international_officer).post(
        URL, case_data(brand_fr, country="fr", requested_deadline=None), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "FR" and response.json()["procedure"] == "verification"


def test_an_international_case_counts_on_its_countrys_working_days(api, international_officer, brand_all, opened_on):
    opened_on(FRIDAY)
    in_germany = api(international_officer).post(URL, case_data(brand_all, country="DE"), format="json").json()
    in_france = api(international_officer).post(URL, case_data(brand_all, country="FR"), format="json").json()
    assert (in_germany["deadline"], in_france["deadline"]) == ("2026-07-17", "2026-07-20")


@pytest.mark.parametrize(
    "country",
    [
        None,  # an international body names it
        "",
        "IT",  # outside its jurisdiction
        "ZZ",  # no country
        "DE",  # in its jurisdiction, but brand_fr is shared with France only
    ],
)
def test_an_international_case_elsewhere_is_a_400_naming_country(api, international_officer, brand_fr, country):
    data = case_data(brand_fr)
    if country is not None:
        data["country"] = country
    response = api(international_officer).post(URL, data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"country"}
    assert not Case.objects.exists()


def test_an_international_body_of_italy_opens_in_italy_only(api, international_officer_it, brand_all):
    assert (
        api(international_officer_it).post(URL, case_data(brand_all, country="FR"), format="json").status_code == 400
    )
    response = api(international_officer_it).post(URL, case_data(brand_all, country="IT"), format="json")
    assert response.status_code == 201 and response.json()["country"] == "IT"


def test_a_brand_not_visible_anywhere_in_the_jurisdiction_is_a_400_naming_brand(
    api, international_officer_it, brand_fr
):
    response = api(international_officer_it).post(URL, case_data(brand_fr, country="IT"), format="json")
    assert response.status_code == 400 and set(response.json()) == {"brand"}


def test_a_national_officers_country_is_theirs_whatever_the_body_says(api, police_officer_fr, brand_all):
    response = api(police_officer_fr).post(URL, case_data(brand_all, country="DE"), format="json")
    assert response.status_code == 201 and response.json()["country"] == "FR"


# --------------------------------------------------------------------------- the same for both


def test_a_verification_is_answered_discussed_and_notified_like_a_detention(
    api,
    police_officer_fr,
    police_coordinator_fr,
    acme_admin,
    acme_editor,
    acme_viewer,
    officer_fr,
    brand_fr,
    django_capture_on_commit_callbacks,
):
    owner_side = {acme_admin.email, acme_editor.email}
    police_side = {police_officer_fr.email, police_coordinator_fr.email}
    with django_capture_on_commit_callbacks(execute=True):
        created = api(police_officer_fr).post(URL, case_data(brand_fr), format="json")
    case = created.json()["id"]
    assert told("case.opened") == owner_side
    title = Notification.objects.get(recipient=acme_admin, event__kind="case.opened").title
    assert title == f"New verification request #{case}: Lumina Secret (France)"
    with django_capture_on_commit_callbacks(execute=True):
        asked = api(acme_editor).post(f"{URL}{case}/messages/", {"body": "Is the logo engraved?"}, format="json")
    assert asked.status_code == 201 and told("case.message") == police_side
    with django_capture_on_commit_callbacks(execute=True):
        answered = api(police_officer_fr).post(f"{URL}{case}/messages/", {"body": "Printed."}, format="json")
    assert answered.status_code == 201 and told("case.message") == police_side | owner_side
    sample = api(acme_editor).post(f"{URL}{case}/respond/", {"verdict": "need_sample"}, format="json")
    assert sample.status_code == 200 and sample.json()["status"] == "answered"
    with django_capture_on_commit_callbacks(execute=True):
        verdict = api(acme_admin).post(
            f"{URL}{case}/respond/", {"verdict": "counterfeit", "comment": "Fake."}, format="json"
        )
    assert verdict.status_code == 200
    assert [v["verdict"] for v in verdict.json()["verdicts"]] == ["counterfeit", "need_sample"]
    assert told("case.answered") == police_side
    # The viewer reads; customs of the same country see nothing of the police's case.
    assert api(acme_viewer).get(f"{URL}{case}/").status_code == 200
    assert api(acme_viewer).post(f"{URL}{case}/respond/", {"verdict": "genuine"}, format="json").status_code == 403
    assert api(officer_fr).get(f"{URL}{case}/").status_code == 404
    closed = api(police_officer_fr).post(f"{URL}{case}/close/", {"outcome": "destroyed"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_a_verification_is_reminded_then_flagged_overdue(
    police_officer_fr,
    police_coordinator_fr,
    acme_admin,
    acme_editor,
    brand_fr,
    opened_on,
    django_capture_on_commit_callbacks,
):
    opened_on(FRIDAY)
    case = services.case_open(actor=police_officer_fr, data=case_data(brand_fr))
    assert (case.deadline, case.remind_on) == (D(2026, 7, 20), D(2026, 7, 16))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_remind_deadline(today=D(2026, 7, 16)) == 1
        assert services.cases_remind_deadline(today=D(2026, 7, 17)) == 0
    assert told("case.deadline_near") == {acme_admin.email, acme_editor.email}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cases_flag_overdue(today=D(2026, 7, 20)) == 0
        assert services.cases_flag_overdue(today=D(2026, 7, 21)) == 1
    assert Case.objects.get(pk=case.pk).overdue
    assert told("case.overdue") == {
        acme_admin.email,
        acme_editor.email,
        police_officer_fr.email,
        police_coordinator_fr.email,
    }


# --------------------------------------------------------------------------- pages


def test_the_page_form_offers_a_police_officer_verification_only(client_for, brand_fr, opened_on):
    opened_on(FRIDAY)
    page = client_for("police_officer_fr").get(f"/cases/open/?brand={brand_fr.pk}").content.decode()
    assert 'value="verification"' in page and 'value="detention"' not in page
    assert 'name="requested_deadline"' in page and 'value="2026-07-20"' in page
    assert 'name="country"' not in page


def test_the_page_form_offers_customs_the_choice(client_for, brand_fr):
    page = client_for("officer_fr").get(f"/cases/open/?brand={brand_fr.pk}").content.decode()
    assert 'value="detention"' in page and 'value="verification"' in page


def test_a_police_officer_opens_a_verification_from_the_page(client_for, brand_fr, opened_on):
    opened_on(FRIDAY)
    client = client_for("police_officer_fr")
    form = {"brand": brand_fr.pk, "description": "Stall", "quantity": "5", "location": "Marché", "country": "DE"}
    # A detention posted anyway is not the police's: the form keeps its one procedure.
    response = client.post("/cases/open/", {**form, "procedure": "detention", "requested_deadline": "2026-07-22"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.procedure, case.deadline, case.country.code) == ("verification", D(2026, 7, 22), "FR")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Verification request" in page
    # The brand owner reads which kind of agency asks.
    owner_page = client_for("acme_editor").get(f"/cases/{case.pk}/").content.decode()
    assert f"{case.organization.name} (Police)" in owner_page


def test_a_page_date_out_of_range_is_shown_on_the_field(client_for, brand_fr, opened_on):
    opened_on(FRIDAY)
    data = {
        "brand": brand_fr.pk,
        "description": "d",
        "quantity": "5",
        "location": "L",
        "requested_deadline": "2026-07-14",
    }
    response = client_for("police_officer_fr").post("/cases/open/", data)
    assert response.status_code == 400 and "2026-08-24" in response.content.decode()
    assert not Case.objects.exists()


def test_the_page_form_of_an_international_officer_names_the_country(client_for, brand_fr, brand_all):
    client = client_for("international_officer")
    page = client.get("/cases/open/").content.decode()
    country = re.search(r'<select name="country".*?</select>', page, re.S)[0]
    assert re.findall(r'<option value="(\w*)"', country) == ["", "DE", "ES", "FR"]
    data = {"brand": brand_fr.pk, "description": "d", "quantity": "5", "location": "L"}
    assert client.post("/cases/open/", {**data, "country": "DE"}).status_code == 400
    assert client.post("/cases/open/", {**data, "country": "FR"}).status_code == 302
    assert Case.objects.get().country.code == "FR"


def test_a_customs_detention_from_the_page_ignores_the_date_field(client_for, brand_fr, opened_on):
    opened_on(FRIDAY)
    data = {"brand": brand_fr.pk, "description": "d", "quantity": "5", "location": "L"}
    response = client_for("officer_fr").post(
        "/cases/open/", {**data, "procedure": "detention", "requested_deadline": "2026-07-17"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.procedure, case.deadline, case.requested_deadline) == ("detention", D(2026, 7, 27), None)
