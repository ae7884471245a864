"""The cases API: officers open and close cases; the brand owner's admins and editors answer
(again after need_sample, every verdict kept) and extend once; viewers read; both sides write
on the thread; photos and attachments are served only to those who see the case."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.models import Case, CaseMessage, CasePhoto, CaseStatus, CaseVerdict
from authentication_guides.models import Checklist
from uploads.testing import SVG_WITH_SCRIPT, upload

from .alerts_fixtures import case_data, png

pytest_plugins = ["tests.brand_fixtures", "tests.alerts_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
SEES = {"officer_fr", "coordinator_fr", "acme_admin", "acme_editor", "acme_viewer", "platform_admin"}
EVERYONE = sorted(SEES | {"officer_de", "coordinator_de", "other_rightholder"})


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_an_officer_opens_a_case_and_the_owner_answers(api, officer_fr, acme_editor, brand_fr, product_fr):
    response = api(officer_fr).post(URL, case_data(brand_fr, product_fr), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {
        "id",
        "brand",
        "product",
        "description",
        "quantity",
        "location",
        "declared_origin",
        "perishable",
        "country",
        "status",
        "overdue",
        "deadline",
        "verdict",
        "verdicts",
    }
    assert body["country"] == "FR" and body["status"] == "open" and body["verdict"] is None and body["deadline"]
    assert body["brand"] == brand_fr.pk and body["product"] == product_fr.pk and body["declared_origin"] == "CN"
    answered = api(acme_editor).post(
        f"{URL}{body['id']}/respond/", {"verdict": "counterfeit", "comment": "fake"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["verdict"] == "counterfeit"
    seen = api(officer_fr).get(f"{URL}{body['id']}/").json()
    assert seen["status"] == "answered" and seen["verdicts"][0]["comment"] == "fake"


def test_the_country_is_the_officers_whatever_the_body_says(api, officer_fr, brand_fr):
    response = api(officer_fr).post(URL, {**case_data(brand_fr), "country": "DE"}, format="json")
    assert response.status_code == 201 and response.json()["country"] == "FR"


def test_need_sample_then_a_second_verdict_both_kept(api, acme_admin, case_fr):
    client = api(acme_admin)
    assert client.post(f"{URL}{case_fr.pk}/respond/", {"verdict": "need_sample"}, format="json").status_code == 200
    second = client.post(
        f"{URL}{case_fr.pk}/respond/", {"verdict": "genuine", "comment": "Sample checked."}, format="json"
    )
    assert second.status_code == 200
    assert second.json()["verdict"] == "genuine"
    assert [v["verdict"] for v in second.json()["verdicts"]] == ["genuine", "need_sample"]
    third = client.post(f"{URL}{case_fr.pk}/respond/", {"verdict": "counterfeit"}, format="json")
    assert third.status_code == 400 and "verdict" in third.json()
    assert CaseVerdict.objects.count() == 2


def test_extend_once_and_close_with_an_outcome(api, acme_editor, officer_fr, case_fr):
    before = case_fr.deadline
    extended = api(acme_editor).post(f"{URL}{case_fr.pk}/extend/")
    assert extended.status_code == 200 and extended.json()["deadline"] > before.isoformat()
    again = api(acme_editor).post(f"{URL}{case_fr.pk}/extend/")
    assert again.status_code == 400 and "deadline" in again.json()
    assert api(officer_fr).post(f"{URL}{case_fr.pk}/close/", {"outcome": "exploded"}, format="json").status_code == 400
    closed = api(officer_fr).post(f"{URL}{case_fr.pk}/close/", {"outcome": "destroyed"}, format="json")
    assert (
        closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["outcome"] == "destroyed"
    )
    late = api(acme_editor).post(f"{URL}{case_fr.pk}/respond/", {"verdict": "genuine"}, format="json")
    assert late.status_code == 400 and "status" in late.json()


# --------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_sees_a_case(api, request, persona, case_fr):
    client = api(request.getfixturevalue(persona))
    detail = client.get(f"{URL}{case_fr.pk}/")
    listed = ids(client.get(URL))
    messages = client.get(f"{URL}{case_fr.pk}/messages/")
    photos = client.get(f"{URL}{case_fr.pk}/photos/")
    if persona in SEES:
        assert detail.status_code == 200 and case_fr.pk in listed
        assert messages.status_code == 200 and photos.status_code == 200
    else:
        assert detail.status_code == 404 and case_fr.pk not in listed
        assert messages.status_code == 404 and photos.status_code == 404


@pytest.mark.parametrize("persona", ["officer_de", "other_rightholder"])
@pytest.mark.parametrize(
    "verb, body",
    [("respond", {"verdict": "genuine"}), ("extend", {}), ("close", {"outcome": "released"})],
)
def test_outsiders_get_404_on_every_action(api, request, persona, verb, body, case_fr):
    response = api(request.getfixturevalue(persona)).post(f"{URL}{case_fr.pk}/{verb}/", body, format="json")
    assert response.status_code == 404
    message = api(request.getfixturevalue(persona)).post(f"{URL}{case_fr.pk}/messages/", {"body": "hi"}, format="json")
    assert message.status_code == 404


@pytest.mark.parametrize("persona", ["acme_viewer", "officer_fr", "platform_admin"])
def test_a_viewer_or_an_officer_cannot_answer_or_extend(api, request, persona, case_fr):
    client = api(request.getfixturevalue(persona))
    assert client.post(f"{URL}{case_fr.pk}/respond/", {"verdict": "genuine"}, format="json").status_code == 403
    assert client.post(f"{URL}{case_fr.pk}/extend/").status_code == 403
    assert Case.objects.get().status == CaseStatus.OPEN and not Case.objects.get().extended


@pytest.mark.parametrize("persona", ["acme_editor", "acme_viewer", "platform_admin"])
def test_only_the_officers_close(api, request, persona, case_fr):
    response = api(request.getfixturevalue(persona)).post(
        f"{URL}{case_fr.pk}/close/", {"outcome": "released"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["acme_editor", "acme_viewer", "platform_admin", "other_rightholder"])
def test_only_enforcement_opens_cases(api, request, persona, brand_all):
    response = api(request.getfixturevalue(persona)).post(URL, case_data(brand_all), format="json")
    assert response.status_code == 403


def test_a_brand_invisible_to_the_officer_is_a_field_error(api, officer_de, brand_fr, globex_brand):
    response = api(officer_de).post(URL, case_data(brand_fr), format="json")
    assert response.status_code == 400 and "brand" in response.json()


def test_a_product_of_another_brand_is_a_field_error(api, officer_fr, brand_all, product_fr):
    response = api(officer_fr).post(URL, case_data(brand_all, product_fr), format="json")
    assert response.status_code == 400 and "product" in response.json()


def test_a_checklist_of_another_administration_is_a_field_error(api, officer_fr, officer_de, brand_all, customs_de):
    from authentication_guides.models import Guide, GuideVersion

    guide = Guide.objects.create(brand=brand_all, language="en")
    version = GuideVersion.objects.create(guide=guide, number=1, title="g")
    theirs = Checklist.objects.create(guide=guide, version=version, organization=customs_de, conclusion="inconclusive")
    response = api(officer_fr).post(URL, case_data(brand_all, checklist=theirs.pk), format="json")
    assert response.status_code == 400 and "checklist" in response.json()
    mine = Checklist.objects.create(
        guide=guide, version=version, organization=officer_fr.organization, conclusion="likely_counterfeit"
    )
    ok = api(officer_fr).post(URL, case_data(brand_all, checklist=mine.pk), format="json")
    assert ok.status_code == 201 and ok.json()["checklist"]["conclusion"] == "likely_counterfeit"


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": 0},
        {"quantity": -3},
        {"quantity": "many"},
        {"quantity": 10**12},
        {"description": ""},
        {"location": ""},
        {"location": "x" * 201},
        {"declared_origin": "Narnia"},
        {"perishable": "perhaps"},
        {"brand": "abc"},
        {"brand": 999999},
        {"product": 999999},
        {"product": "x"},
        {"checklist": 999999},
        {"description": "a\x00b"},
    ],
)
def test_bad_case_input_is_a_400(api, officer_fr, brand_fr, change):
    response = api(officer_fr).post(URL, {**case_data(brand_fr), **change}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) & (set(change) | {"detail", "non_field_errors"})


@pytest.mark.parametrize("body", [{"verdict": "maybe"}, {}, {"verdict": "genuine", "comment": "x" * 20_001}])
def test_bad_verdicts_are_400(api, acme_editor, case_fr, body):
    assert api(acme_editor).post(f"{URL}{case_fr.pk}/respond/", body, format="json").status_code == 400


# --------------------------------------------------------------------------- thread and photos


def test_both_sides_write_on_the_thread(api, officer_fr, acme_editor, acme_viewer, case_fr):
    asked = api(officer_fr).post(f"{URL}{case_fr.pk}/messages/", {"body": "Is the serial engraved?"}, format="json")
    assert asked.status_code == 201 and asked.json()["side"] == "enforcement"
    answer = api(acme_editor).post(
        f"{URL}{case_fr.pk}/messages/", {"body": "Yes, see the picture.", "attachment": png()}, format="multipart"
    )
    assert answer.status_code == 201 and answer.json()["side"] == "right_holder" and answer.json()["attachment"]
    thread = api(officer_fr).get(f"{URL}{case_fr.pk}/messages/").json()
    assert [m["body"] for m in thread["results"]] == ["Yes, see the picture.", "Is the serial engraved?"]
    picture = api(officer_fr).get(answer.json()["attachment"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert api(acme_viewer).post(f"{URL}{case_fr.pk}/messages/", {"body": "me too"}, format="json").status_code == 403


def test_attachments_are_checked(api, acme_editor, case_fr):
    bad = api(acme_editor).post(
        f"{URL}{case_fr.pk}/messages/",
        {"body": "look", "attachment": upload(SVG_WITH_SCRIPT, "x.png", "image/png")},
        format="multipart",
    )
    assert bad.status_code == 400 and "attachment" in bad.json()
    assert not CaseMessage.objects.exists()
    empty = api(acme_editor).post(f"{URL}{case_fr.pk}/messages/", {"body": "  "}, format="json")
    assert empty.status_code == 400


def test_officers_add_photos_served_only_to_who_sees_the_case(
    api, officer_fr, acme_viewer, officer_de, other_rightholder, acme_editor, case_fr
):
    added = api(officer_fr).post(f"{URL}{case_fr.pk}/photos/", {"image": png()}, format="multipart")
    assert added.status_code == 201
    url = added.json()["url"]
    assert api(acme_viewer).get(url).status_code == 200
    assert api(officer_de).get(url).status_code == 404
    assert api(other_rightholder).get(url).status_code == 404
    assert api(acme_editor).post(f"{URL}{case_fr.pk}/photos/", {"image": png()}, format="multipart").status_code == 403
    bad = api(officer_fr).post(
        f"{URL}{case_fr.pk}/photos/", {"image": upload(b"not a picture", "x.jpg")}, format="multipart"
    )
    assert bad.status_code == 400 and "image" in bad.json()
    assert api(officer_fr).post(f"{URL}{case_fr.pk}/photos/", {}, format="multipart").status_code == 400
    assert CasePhoto.objects.count() == 1
    listed = api(acme_viewer).get(f"{URL}{case_fr.pk}/photos/").json()
    assert listed["count"] == 1


def test_a_photo_of_another_case_is_404_through_this_one(api, officer_fr, brand_fr, case_fr):
    other = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    photo = api(officer_fr).post(f"{URL}{other.pk}/photos/", {"image": png()}, format="multipart").json()
    assert api(officer_fr).get(f"{URL}{case_fr.pk}/photos/{photo['id']}/file/").status_code == 404


def test_a_deleted_brand_leaves_the_case_to_its_owner(api, acme_editor, acme_viewer, officer_fr, case_fr, brand_fr):
    from brands import services as brand_services

    brand_services.brand_delete(actor=acme_editor, brand=brand_fr)
    seen = api(acme_viewer).get(f"{URL}{case_fr.pk}/")
    assert seen.status_code == 200 and seen.json()["brand"] is None and seen.json()["brand_name"] == "Lumina Secret"
    assert api(officer_fr).get(f"{URL}{case_fr.pk}/").status_code == 200


# --------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("persona", ["acme_editor", "officer_fr"])
def test_the_case_list_costs_the_same_for_1_or_20_cases(
    api, request, persona, officer_fr, acme_editor, brand_fr, product_fr, django_assert_max_num_queries
):
    client = api(request.getfixturevalue(persona))
    for i in range(20):
        case = services.case_open(actor=officer_fr, data=case_data(brand_fr, product_fr, quantity=i + 1))
        services.case_respond(actor=acme_editor, case=case, verdict="need_sample")
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.json()["count"] == 20
    assert all(row["verdict"] == "need_sample" for row in response.json()["results"])
    with django_assert_max_num_queries(10):
        assert client.get(f"{URL}?status=answered&overdue=false").json()["count"] == 20


def test_a_closed_case_takes_no_more_messages_photos_or_extension(api, officer_fr, acme_editor, case_fr):
    services.case_close(actor=officer_fr, case=case_fr, outcome="released")
    assert api(officer_fr).post(f"{URL}{case_fr.pk}/messages/", {"body": "hi"}, format="json").status_code == 400
    assert api(officer_fr).post(f"{URL}{case_fr.pk}/photos/", {"image": png()}, format="multipart").status_code == 400
    assert api(acme_editor).post(f"{URL}{case_fr.pk}/extend/").status_code == 400
    assert api(officer_fr).post(f"{URL}{case_fr.pk}/close/", {"outcome": "other"}, format="json").status_code == 400


def test_the_overdue_filter(api, acme_viewer, officer_fr, brand_fr, case_fr):
    late = services.case_open(actor=officer_fr, data=case_data(brand_fr))
    Case.objects.filter(pk=late.pk).update(overdue=True)
    assert ids(api(acme_viewer).get(f"{URL}?overdue=true")) == {late.pk}
    assert ids(api(acme_viewer).get(f"{URL}?overdue=false")) == {case_fr.pk}
    assert api(acme_viewer).get(f"{URL}?overdue=perhaps").status_code == 400


def test_opening_answering_extending_and_closing_are_audited(api, officer_fr, acme_editor, brand_fr):
    from accounts.models import AuditEntry

    case = api(officer_fr).post(URL, case_data(brand_fr), format="json", REMOTE_ADDR="192.0.2.7").json()
    api(acme_editor).post(f"{URL}{case['id']}/respond/", {"verdict": "counterfeit"}, format="json")
    api(acme_editor).post(f"{URL}{case['id']}/extend/")
    api(officer_fr).post(f"{URL}{case['id']}/close/", {"outcome": "destroyed"}, format="json")
    entries = AuditEntry.objects.filter(target_type="alerts.case", target_id=str(case["id"])).order_by("created", "id")
    assert [e.action for e in entries] == ["case.opened", "case.verdict", "case.extended", "case.closed"]
    assert entries[0].ip_address == "192.0.2.7" and entries[0].actor == officer_fr
    assert entries[1].actor == acme_editor and entries[1].details == {"verdict": "counterfeit"}
