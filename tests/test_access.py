"""Suspension ends access at once, sessions and API tokens included; reinstatement restores it."""

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client(acme_viewer):
    _instance, token = ApiToken.objects.create(user=acme_viewer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def session_client(acme_viewer):
    client = APIClient()
    client.force_login(acme_viewer)
    return client


def test_suspended_user_loses_token_and_session_then_regains_them(
    token_client, session_client, platform_admin, acme_viewer
):
    assert token_client.get("/api/v1/me/").status_code == 200
    assert session_client.get("/api/v1/me/").status_code == 200

    services.user_suspend(actor=platform_admin, user=acme_viewer, reason="Investigation")
    assert token_client.get("/api/v1/me/").status_code == 401
    assert session_client.get("/api/v1/me/").status_code == 401  # signed out: anonymous to the API
    assert session_client.get("/").status_code == 302  # signed out and sent to the sign-in page

    services.user_reinstate(actor=platform_admin, user=acme_viewer, reason="Cleared")
    assert token_client.get("/api/v1/me/").status_code == 200


def test_suspended_organization_locks_out_every_member(
    token_client, platform_admin, acme, acme_viewer, api, acme_admin
):
    admin_client = api(acme_admin)
    services.organization_suspend(actor=platform_admin, organization=acme, reason="Counterfeiter")
    assert token_client.get("/api/v1/me/").status_code == 401
    assert admin_client.get("/api/v1/admin/users/").status_code == 401
    services.organization_reinstate(actor=platform_admin, organization=acme)
    assert token_client.get("/api/v1/me/").status_code == 200


def test_suspended_user_cannot_get_a_new_token(anonymous, platform_admin, acme_viewer, password):
    services.user_suspend(actor=platform_admin, user=acme_viewer, reason="x")
    response = anonymous.post("/api/v1/auth/token/", {"email": acme_viewer.email, "password": password}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_removed_member_loses_access(token_client, acme_admin, acme_viewer):
    services.member_remove(actor=acme_admin, user=acme_viewer)
    assert token_client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED])
def test_only_approved_people_use_the_api(api, acme, status):
    from tests.factories import member

    person = member(acme, "viewer", status=status)
    assert api(person).get("/api/v1/me/").status_code == 401


def test_pending_organizations_founder_has_no_api_access(api):
    from tests.factories import OrganizationFactory, member

    org = OrganizationFactory(status=Status.PENDING)
    founder = member(org, status=Status.APPROVED, is_founder=True)
    assert api(founder).get("/api/v1/me/").status_code == 401
