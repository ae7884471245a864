"""Case pages in the browser: open a case (from a product page or an inspection), the list with
filters, a case's page with the verdict form, thread, photos, extend and close."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.models import Case, CaseMessage, CasePhoto, CaseStatus
from authentication_guides.models import Checklist, Guide, GuideVersion
from uploads.images import clean_image

from .alerts_fixtures import case_data, png

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db


def test_an_officer_opens_a_case_from_a_product_page(client_for, product_fr, brand_fr):
    client = client_for("officer_fr")
    product_page = client.get(f"/catalogue/products/{product_fr.pk}/").content.decode()
    assert f'href="/cases/open/?product={product_fr.pk}"' in product_page
    form = client.get(f"/cases/open/?product={product_fr.pk}").content.decode()
    assert f'<option value="{product_fr.pk}" selected>' in form and 'enctype="multipart/form-data"' in form
    response = client.post(
        "/cases/open/",
        {
            "brand": brand_fr.pk,
            "product": product_fr.pk,
            "description": "Parcel of 20 watches",
            "quantity": "20",
            "location": "Roissy",
            "declared_origin": "CN",
            "photo": png(),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.country.code == "FR" and case.quantity == 20 and CasePhoto.objects.filter(case=case).count() == 1
    page = client.get(f"/cases/{case.pk}/").content.decode()
    photo = CasePhoto.objects.get()
    assert f'src="/cases/{case.pk}/photos/{photo.pk}/"' in page
    assert client.get(f"/cases/{case.pk}/photos/{photo.pk}/").status_code == 200


def test_the_product_page_has_no_case_button_for_right_holders(client_for, product_fr):
    page = client_for("acme_editor").get(f"/catalogue/products/{product_fr.pk}/").content.decode()
    assert "/cases/open/" not in page


def test_opening_from_an_inspection_attaches_it(client_for, officer_fr, brand_all):
    guide = Guide.objects.create(brand=brand_all, language="en")
    version = GuideVersion.objects.create(guide=guide, number=1, title="g")
    checklist = Checklist.objects.create(
        guide=guide, version=version, organization=officer_fr.organization, conclusion="likely_counterfeit"
    )
    client = client_for("officer_fr")
    form = client.get(f"/cases/open/?checklist={checklist.pk}").content.decode()
    assert f'name="checklist" value="{checklist.pk}"' in form
    response = client.post(
        "/cases/open/",
        {"brand": brand_all.pk, "checklist": checklist.pk, "description": "d", "quantity": "1", "location": "Lyon"},
    )
    assert response.status_code == 302 and Case.objects.get().checklist == checklist
    page = client_for("acme_viewer").get(f"/cases/{Case.objects.get().pk}/").content.decode()
    assert "Likely counterfeit" in page


@pytest.mark.parametrize(
    "bad",
    [
        {"quantity": "0"},
        {"quantity": "x"},
        {"description": ""},
        {"brand": "999999"},
        {"declared_origin": "ZZ"},
    ],
)
def test_bad_case_form_input_is_a_400_page(client_for, brand_fr, bad):
    data = {"brand": brand_fr.pk, "description": "d", "quantity": "3", "location": "Lyon", **bad}
    response = client_for("officer_fr").post("/cases/open/", data)
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_svg_photo_is_refused_on_the_form(client_for, brand_fr):
    from uploads.testing import SVG_WITH_SCRIPT, upload

    data = {
        "brand": brand_fr.pk,
        "description": "d",
        "quantity": "3",
        "location": "Lyon",
        "photo": upload(SVG_WITH_SCRIPT, "x.jpg"),
    }
    assert client_for("officer_fr").post("/cases/open/", data).status_code == 400
    assert not Case.objects.exists()


def test_the_owner_answers_asks_more_time_and_writes(client_for, case_fr):
    client = client_for("acme_editor")
    page = client.get(f"/cases/{case_fr.pk}/").content.decode()
    assert f'action="/cases/{case_fr.pk}/respond/"' in page and f'action="/cases/{case_fr.pk}/extend/"' in page
    assert f'action="/cases/{case_fr.pk}/close/"' not in page
    assert (
        client.post(f"/cases/{case_fr.pk}/respond/", {"verdict": "need_sample", "comment": "Send one"}).status_code
        == 302
    )
    assert client.post(f"/cases/{case_fr.pk}/extend/").status_code == 302
    assert (
        client.post(f"/cases/{case_fr.pk}/messages/", {"body": "Address: Geneva", "attachment": png()}).status_code
        == 302
    )
    case = Case.objects.get()
    assert case.status == CaseStatus.ANSWERED and case.extended
    message = CaseMessage.objects.get()
    page = client.get(f"/cases/{case_fr.pk}/").content.decode()
    assert "Need a sample" in page and "Address: Geneva" in page
    assert f'action="/cases/{case_fr.pk}/respond/"' in page  # again after need_sample
    assert client_for("officer_fr").get(f"/cases/{case_fr.pk}/messages/{message.pk}/attachment/").status_code == 200


def test_the_officer_closes_the_case(client_for, case_fr):
    client = client_for("officer_fr")
    assert client.post(f"/cases/{case_fr.pk}/close/", {"outcome": "nonsense"}).status_code == 400
    assert client.post(f"/cases/{case_fr.pk}/close/", {"outcome": "referred_to_court"}).status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.CLOSED and case.outcome == "referred_to_court"
    assert "Referred to court" in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_viewer_reads_but_cannot_answer(client_for, case_fr):
    client = client_for("acme_viewer")
    page = client.get(f"/cases/{case_fr.pk}/").content.decode()
    assert "respond/" not in page and "extend/" not in page
    assert client.post(f"/cases/{case_fr.pk}/respond/", {"verdict": "genuine"}).status_code == 403
    assert client.post(f"/cases/{case_fr.pk}/extend/").status_code == 403
    assert client.post(f"/cases/{case_fr.pk}/messages/", {"body": "hi"}).status_code == 403
    assert Case.objects.get().status == CaseStatus.OPEN


@pytest.mark.parametrize("persona", ["officer_de", "other_rightholder"])
def test_outsiders_get_404_everywhere(client_for, persona, officer_fr, case_fr):
    photo = services.case_photo_add(actor=officer_fr, case=case_fr, image=clean_image(png()))
    client = client_for(persona)
    assert client.get(f"/cases/{case_fr.pk}/").status_code == 404
    assert client.get(f"/cases/{case_fr.pk}/photos/{photo.pk}/").status_code == 404
    for verb in ("respond", "extend", "close", "messages", "photos"):
        assert (
            client.post(f"/cases/{case_fr.pk}/{verb}/", {"verdict": "genuine", "outcome": "other"}).status_code == 404
        )
    assert "Lumina Secret" not in client.get("/cases/").content.decode()


def test_the_list_filters_and_is_bounded_in_queries(
    client_for, officer_fr, acme_editor, brand_fr, product_fr, django_assert_max_num_queries
):
    for i in range(12):
        case = services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr, quantity=i + 1))
        if i % 2:
            services.case_respond(actor=acme_editor, case=case, verdict="counterfeit")
    for persona in ("acme_editor", "officer_fr"):
        client = client_for(persona)
        with django_assert_max_num_queries(20):
            response = client.get("/cases/")
        assert response.content.decode().count('class="card"') == 12
        answered = client.get("/cases/?status=answered").content.decode()
        assert answered.count('class="card"') == 6
    assert client_for("officer_fr").get("/cases/?status=bogus").status_code == 200
