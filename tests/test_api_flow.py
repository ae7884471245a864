"""The contract's account flow: register -> approve -> token -> /api/v1/me/."""

import pytest

pytestmark = pytest.mark.django_db


def test_register_approve_token_me(
    anonymous, api, platform_admin, password, django_capture_on_commit_callbacks, mailoutbox
):
    response = anonymous.post(
        "/api/v1/auth/register/",
        {
            "email": "Rita@Brand.example",
            "password": password,
            "full_name": "Rita Holder",
            "organization": {"kind": "right_holder", "name": "Brand Co", "country": "CH"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "rita@brand.example"
    assert body["status"] == "pending"
    # The contract's answer is the person only, {id, email, full_name, status}: it used to carry
    # the role and the organization, which told whether the organization existed.
    assert set(body) == {"id", "email", "full_name", "status"}

    refused = anonymous.post(
        "/api/v1/auth/token/", {"email": "rita@brand.example", "password": password}, format="json"
    )
    assert refused.status_code == 400

    admin = api(platform_admin)
    pending = admin.get("/api/v1/admin/organizations/?status=pending").json()
    assert pending["count"] == 1
    org_id = pending["results"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        approved = admin.post(f"/api/v1/admin/organizations/{org_id}/approve/", {"reason": "ok"}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert [m.to for m in mailoutbox] == [["rita@brand.example"]]

    token = anonymous.post("/api/v1/auth/token/", {"email": "rita@brand.example", "password": password}, format="json")
    assert token.status_code == 200, token.json()
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    me = anonymous.get("/api/v1/me/").json()
    assert me["status"] == "approved"
    assert me["role"] == "admin"
    assert me["organization"] == {
        "id": org_id,
        "name": "Brand Co",
        "kind": "right_holder",
        "country": "CH",
        "status": "approved",
    }
