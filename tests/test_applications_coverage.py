"""What officers see of applications for action elsewhere: on the product page, whether a granted
application covers the brand in their country; a detention opened without one is flagged
`ex_officio` at opening, never changed afterwards."""

from __future__ import annotations

import pytest

from alerts.models import Case
from applications import services

from .alerts_fixtures import case_data
from .applications_fixtures import VALID_UNTIL

pytest_plugins = [
    "tests.brand_fixtures",
    "tests.alerts_fixtures",
    "tests.network_fixtures",
    "tests.applications_fixtures",
]
pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def _facts(client, product) -> str:
    page = client.get(f"/catalogue/products/{product.pk}/")
    assert page.status_code == 200
    return page.content.decode()


def test_a_customs_officer_sees_the_granted_application_on_the_product_page(client_for, product_fr, granted):
    page = _facts(client_for("officer_fr"), product_fr)
    assert 'id="application-for-action"' in page and "Granted" in page


def test_without_one_the_product_page_says_ex_officio(client_for, product_fr, submitted, today):
    page = _facts(client_for("officer_fr"), product_fr)
    assert 'id="application-for-action"' in page and "ex officio" in page


@pytest.mark.parametrize("persona", ["acme_editor", "police_officer_fr", "platform_admin"])
def test_others_see_nothing_of_it_on_the_product_page(client_for, persona, product_fr, granted):
    assert 'id="application-for-action"' not in _facts(client_for(persona), product_fr)


def test_a_detention_without_an_application_is_ex_officio(api, officer_fr, brand_fr, submitted, today):
    response = api(officer_fr).post(CASES, case_data(brand_fr), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["ex_officio"] is True


def test_a_detention_covered_by_a_granted_application_is_not(api, officer_fr, brand_fr, granted, today):
    response = api(officer_fr).post(CASES, case_data(brand_fr), format="json")
    assert response.status_code == 201 and response.json()["ex_officio"] is False


def test_a_verification_is_never_ex_officio(api, officer_fr, brand_fr, today):
    response = api(officer_fr).post(CASES, case_data(brand_fr, procedure="verification"), format="json")
    assert response.status_code == 201 and response.json()["ex_officio"] is False


def test_an_application_to_another_country_does_not_cover(
    api, acme_editor, officer_fr, brand_all, coordinator_de, today
):
    application = services.application_create(actor=acme_editor, data={"country": "DE", "brands": [brand_all.pk]})
    services.application_submit(actor=acme_editor, application=application)
    services.application_grant(actor=coordinator_de, application=application, valid_until=VALID_UNTIL)
    response = api(officer_fr).post(CASES, case_data(brand_all), format="json")
    assert response.json()["ex_officio"] is True


def test_the_flag_is_set_at_opening_and_never_changed(api, officer_fr, acme_editor, brand_fr, granted, today):
    from datetime import timedelta

    case_id = api(officer_fr).post(CASES, case_data(brand_fr), format="json").json()["id"]
    today(VALID_UNTIL + timedelta(days=1))
    services.applications_expire()
    assert Case.objects.get(pk=case_id).ex_officio is False
    assert api(officer_fr).get(f"{CASES}{case_id}/").json()["ex_officio"] is False
    later = api(officer_fr).post(CASES, case_data(brand_fr), format="json").json()
    assert later["ex_officio"] is True


def test_a_customs_officer_reads_the_coverage_on_the_case(api, officer_fr, brand_fr, granted, today):
    case_id = api(officer_fr).post(CASES, case_data(brand_fr), format="json").json()["id"]
    body = api(officer_fr).get(f"{CASES}{case_id}/").json()
    assert body["application_for_action"] == {"granted": True, "valid_until": VALID_UNTIL.isoformat()}
    listed = api(officer_fr).get(CASES).json()["results"]
    assert [row["application_for_action"] for row in listed] == [body["application_for_action"]]


def test_without_one_the_case_says_not_granted(api, officer_fr, brand_fr, submitted, today):
    case_id = api(officer_fr).post(CASES, case_data(brand_fr), format="json").json()["id"]
    body = api(officer_fr).get(f"{CASES}{case_id}/").json()
    assert body["application_for_action"] == {"granted": False, "valid_until": None}


@pytest.mark.parametrize("persona", ["acme_editor", "platform_admin"])
def test_others_read_no_coverage_on_the_case(request, api, persona, officer_fr, brand_fr, granted, today):
    case_id = api(officer_fr).post(CASES, case_data(brand_fr), format="json").json()["id"]
    body = api(request.getfixturevalue(persona)).get(f"{CASES}{case_id}/").json()
    assert "application_for_action" not in body


def test_a_police_officer_reads_no_coverage_on_the_case(
    api, police_officer_fr, brand_all, acme_editor, coordinator_fr, today
):
    application = services.application_create(actor=acme_editor, data={"country": "FR", "brands": [brand_all.pk]})
    services.application_submit(actor=acme_editor, application=application)
    services.application_grant(actor=coordinator_fr, application=application, valid_until=VALID_UNTIL)
    response = api(police_officer_fr).post(CASES, case_data(brand_all, procedure="verification"), format="json")
    assert response.status_code == 201 and "application_for_action" not in response.json()


PRODUCTS = "/api/v1/products/"


def test_a_customs_officer_reads_the_coverage_on_the_product_and_the_lookup(api, officer_fr, product_fr, granted):
    expected = {"granted": True, "valid_until": VALID_UNTIL.isoformat()}
    client = api(officer_fr)
    assert client.get(f"{PRODUCTS}{product_fr.pk}/").json()["application_for_action"] == expected
    assert client.get(f"{PRODUCTS}lookup/?gtin=4006381333931").json()["application_for_action"] == expected
    assert [row["application_for_action"] for row in client.get(PRODUCTS).json()["results"]] == [expected]


def test_without_one_the_product_says_not_granted(api, coordinator_fr, product_fr, submitted, today):
    body = api(coordinator_fr).get(f"{PRODUCTS}{product_fr.pk}/").json()
    assert body["application_for_action"] == {"granted": False, "valid_until": None}


@pytest.mark.parametrize("persona", ["acme_editor", "platform_admin", "police_officer_fr"])
def test_others_read_no_coverage_on_the_product(request, api, persona, product_fr, granted, brand_fr):
    response = api(request.getfixturevalue(persona)).get(f"{PRODUCTS}{product_fr.pk}/")
    assert "application_for_action" not in response.json()


def test_the_product_list_costs_no_more_queries_with_the_coverage(
    api, officer_fr, acme_editor, brand_fr, granted, django_assert_max_num_queries
):
    from brands import services as catalogue

    client = api(officer_fr)
    client.get(PRODUCTS)
    catalogue.product_create(actor=acme_editor, brand=brand_fr, data={"name": "A", "category": "watches_jewellery"})
    with django_assert_max_num_queries(20) as few:
        assert client.get(PRODUCTS).json()["count"] == 1
    for index in range(10):
        catalogue.product_create(
            actor=acme_editor, brand=brand_fr, data={"name": f"P{index}", "category": "watches_jewellery"}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(PRODUCTS).json()["results"]
    assert len(rows) == 11 and all(row["application_for_action"]["granted"] for row in rows)
