"""Sharing along two axes (issue 13, DESIGN.md "Confidentiality rules"): a brand is seen by an
enforcement organization when its kind is among the brand's agencies and its jurisdiction meets
the brand's countries; products, pictures, lookups and search follow; a guide may narrow the
agencies; existing brands stay customs-only and their owners are told once that they may widen.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from authentication_guides import services as guides
from brands import services
from brands.models import Brand, SharingNotice
from brands.tasks import tell_widen_possible
from core.models import Event
from core.scope import scope_of
from notifications.models import Notification
from tests.test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.network_fixtures", "tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

ALL_AGENCIES = ["customs", "police", "market_surveillance", "anti_fraud", "international"]
GTIN = "4006381333931"  # a valid EAN-13
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def brand_shared(editor, name: str, *, agencies: list[str], countries: list[str] | None = None) -> Brand:
    visibility = {"all": countries is None, "countries": countries or [], "agencies": agencies}
    return services.brand_create(actor=editor, data={"name": name, "visibility": visibility})


def published_guide(editor, brand: Brand, title: str, **data):
    guide = make_guide(editor, brand, title, **data)
    add_indicator(editor, guide, "Engraved serial", importance="decisive")
    return guides.guide_publish(actor=editor, guide=guide)


def search(client, q: str, **params) -> dict:
    response = client.get("/api/v1/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def hits(body: dict) -> list[tuple[str, int]]:
    return [(hit["type"], hit["id"]) for hit in body["results"]]


def page(client, user, path: str) -> int:
    client.force_login(user, backend=BACKEND)
    return client.get(path).status_code


@pytest.fixture
def customs_only(acme_editor):
    """A brand shared with customs only, in every country, with a product and a published guide."""
    brand = brand_shared(acme_editor, "Orlaine", agencies=["customs"])
    product = services.product_create(
        actor=acme_editor, brand=brand, data={"name": "Orlaine Rouge", "sku": "OR-1", "gtins": [GTIN]}
    )
    guide = published_guide(acme_editor, brand, "Spotting a fake Orlaine lipstick", product=product)
    return {"brand": brand, "product": product, "guide": guide}


# --------------------------------------------------------------------------- the rule


def test_a_brand_shared_with_customs_only_is_hidden_from_the_police(
    api, client, customs_only, officer_fr, police_officer_fr
):
    brand, product, guide = customs_only["brand"], customs_only["product"], customs_only["guide"]
    paths = [f"/api/v1/brands/{brand.pk}/", f"/api/v1/products/{product.pk}/", f"/api/v1/guides/{guide.pk}/"]
    customs, police = api(officer_fr), api(police_officer_fr)
    assert [customs.get(path).status_code for path in paths] == [200, 200, 200]
    assert [police.get(path).status_code for path in paths] == [404, 404, 404]
    assert police.get("/api/v1/products/lookup/", {"gtin": GTIN}).status_code == 404
    assert police.get("/api/v1/brands/").json()["count"] == 0
    for path in (f"/catalogue/brands/{brand.pk}/", f"/catalogue/products/{product.pk}/", f"/guides/{guide.pk}/"):
        assert page(client, police_officer_fr, path) == 404, path

    assert {kind for kind, _id in hits(search(customs, "orlaine"))} == {"brand", "product", "guide"}
    body = search(police, "orlaine")
    assert body["count"] == 0 and body["results"] == []


def test_a_brand_shared_with_police_in_france(api, acme_editor, police_officer_fr, market_officer_de, officer_fr):
    brand = brand_shared(acme_editor, "Velours", agencies=["police"], countries=["FR"])
    assert api(police_officer_fr).get(f"/api/v1/brands/{brand.pk}/").status_code == 200
    assert ("brand", brand.pk) in hits(search(api(police_officer_fr), "velours"))
    for outsider in (market_officer_de, officer_fr):  # another kind in another country; customs in France
        assert api(outsider).get(f"/api/v1/brands/{brand.pk}/").status_code == 404
        assert search(api(outsider), "velours")["count"] == 0


def test_international_bodies_see_brands_shared_with_them_in_one_of_their_countries(
    api, acme_editor, international_officer, international_officer_it
):
    spain = brand_shared(acme_editor, "Sierra", agencies=["international"], countries=["ES"])
    everywhere = brand_shared(acme_editor, "Sierra Global", agencies=["international", "customs"])
    customs_in_spain = brand_shared(acme_editor, "Sierra Aduana", agencies=["customs"], countries=["ES"])

    def visible(user) -> set[int]:
        return {row["id"] for row in api(user).get("/api/v1/brands/").json()["results"]}

    assert visible(international_officer) == {spain.pk, everywhere.pk}
    assert visible(international_officer_it) == {everywhere.pk}
    assert api(international_officer_it).get(f"/api/v1/brands/{spain.pk}/").status_code == 404
    assert customs_in_spain.pk not in visible(international_officer)


def test_the_owner_widens_and_narrows_the_agencies_freely(api, acme_editor, customs_only, police_officer_fr):
    brand, owner, police = customs_only["brand"], api(acme_editor), api(police_officer_fr)
    widened = owner.patch(
        f"/api/v1/brands/{brand.pk}/",
        {"visibility": {"all": True, "agencies": ["customs", "police"]}},
        format="json",
    )
    assert widened.status_code == 200, widened.json()
    assert widened.json()["visibility"] == {"all": True, "countries": [], "agencies": ["customs", "police"]}
    assert police.get(f"/api/v1/products/{customs_only['product'].pk}/").status_code == 200
    assert ("guide", customs_only["guide"].pk) in hits(search(police, "lipstick"))

    # A change of countries that leaves the agencies out keeps them.
    kept = owner.patch(
        f"/api/v1/brands/{brand.pk}/", {"visibility": {"all": False, "countries": ["FR"]}}, format="json"
    )
    assert kept.json()["visibility"] == {"all": False, "countries": ["FR"], "agencies": ["customs", "police"]}

    owner.patch(f"/api/v1/brands/{brand.pk}/", {"visibility": {"all": True, "agencies": ["customs"]}}, format="json")
    assert police.get(f"/api/v1/brands/{brand.pk}/").status_code == 404
    assert search(police, "lipstick")["count"] == 0  # at once: the cached guide list is replaced


def test_a_new_brand_is_shared_with_every_agency(api, acme_editor):
    body = api(acme_editor).post("/api/v1/brands/", {"name": "Nova"}, format="json").json()
    assert body["visibility"]["agencies"] == ALL_AGENCIES


# --------------------------------------------------------------------------- guides narrow


def test_a_guide_narrowed_to_customs_is_not_seen_by_the_police(api, acme_editor, officer_fr, police_officer_fr):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs", "police"])
    narrowed = published_guide(
        acme_editor, brand, "Marais customs checklist", visibility={"all": True, "agencies": ["customs"]}
    )
    open_guide = published_guide(acme_editor, brand, "Marais street checklist")
    police = api(police_officer_fr)

    assert api(acme_editor).get(f"/api/v1/guides/{narrowed.pk}/").json()["visibility"] == {
        "all": True,
        "countries": [],
        "agencies": ["customs"],
    }
    assert api(officer_fr).get(f"/api/v1/guides/{narrowed.pk}/").status_code == 200
    assert police.get(f"/api/v1/brands/{brand.pk}/").status_code == 200
    assert police.get(f"/api/v1/guides/{narrowed.pk}/").status_code == 404
    assert [row["id"] for row in police.get("/api/v1/guides/").json()["results"]] == [open_guide.pk]
    assert police.get(f"/api/v1/guides/{open_guide.pk}/").json()["visibility"]["agencies"] == ["customs", "police"]


def test_a_guide_as_the_brand_follows_the_brand_and_a_narrowed_one_never_widens(api, acme_editor, police_officer_fr):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs"])
    as_brand = published_guide(acme_editor, brand, "As the brand")
    narrowed = published_guide(acme_editor, brand, "Customs only", visibility={"all": True, "agencies": ["customs"]})
    services.brand_update(actor=acme_editor, brand=brand, data={"visibility": {"all": True, "agencies": ALL_AGENCIES}})
    police = api(police_officer_fr)
    assert police.get(f"/api/v1/guides/{as_brand.pk}/").status_code == 200
    assert police.get(f"/api/v1/guides/{narrowed.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)  # a transaction with changes of its own uses no cache
def test_a_french_police_search_right_after_a_french_customs_search_shows_no_customs_only_guide(
    api, acme_editor, officer_fr, coordinator_fr, police_officer_fr
):
    """The officers' visible-guide list is cached per Scope.cache_key: French customs and French
    police share the country and the language but not the kind, so not the list."""
    brand = brand_shared(acme_editor, "Marais", agencies=["customs", "police"])
    guide = published_guide(
        acme_editor, brand, "Marais hologram forgeries", visibility={"all": True, "agencies": ["customs"]}
    )
    customs_key, police_key = scope_of(officer_fr).cache_key, scope_of(police_officer_fr).cache_key
    assert scope_of(police_officer_fr).jurisdiction == scope_of(officer_fr).jurisdiction == ("FR",)
    assert customs_key != police_key and customs_key == scope_of(coordinator_fr).cache_key

    def guide_lists(captured) -> list[str]:
        return [query["sql"] for query in captured.captured_queries if "authentication_guides_guide" in query["sql"]]

    # The tokens first: a new token is a new cache version (core/versions.py).
    customs, coordinator, police = api(officer_fr), api(coordinator_fr), api(police_officer_fr)
    assert hits(search(customs, "hologram", type="guide")) == [("guide", guide.pk)]  # cached now
    with CaptureQueriesContext(connection) as another_customs_officer:
        assert hits(search(coordinator, "hologram", type="guide")) == [("guide", guide.pk)]
    assert guide_lists(another_customs_officer) == []  # served from the customs list
    with CaptureQueriesContext(connection) as police_officer:
        assert search(police, "hologram", type="guide")["count"] == 0
    assert guide_lists(police_officer)  # the police list is their own
    assert search(api(police_officer_fr), "marais")["count"] == 1  # the brand itself is shared with them


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "visibility",
    [
        {"all": True, "agencies": []},
        {"all": True, "agencies": ["army"]},
        {"all": True, "agencies": "police"},
        {"all": True, "agencies": None},
        {"all": False, "countries": ["FR"], "agencies": ["customs", "customs", "navy"]},
    ],
)
def test_bad_agencies_on_a_brand_are_400_on_visibility(api, acme_editor, brand_fr, visibility):
    client = api(acme_editor)
    created = client.post("/api/v1/brands/", {"name": "Nova", "visibility": visibility}, format="json")
    assert created.status_code == 400 and "visibility" in created.json(), created.json()
    changed = client.patch(f"/api/v1/brands/{brand_fr.pk}/", {"visibility": visibility}, format="json")
    assert changed.status_code == 400 and "visibility" in changed.json(), changed.json()
    assert not Brand.objects.filter(name="Nova").exists()
    assert Brand.objects.get(pk=brand_fr.pk).agencies == ALL_AGENCIES


def test_the_services_refuse_bad_agencies_on_visibility(acme_editor, brand_fr):
    from django.core.exceptions import ValidationError

    for agencies in ([], ["army"], "police"):
        with pytest.raises(ValidationError) as refused:
            services.brand_update(
                actor=acme_editor, brand=brand_fr, data={"visibility": {"all": True, "agencies": agencies}}
            )
        assert list(refused.value.message_dict) == ["visibility"]


@pytest.mark.parametrize(
    "visibility",
    [
        {"all": True, "agencies": ["police"]},  # wider than the brand's
        {"all": True, "agencies": []},
        {"all": True, "agencies": ["army"]},
    ],
)
def test_bad_agencies_on_a_guide_are_400_on_visibility(api, acme_editor, visibility):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs"])
    client = api(acme_editor)
    body = {"brand": brand.pk, "title": "x", "language": "en", "visibility": visibility}
    created = client.post("/api/v1/guides/", body, format="json")
    assert created.status_code == 400 and "visibility" in created.json(), created.json()
    guide = make_guide(acme_editor, brand, "Kept")
    changed = client.patch(f"/api/v1/guides/{guide.pk}/", {"visibility": visibility}, format="json")
    assert changed.status_code == 400 and "visibility" in changed.json(), changed.json()
    guide.refresh_from_db()
    assert guide.agencies_as_brand


def test_the_brand_form_shares_with_every_agency_by_default_and_needs_one(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    form = client.get("/catalogue/brands/new/").context["form"]
    assert form["agencies"].value() == ALL_AGENCIES
    assert 'type="hidden" name="agencies" value=""' in str(form["agencies"])

    # What a browser sends with every box unticked: the hidden empty value only.
    refused = client.post("/catalogue/brands/new/", {"name": "Nova", "visibility": "all", "agencies": [""]})
    assert refused.status_code == 400
    assert refused.context["form"].errors["agencies"] == ["Tick at least one kind of agency."]
    unknown = client.post("/catalogue/brands/new/", {"name": "Nova", "visibility": "all", "agencies": ["", "army"]})
    assert unknown.status_code == 400 and "agencies" in unknown.context["form"].errors

    saved = client.post(
        "/catalogue/brands/new/", {"name": "Nova", "visibility": "all", "agencies": ["", "police", "customs"]}
    )
    assert saved.status_code == 302
    brand = Brand.objects.get(name="Nova")
    assert brand.agencies == ["customs", "police"]
    html = client.get(f"/catalogue/brands/{brand.pk}/").content.decode()
    assert "Customs administration, Police" in html and "Every country" in html
    assert "All customs administrations" not in html


def test_the_brand_edit_form_shows_and_keeps_the_agencies(client, acme_editor):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs", "anti_fraud"], countries=["FR"])
    client.force_login(acme_editor, backend=BACKEND)
    assert client.get(f"/catalogue/brands/{brand.pk}/edit/").context["form"]["agencies"].value() == [
        "customs",
        "anti_fraud",
    ]
    # A request without the field at all leaves them as they are.
    client.post(f"/catalogue/brands/{brand.pk}/edit/", {"name": "Marais", "visibility": "all"})
    assert Brand.objects.get(pk=brand.pk).visibility == {
        "all": True,
        "countries": [],
        "agencies": ["customs", "anti_fraud"],
    }


def test_the_guide_form_offers_the_brands_agencies_only(client, acme_editor):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs", "police"])
    client.force_login(acme_editor, backend=BACKEND)
    form = client.get(f"/guides/new/?brand={brand.pk}").context["form"]
    assert [value for value, _label in form.fields["agencies"].choices] == ["customs", "police"]
    assert form["agencies"].value() == ["customs", "police"]

    wider = client.post(
        f"/guides/new/?brand={brand.pk}",
        {"title": "x", "language": "en", "visibility": "all", "agencies": ["", "customs", "international"]},
    )
    assert wider.status_code == 400 and "agencies" in wider.context["form"].errors

    client.post(
        f"/guides/new/?brand={brand.pk}",
        {"title": "Narrowed", "language": "en", "visibility": "all", "agencies": ["", "customs"]},
    )
    client.post(
        f"/guides/new/?brand={brand.pk}",
        {"title": "As the brand", "language": "en", "visibility": "all", "agencies": ["", "customs", "police"]},
    )
    narrowed, as_brand = (brand.guides.get(versions__title=title) for title in ("Narrowed", "As the brand"))
    assert (narrowed.agencies_as_brand, narrowed.own_agencies) == (False, ["customs"])
    assert as_brand.agencies_as_brand

    edit = client.get(f"/guides/{narrowed.pk}/edit/").context["form"]
    assert edit["agencies"].value() == ["customs"]
    page_html = client.get(f"/guides/{narrowed.pk}/").content.decode()
    assert "Shared with" in page_html and "Customs administration" in page_html


# --------------------------------------------------------------------------- telling right holders


def test_the_notice_is_sent_once_to_the_owners_admins(
    acme, acme_admin, acme_editor, globex, other_rightholder, django_capture_on_commit_callbacks
):
    SharingNotice.objects.create(organization=acme)
    SharingNotice.objects.create(organization=globex)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_widen_possible.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_widen_possible.delay().get() == 0
    output = io.StringIO()
    call_command("tell_widen_possible", stdout=output)
    assert output.getvalue().startswith("0 right holders told")

    events = Event.objects.filter(kind="sharing.widen_possible")
    assert sorted(event.organization_id for event in events) == sorted([acme.pk, globex.pk])
    told = Notification.objects.filter(event__kind="sharing.widen_possible")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([acme_admin.pk, other_rightholder.pk])
    assert set(told.values_list("title", "link")) == {
        ("You can now share your brands with police and other agencies", "/catalogue/")
    }
    assert not Notification.objects.filter(recipient=acme_editor).exists()
    assert not SharingNotice.objects.filter(sent__isnull=True).exists()


def test_a_right_holder_not_approved_yet_is_told_once_approved(acme, acme_admin):
    from accounts.models import Status

    acme.status = Status.PENDING
    acme.save()
    SharingNotice.objects.create(organization=acme)
    assert services.sharing_notices_send() == 0
    acme.status = Status.APPROVED
    acme.save()
    assert services.sharing_notices_send() == 1
    assert services.sharing_notices_send() == 0


# --------------------------------------------------------------------------- the data migration


@pytest.mark.django_db(transaction=True)
def test_existing_brands_stay_customs_only_and_their_owners_are_to_be_told():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    # Brands before agencies; every other app as it is now (unless it builds on the agencies).
    later = set(graph.backwards_plan(("brands", "0005_brand_agencies")))
    before = [("brands", "0004_follows_and_recent_views_moved")] + [
        leaf for leaf in graph.leaf_nodes() if leaf[0] != "brands" and leaf not in later
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organization, OldBrand = old.get_model("accounts", "Organization"), old.get_model("brands", "Brand")
    owner = Organization.objects.create(name="Old Maison", kind="right_holder", country="FR", status="approved")
    OldBrand.objects.create(owner=owner, name="Vieille Maison")
    OldBrand.objects.create(owner=owner, name="Vieille Maison Atelier")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert [brand.agencies for brand in Brand.objects.filter(owner_id=owner.pk)] == [["customs"], ["customs"]]
    notice = SharingNotice.objects.get()
    assert (notice.organization_id, notice.sent) == (owner.pk, None)


def test_a_translation_starts_with_the_agencies_of_the_guide_it_translates(client, acme_editor):
    brand = brand_shared(acme_editor, "Marais", agencies=["customs", "police"])
    narrowed = published_guide(
        acme_editor, brand, "Marais customs checklist", visibility={"all": True, "agencies": ["customs"]}
    )
    client.force_login(acme_editor, backend=BACKEND)
    form = client.get(f"/guides/{narrowed.pk}/translate/").context["form"]
    assert form["agencies"].value() == ["customs"]
