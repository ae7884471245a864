"""What registering answers: the person only, `{id, email, full_name, status}`, the same whether
the organization is new or one the person asks to join (DESIGN.md). Whether an organization is
on the portal is not for anyone registering to learn."""

from __future__ import annotations

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db

API = "/api/v1/auth/register/"
WEB = "/accounts/register/"


def api_body(password, *, email, name, country="CH", kind="right_holder"):
    return {
        "email": email,
        "password": password,
        "full_name": "Rita Holder",
        "organization": {"kind": kind, "name": name, "country": country},
    }


def web_body(password, *, email, name, country="CH"):
    return {
        "full_name": "Rita Holder",
        "email": email,
        "password1": password,
        "password2": password,
        "language": "en",
        "organization_kind": "right_holder",
        "organization_name": name,
        "country": country,
    }


def test_the_api_answers_the_person_only_for_a_new_organization_and_a_join_request_alike(
    anonymous, password, acme, acme_admin
):
    new = anonymous.post(API, api_body(password, email="new@brand.example", name="Brand New"), format="json")
    join = anonymous.post(API, api_body(password, email="join@brand.example", name="Acme Watches"), format="json")
    assert (new.status_code, join.status_code) == (201, 201)
    assert User.objects.get(email="join@brand.example").organization == acme  # it was a join request
    for response, email in ((new, "new@brand.example"), (join, "join@brand.example")):
        user = User.objects.get(email=email)
        assert response.json() == {"id": user.pk, "email": email, "full_name": "Rita Holder", "status": "pending"}
    assert set(new.json()) == set(join.json())


def test_the_api_answer_carries_nothing_of_the_organization(anonymous, password, acme, acme_admin):
    response = anonymous.post(API, api_body(password, email="join@brand.example", name="acme watches"), format="json")
    assert set(response.json()) == {"id", "email", "full_name", "status"}
    text = response.content.decode().lower()
    for secret in ("acme", "approved", "viewer", "organization", "role", "admin"):
        assert secret not in text, secret


def main_content(response) -> str:
    """The page's <main>, where the template speaks (the header carries per-request tokens)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_web_registration_ends_on_the_same_page_for_a_new_organization_and_a_join_request(
    client, password, acme, acme_admin
):
    new = client.post(WEB, web_body(password, email="new@brand.example", name="Brand New"))
    join = client.post(WEB, web_body(password, email="join@brand.example", name="Acme Watches"))
    assert User.objects.get(email="join@brand.example").organization == acme
    assert new.status_code == join.status_code == 302
    assert new["Location"] == join["Location"] == "/accounts/register/done/"
    assert main_content(client.get(join["Location"])) == main_content(client.get(new["Location"]))


def test_the_done_page_does_not_take_a_hint_from_the_address(client):
    hinted = main_content(client.get("/accounts/register/done/?joining=1"))
    assert hinted == main_content(client.get("/accounts/register/done/"))
