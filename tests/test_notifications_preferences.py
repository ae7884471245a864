"""Preferences: e-mail immediately, in a digest or never; followed brands, only among those the
person may see (another country's or organization's brand is a 400 field error)."""

from __future__ import annotations

import pytest

from brands.models import BrandFollow
from notifications.models import Preference

pytest_plugins = ["tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

URL = "/api/v1/me/preferences/"


def test_defaults(api, officer_fr):
    response = api(officer_fr).get(URL)
    assert response.status_code == 200
    assert response.json() == {"email": "immediate", "followed_brands": []}


def test_officer_sets_mode_and_follows_visible_brands(api, officer_fr, brand_all, brand_fr):
    client = api(officer_fr)

    response = client.patch(URL, {"email": "digest", "followed_brands": [brand_all.pk, brand_fr.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"email": "digest", "followed_brands": sorted([brand_all.pk, brand_fr.pk])}
    assert client.get(URL).json()["email"] == "digest"
    # A partial update leaves the other field alone; an empty list unfollows everything.
    assert client.patch(URL, {"email": "off"}, format="json").json()["followed_brands"] == sorted(
        [brand_all.pk, brand_fr.pk]
    )
    assert client.patch(URL, {"followed_brands": []}, format="json").json() == {"email": "off", "followed_brands": []}


def test_a_brand_of_another_country_is_a_field_error(api, officer_de, brand_fr, brand_all):
    response = api(officer_de).patch(URL, {"followed_brands": [brand_all.pk, brand_fr.pk]}, format="json")

    assert response.status_code == 400
    assert "followed_brands" in response.json()
    assert not BrandFollow.objects.filter(user=officer_de).exists()  # nothing half-saved


def test_an_unknown_brand_reads_like_an_invisible_one(api, officer_de, brand_fr):
    invisible = api(officer_de).patch(URL, {"followed_brands": [brand_fr.pk]}, format="json").json()
    unknown = api(officer_de).patch(URL, {"followed_brands": [brand_fr.pk + 1000]}, format="json").json()
    assert invisible["followed_brands"][0].replace(str(brand_fr.pk), "N") == unknown["followed_brands"][0].replace(
        str(brand_fr.pk + 1000), "N"
    )


def test_right_holders_do_not_follow_brands(api, other_rightholder, acme_admin, brand_all):
    # Another organization's brand is invisible to Globex; Acme's own people do not follow either.
    for person in (other_rightholder, acme_admin):
        response = api(person).patch(URL, {"followed_brands": [brand_all.pk]}, format="json")
        assert response.status_code == 400 and "followed_brands" in response.json()
    assert api(acme_admin).patch(URL, {"email": "off"}, format="json").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "sometimes"},
        {"followed_brands": "all"},
        {"followed_brands": ["x"]},
        {"followed_brands": [-1]},
        {"email": None},
    ],
)
def test_bad_input_is_400(api, officer_fr, body):
    response = api(officer_fr).patch(URL, body, format="json")
    assert response.status_code == 400


def test_anonymous_gets_401(anonymous):
    assert anonymous.get(URL).status_code == 401


def test_followed_brand_later_hidden_from_the_country_disappears(api, officer_de, brand_all, acme_editor):
    from brands import services as brand_services

    api(officer_de).patch(URL, {"followed_brands": [brand_all.pk]}, format="json")
    brand_services.brand_update(
        actor=acme_editor, brand=brand_all, data={"visibility": {"all": False, "countries": ["FR"]}}
    )

    assert api(officer_de).get(URL).json()["followed_brands"] == []


# --------------------------------------------------------------------------- pages


def test_preferences_panel_on_the_persons_page(client, officer_fr, brand_all):
    BrandFollow.objects.create(user=officer_fr, brand=brand_all)
    client.force_login(officer_fr)

    page = client.get("/accounts/me/").content.decode()
    assert 'action="/inbox/preferences/"' in page and "Lumina" in page

    response = client.post("/inbox/preferences/", {"email": "digest"})  # unticked: unfollowed
    assert response.status_code == 302
    assert Preference.objects.get(user=officer_fr).email == "digest"
    assert not BrandFollow.objects.filter(user=officer_fr).exists()


def test_preferences_page_refuses_a_bad_mode(client, officer_fr):
    client.force_login(officer_fr)
    client.post("/inbox/preferences/", {"email": "sometimes"})
    assert not Preference.objects.filter(user=officer_fr).exists()


def test_follow_button_on_a_brand_page_for_officers(client, officer_fr, brand_all):
    client.force_login(officer_fr)
    page = client.get(f"/catalogue/brands/{brand_all.pk}/").content.decode()
    assert f'action="/inbox/follow/{brand_all.pk}/"' in page

    client.post(f"/inbox/follow/{brand_all.pk}/")
    assert BrandFollow.objects.filter(user=officer_fr, brand=brand_all).exists()
    page = client.get(f"/catalogue/brands/{brand_all.pk}/").content.decode()
    assert f'action="/inbox/unfollow/{brand_all.pk}/"' in page

    client.post(f"/inbox/unfollow/{brand_all.pk}/")
    assert not BrandFollow.objects.filter(user=officer_fr).exists()


def test_no_follow_button_for_right_holders(client, acme_editor, brand_all):
    client.force_login(acme_editor)
    page = client.get(f"/catalogue/brands/{brand_all.pk}/").content.decode()
    assert "/inbox/follow/" not in page


def test_following_a_brand_of_another_country_by_its_address_is_404(client, officer_de, brand_fr):
    client.force_login(officer_de)
    assert client.post(f"/inbox/follow/{brand_fr.pk}/").status_code == 404
    assert not BrandFollow.objects.exists()
