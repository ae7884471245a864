"""Everything an officer does works for every enforcement kind (issue 13): a French police officer
and the FR/DE/ES international officer, on a brand shared with police and international bodies,
inspect with the checklist (page and API), send feedback, follow the brand and are told of a new
version of its guide (inbox, immediate e-mail, daily digest), receive and acknowledge its alerts,
find it all on their home page, look products up by GTIN and by a photo, and search; on a brand
shared with customs only the same officers get nothing (404, no product, no hit, no notification).
"""

from __future__ import annotations

import pytest
import zxingcpp
from django.urls import reverse

from alerts import services as alerts
from authentication_guides import services as guides
from authentication_guides.models import Checklist, Feedback
from brands import services as brands
from brands.models import BrandFollow
from notifications.digests import digests_send
from notifications.models import Notification, Preference
from tests.alerts_fixtures import alert_data
from tests.test_guides_web_support import add_indicator, indicator_key, make_guide, png
from tests.test_search_photo import photo

pytest_plugins = ["tests.network_fixtures"]
pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
OFFICERS = ["police_officer_fr", "international_officer"]
SHARED_GTIN = "4006381333931"
HIDDEN_GTIN = "5901234123457"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def catalogue(editor, name: str, gtin: str, *, agencies: list[str]) -> dict:
    """A brand shared in every country with `agencies`, a product and a published guide."""
    brand = brands.brand_create(
        actor=editor, data={"name": name, "visibility": {"all": True, "countries": [], "agencies": agencies}}
    )
    product = brands.product_create(
        actor=editor, brand=brand, data={"name": f"{name} Chrono", "sku": f"{name[:3]}-1", "gtins": [gtin]}
    )
    guide = make_guide(editor, brand, f"Spotting a fake {name}", product=product)
    add_indicator(editor, guide, "Logo font", importance="supporting", order=1)
    add_indicator(editor, guide, "Engraved serial", importance="decisive", order=2)
    return {"brand": brand, "product": product, "guide": guides.guide_publish(actor=editor, guide=guide)}


@pytest.fixture
def shared(acme_editor):
    return catalogue(acme_editor, "Zephyrine", SHARED_GTIN, agencies=["police", "international"])


@pytest.fixture
def customs_only(acme_editor):
    return catalogue(acme_editor, "Quillane", HIDDEN_GTIN, agencies=["customs"])


@pytest.fixture
def officer(request):
    return request.getfixturevalue(request.param)


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def verdicts(guide, **answers) -> list[dict]:
    version = guide.published_version
    return [{"indicator": str(version.indicators.get(title=t).key), "verdict": v} for t, v in answers.items()]


def new_version(editor, guide, capture, *, title: str):
    """Edit the published guide (a new draft version) and publish it, delivering its events."""
    key = indicator_key(guide, "Engraved serial")
    guides.indicator_update(actor=editor, guide=guide, key=key, data={"title": "Laser-engraved serial"})
    guides.guide_update(actor=editor, guide=guide, data={"title": title})
    with capture(execute=True):
        return guides.guide_publish(actor=editor, guide=guide)


def inbox(user) -> list[tuple[str, str, str]]:
    rows = Notification.objects.filter(recipient=user).order_by("pk")
    return list(rows.values_list("event__kind", "title", "link"))


# --------------------------------------------------------------------------- inspection checklist


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_inspects_with_the_checklist_page(client, officer, shared):
    guide = shared["guide"]
    client = signed_in(client, officer)
    assert f'href="/guides/{guide.pk}/check/"' in client.get(f"/guides/{guide.pk}/").content.decode()
    form = client.get(f"/guides/{guide.pk}/check/")
    assert form.status_code == 200 and "Engraved serial" in form.content.decode()

    body = {"note": "Stall 14, Marché aux puces"}
    for row in verdicts(guide, **{"Engraved serial": "fake", "Logo font": "genuine"}):
        body[f"verdict-{row['indicator']}"] = row["verdict"]
    response = client.post(f"/guides/{guide.pk}/check/", body)

    checklist = Checklist.objects.get()
    assert response.status_code == 302, response.content
    assert response["Location"] == f"/guides/{guide.pk}/checks/{checklist.pk}/"
    assert checklist.organization == officer.organization and checklist.created_by == officer
    assert checklist.conclusion == "likely_counterfeit"
    summary = client.get(response["Location"])
    assert summary.status_code == 200 and "Likely counterfeit" in summary.content.decode()


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_inspects_through_the_api(api, officer, shared):
    guide = shared["guide"]
    client = api(officer)
    results = verdicts(guide, **{"Engraved serial": "genuine", "Logo font": "genuine"})
    response = client.post(f"/api/v1/guides/{guide.pk}/checklists/", {"results": results}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["conclusion"] == "likely_genuine" and response.json()["version"] == 1
    listed = client.get(f"/api/v1/guides/{guide.pk}/checklists/").json()
    assert [row["id"] for row in listed["results"]] == [response.json()["id"]]
    assert Checklist.objects.get().organization == officer.organization


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_no_checklist_on_a_guide_of_a_brand_shared_with_customs_only(api, client, officer, customs_only):
    guide = customs_only["guide"]
    results = verdicts(guide, **{"Engraved serial": "fake", "Logo font": "fake"})
    assert (
        api(officer).post(f"/api/v1/guides/{guide.pk}/checklists/", {"results": results}, format="json").status_code
        == 404
    )
    assert api(officer).get(f"/api/v1/guides/{guide.pk}/checklists/").status_code == 404
    client = signed_in(client, officer)
    assert client.get(f"/guides/{guide.pk}/check/").status_code == 404
    body = {f"verdict-{row['indicator']}": row["verdict"] for row in results}
    assert client.post(f"/guides/{guide.pk}/check/", body).status_code == 404
    assert not Checklist.objects.exists()


# --------------------------------------------------------------------------- feedback


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_sends_feedback_from_the_page_and_the_owner_is_told(
    client, officer, shared, acme_editor, acme_admin, django_capture_on_commit_callbacks
):
    guide = shared["guide"]
    client = signed_in(client, officer)
    assert f'href="/guides/{guide.pk}/feedback/new/"' in client.get(f"/guides/{guide.pk}/").content.decode()
    assert client.get(f"/guides/{guide.pk}/feedback/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/guides/{guide.pk}/feedback/new/",
            {"kind": "new_variant", "message": "Serial printed, not engraved, on the new fakes.", "photo": png()},
        )
    assert response.status_code == 302 and response["Location"] == f"/guides/{guide.pk}/"
    feedback = Feedback.objects.get()
    assert feedback.organization == officer.organization and feedback.created_by == officer and feedback.photo
    assert "Serial printed" in client.get("/guides/feedback/").content.decode()
    told = set(Notification.objects.filter(event__kind="guide.feedback").values_list("recipient_id", flat=True))
    assert told == {acme_editor.pk, acme_admin.pk}

    # The owner's answer reaches the officer's queue.
    guides.feedback_answer(actor=acme_editor, feedback=feedback, answer="Thanks: guide updated.")
    assert "Thanks: guide updated." in client.get("/guides/feedback/").content.decode()


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_sends_feedback_through_the_api(api, officer, shared):
    guide = shared["guide"]
    response = api(officer).post(
        f"/api/v1/guides/{guide.pk}/feedback/", {"kind": "outdated", "message": "New crown shape"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [row["id"] for row in api(officer).get(f"/api/v1/guides/{guide.pk}/feedback/").json()["results"]] == [
        response.json()["id"]
    ]


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_no_feedback_on_a_guide_of_a_brand_shared_with_customs_only(api, client, officer, customs_only):
    guide = customs_only["guide"]
    body = {"kind": "outdated", "message": "Hidden"}
    assert api(officer).post(f"/api/v1/guides/{guide.pk}/feedback/", body, format="json").status_code == 404
    client = signed_in(client, officer)
    assert client.get(f"/guides/{guide.pk}/feedback/new/").status_code == 404
    assert client.post(f"/guides/{guide.pk}/feedback/new/", body).status_code == 404
    assert not Feedback.objects.exists()


# --------------------------------------------------------------------------- follow, inbox, digest


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_follows_the_brand_and_is_told_of_a_new_version(
    client, api, officer, shared, acme_editor, mailoutbox, django_capture_on_commit_callbacks
):
    brand, guide = shared["brand"], shared["guide"]
    client = signed_in(client, officer)
    assert f'action="/inbox/follow/{brand.pk}/"' in client.get(f"/catalogue/brands/{brand.pk}/").content.decode()
    assert client.post(f"/inbox/follow/{brand.pk}/").status_code == 302
    assert BrandFollow.objects.filter(user=officer, brand=brand).exists()
    assert api(officer).get("/api/v1/me/preferences/").json()["followed_brands"] == [brand.pk]

    new_version(acme_editor, guide, django_capture_on_commit_callbacks, title="Spotting a fake Zephyrine, 2025")

    link = f"/guides/{guide.pk}/"
    assert inbox(officer) == [("guide.published", "New guide for Zephyrine: Spotting a fake Zephyrine, 2025", link)]
    told = [m for m in mailoutbox if m.extra_headers.get("X-IPM-Event") == "guide.published"]
    assert [m.to for m in told] == [[officer.email]]

    # The inbox, in the API and on the page; opening the notification marks it read.
    body = api(officer).get("/api/v1/notifications/").json()
    assert [(row["event"], row["link"], row["read"]) for row in body["results"]] == [("guide.published", link, False)]
    assert "Spotting a fake Zephyrine, 2025" in client.get("/inbox/").content.decode()
    notification = Notification.objects.get(recipient=officer)
    response = client.post(f"/inbox/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == link
    assert client.get(link).status_code == 200
    assert api(officer).get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_daily_digest_lists_the_new_version(
    api, officer, shared, acme_editor, mailoutbox, django_capture_on_commit_callbacks
):
    brand, guide = shared["brand"], shared["guide"]
    preferences = {"email": "digest", "followed_brands": [brand.pk]}
    response = api(officer).patch("/api/v1/me/preferences/", preferences, format="json")
    assert response.status_code == 200 and response.json() == preferences

    new_version(acme_editor, guide, django_capture_on_commit_callbacks, title="Zephyrine, the 2025 fakes")
    assert [m for m in mailoutbox if m.to == [officer.email]] == []  # the digest reader: no immediate e-mail

    assert digests_send(force=True) == 1
    (digest,) = mailoutbox
    assert digest.to == [officer.email] and digest.extra_headers["X-IPM-Event"] == "digest"
    assert "New guide for Zephyrine: Zephyrine, the 2025 fakes" in digest.body
    assert Preference.objects.get(user=officer).digest_sent_on is not None


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_a_brand_shared_with_customs_only_cannot_be_followed_and_tells_nothing(
    client, api, officer, customs_only, acme_editor, officer_fr, mailoutbox, django_capture_on_commit_callbacks
):
    brand, guide = customs_only["brand"], customs_only["guide"]
    response = api(officer).patch("/api/v1/me/preferences/", {"followed_brands": [brand.pk]}, format="json")
    assert response.status_code == 400 and "followed_brands" in response.json()
    client = signed_in(client, officer)
    assert client.get(f"/catalogue/brands/{brand.pk}/").status_code == 404
    assert client.post(f"/inbox/follow/{brand.pk}/").status_code == 404
    assert not BrandFollow.objects.filter(user=officer).exists()

    # A follow left over from when the brand was shared with them tells them nothing either,
    # while French customs, who follow it too, are told.
    BrandFollow.objects.create(user=officer, brand=brand)
    BrandFollow.objects.create(user=officer_fr, brand=brand)
    Preference.objects.create(user=officer, email="digest")
    new_version(acme_editor, guide, django_capture_on_commit_callbacks, title="Quillane, the 2025 fakes")

    assert [kind for kind, _title, _link in inbox(officer_fr)] == ["guide.published"]
    assert inbox(officer) == []
    assert api(officer).get("/api/v1/notifications/").json()["count"] == 0
    assert digests_send(force=True) == 0
    assert [m for m in mailoutbox if officer.email in m.to] == []


def test_a_guide_narrowed_to_one_kind_is_announced_to_that_kind_only(
    acme_editor, shared, police_officer_fr, international_officer, django_capture_on_commit_callbacks
):
    brand = shared["brand"]
    for person in (police_officer_fr, international_officer):
        BrandFollow.objects.create(user=person, brand=brand)
    guide = make_guide(
        acme_editor, brand, "Zephyrine for border desks", visibility={"all": True, "agencies": ["international"]}
    )
    add_indicator(acme_editor, guide, "Hologram", importance="decisive")
    with django_capture_on_commit_callbacks(execute=True):
        guides.guide_publish(actor=acme_editor, guide=guide)

    assert [kind for kind, _title, _link in inbox(international_officer)] == ["guide.published"]
    assert inbox(police_officer_fr) == []


# --------------------------------------------------------------------------- alerts and home


def published_alert(editor, brand, capture, **extra):
    alert = alerts.alert_create(actor=editor, data=alert_data(brand, **extra))
    with capture(execute=True):
        return alerts.alert_publish(actor=editor, alert=alert)


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_receives_and_acknowledges_an_alert_about_the_brand(
    api, client, officer, officer_fr, shared, customs_only, acme_editor, django_capture_on_commit_callbacks
):
    told = published_alert(acme_editor, shared["brand"], django_capture_on_commit_callbacks, title="Zephyrine fakes")
    hidden = published_alert(
        acme_editor, customs_only["brand"], django_capture_on_commit_callbacks, title="Quillane fakes"
    )

    assert [(kind, link) for kind, _title, link in inbox(officer)] == [("alert.published", f"/alerts/{told.pk}/")]
    assert [link for _kind, _title, link in inbox(officer_fr)] == [f"/alerts/{hidden.pk}/"]  # customs only
    client_api = api(officer)
    assert [row["id"] for row in client_api.get("/api/v1/alerts/").json()["results"]] == [told.pk]
    assert client_api.get(f"/api/v1/alerts/{hidden.pk}/").status_code == 404
    assert client_api.post(f"/api/v1/alerts/{hidden.pk}/acknowledge/").status_code == 404
    assert client_api.post(f"/api/v1/alerts/{told.pk}/acknowledge/").status_code == 200
    assert client_api.get(f"/api/v1/alerts/{told.pk}/").json()["acknowledged"] is True

    # The home page: the alert, the product opened last, the brand followed; nothing customs-only.
    page = signed_in(client, officer)
    page.post(f"/inbox/follow/{shared['brand'].pk}/")
    assert page.get(f"/catalogue/products/{shared['product'].pk}/").status_code == 200
    home = page.get("/").content.decode()
    assert "Zephyrine fakes" in home and "Zephyrine Chrono" in home
    assert f'href="/catalogue/brands/{shared["brand"].pk}/"' in home
    assert "Quillane" not in home


@pytest.mark.parametrize(
    "officer",
    [
        "police_officer_fr",
        "international_officer",
    ],
    indirect=True,
)
def test_the_owner_counts_the_officers_acknowledgement_in_the_target_country(
    api, officer, shared, acme_editor, django_capture_on_commit_callbacks
):
    alert = published_alert(acme_editor, shared["brand"], django_capture_on_commit_callbacks, target_countries=["FR"])
    assert api(officer).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 200
    assert api(acme_editor).get(f"/api/v1/alerts/{alert.pk}/").json()["acknowledgements"] == {"FR": 1}


# --------------------------------------------------------------------------- lookup, scan, search


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_looks_a_product_up_by_gtin_and_by_photo(api, client, officer, shared, customs_only):
    client_api = api(officer)
    found = client_api.get("/api/v1/products/lookup/", {"gtin": SHARED_GTIN})
    assert found.status_code == 200 and found.json()["id"] == shared["product"].pk
    assert client_api.get("/api/v1/products/lookup/", {"gtin": HIDDEN_GTIN}).status_code == 404

    scan = client_api.post(
        "/api/v1/search/photo/", {"image": photo(SHARED_GTIN, zxingcpp.BarcodeFormat.EAN13)}, format="multipart"
    )
    assert scan.status_code == 200, scan.content
    assert [p["id"] for p in scan.json()["products"]] == [shared["product"].pk]
    hidden = client_api.post(
        "/api/v1/search/photo/", {"image": photo(HIDDEN_GTIN, zxingcpp.BarcodeFormat.EAN13)}, format="multipart"
    )
    assert hidden.status_code == 200
    assert hidden.json()["codes"][0]["gtin"] == "0" + HIDDEN_GTIN and hidden.json()["products"] == []

    # The scan page: the photo lands on the product's guide, at its indicators (issue 17); the
    # hidden one shows nothing of it.
    page = signed_in(client, officer)
    landed = page.post(reverse("search:scan"), {"image": photo(SHARED_GTIN, zxingcpp.BarcodeFormat.EAN13)})
    assert landed.status_code == 302
    assert landed["Location"] == reverse("guides:detail", args=[shared["guide"].pk]) + "#indicators"
    assert page.get(landed["Location"]).status_code == 200
    live = page.get(reverse("search:scan"), {"code": SHARED_GTIN, "format": "ean_13"})
    assert live.status_code == 302 and live["Location"] == landed["Location"]
    missed = page.post(reverse("search:scan"), {"image": photo(HIDDEN_GTIN, zxingcpp.BarcodeFormat.EAN13)})
    html = missed.content.decode()
    assert missed.status_code == 200 and "No product shared with you carries this code" in html
    assert "Quillane" not in html
    assert page.get(reverse("brands:product_detail", args=[customs_only["product"].pk])).status_code == 404


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_searches(api, client, officer, shared, customs_only):
    body = api(officer).get("/api/v1/search/", {"q": "zephyrine"}).json()
    expected = {("brand", shared["brand"].pk), ("product", shared["product"].pk), ("guide", shared["guide"].pk)}
    assert {(hit["type"], hit["id"]) for hit in body["results"]} == expected
    hidden = api(officer).get("/api/v1/search/", {"q": "quillane"}).json()
    assert hidden["count"] == 0 and hidden["results"] == []

    page = signed_in(client, officer)
    html = page.get(reverse("search:results"), {"q": "zephyrine chrono"}).content.decode()
    assert reverse("brands:product_detail", args=[shared["product"].pk]) in html
    html = page.get(reverse("search:results"), {"q": "quillane"}).content.decode()
    assert "0 results for" in html and "Quillane Chrono</a>" not in html


@pytest.mark.parametrize("officer", OFFICERS, indirect=True)
def test_the_officer_reads_what_is_shared_and_nothing_else(api, client, officer, shared, customs_only):
    client_api = api(officer)
    assert [row["id"] for row in client_api.get("/api/v1/brands/").json()["results"]] == [shared["brand"].pk]
    assert [row["id"] for row in client_api.get("/api/v1/guides/").json()["results"]] == [shared["guide"].pk]
    for kind in ("brand", "product", "guide"):
        plural = f"{kind}s"
        assert client_api.get(f"/api/v1/{plural}/{shared[kind].pk}/").status_code == 200, kind
        assert client_api.get(f"/api/v1/{plural}/{customs_only[kind].pk}/").status_code == 404, kind
    page = signed_in(client, officer)
    assert page.get(f"/guides/{shared['guide'].pk}/").status_code == 200
    assert page.get(f"/guides/{customs_only['guide'].pk}/").status_code == 404


def test_a_brand_not_shared_with_the_officers_country_or_kind(
    api, acme_editor, market_officer_de, international_officer_it
):
    """The same rule's other two axes: shared with police and international bodies everywhere,
    the brand is hidden from German market surveillance (kind); shared only in France, from the
    international office covering Italy (jurisdiction)."""
    brand = catalogue(acme_editor, "Zephyrine", SHARED_GTIN, agencies=["police", "international"])["brand"]
    assert api(market_officer_de).get(f"/api/v1/brands/{brand.pk}/").status_code == 404
    assert api(market_officer_de).get("/api/v1/products/lookup/", {"gtin": SHARED_GTIN}).status_code == 404
    assert api(international_officer_it).get(f"/api/v1/brands/{brand.pk}/").status_code == 200
    brands.brand_update(actor=acme_editor, brand=brand, data={"visibility": {"all": False, "countries": ["FR"]}})
    assert api(international_officer_it).get(f"/api/v1/brands/{brand.pk}/").status_code == 404
    assert api(international_officer_it).get("/api/v1/search/", {"q": "zephyrine"}).json()["count"] == 0
