"""Ways around the rules that must stay closed: two-factor on the API, forged addresses,
look-alike e-mails, NUL characters, oversize bodies, cached tokens, races."""

import threading

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import services
from accounts.audit import client_ip
from accounts.models import ApiToken, Membership, Role, Status, User
from tests.factories import member

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
BACKEND = "django.contrib.auth.backends.ModelBackend"


# --------------------------------------------------------------------------- two-factor on the API


def test_a_session_without_its_second_factor_cannot_use_the_api(platform_admin, settings, acme):
    settings.REQUIRE_2FA = True
    TOTPDevice.objects.create(user=platform_admin, name="default", confirmed=True)
    client = APIClient()
    client.force_login(platform_admin, backend=BACKEND)  # password only, no code yet
    assert client.get("/api/v1/admin/users/").status_code == 403
    response = client.post(f"/api/v1/admin/organizations/{acme.pk}/suspend/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.status == Status.APPROVED


def test_a_session_of_someone_who_turned_two_factor_on_needs_the_code(acme_viewer):
    TOTPDevice.objects.create(user=acme_viewer, name="default", confirmed=True)
    client = APIClient()
    client.force_login(acme_viewer, backend=BACKEND)
    assert client.get("/api/v1/me/").status_code == 403


def test_an_old_token_stops_working_when_the_role_requires_two_factor(api, acme_admin, acme_viewer, settings):
    settings.REQUIRE_2FA = True
    officer_client = api(acme_viewer)
    assert officer_client.get("/api/v1/me/").status_code == 200
    # A customs coordinator must use two-factor; make the viewer's organization customs-like by
    # giving a coordinator role in a customs administration instead.
    from tests.factories import OrganizationFactory

    customs = OrganizationFactory(kind="customs", country="FR")
    officer = member(customs, Role.OFFICER)
    member(customs, Role.COORDINATOR)
    client = api(officer)
    assert client.get("/api/v1/me/").status_code == 200
    Membership.objects.filter(user=officer).update(role=Role.COORDINATOR)
    assert client.get("/api/v1/me/").status_code == 401
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    assert client.get("/api/v1/me/").status_code == 200


# --------------------------------------------------------------------------- addresses


def test_x_forwarded_for_does_not_dodge_the_anonymous_throttle(anonymous, settings):
    settings.API_THROTTLE_ANON = "3/min"
    statuses = [
        anonymous.post(TOKEN_URL, {}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


def test_audit_ip_behind_a_proxy_is_the_one_the_proxy_appended(rf, settings):
    settings.BEHIND_TLS_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(request) == "10.0.0.2"


def test_sign_in_page_is_throttled_per_address(client, settings):
    settings.API_THROTTLE_ANON = "3/min"
    statuses = [
        client.post("/accounts/login/", {"username": f"p{i}@x.example", "password": "nope-nope"}).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("path", ["/accounts/register/", "/accounts/password-reset/"])
def test_registration_and_password_reset_are_throttled_per_address(client, settings, path):
    settings.API_THROTTLE_ANON = "2/min"
    statuses = [client.post(path, {"email": f"p{i}@x.example"}).status_code for i in range(3)]
    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]


# --------------------------------------------------------------------------- e-mails


def test_the_lock_out_holds_whatever_the_case_of_the_address(anonymous, acme_viewer, password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        anonymous.post(TOKEN_URL, {"email": acme_viewer.email, "password": "wrong-one!"}, format="json")
    response = anonymous.post(TOKEN_URL, {"email": acme_viewer.email.upper(), "password": password}, format="json")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_dotless_i_spelling_is_not_the_same_account(anonymous, acme, password):
    user = member(acme, Role.VIEWER, email="alice@acme.example")
    response = anonymous.post(TOKEN_URL, {"email": "alıce@acme.example", "password": password}, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()


def test_e_mails_are_stored_lower_case_whatever_the_path(db):
    from django.db import IntegrityError, transaction

    user = User.objects.create_user(email="Mixed@Case.Example", password="x", full_name="M")
    assert user.email == "mixed@case.example"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(email="Mixed@Case.Example")


# --------------------------------------------------------------------------- odd input


@pytest.mark.parametrize(
    "path", ["/api/v1/me/tokens/%00/", "/api/v1/admin/users/?q=%00", "/accounts/me/tokens/%00/revoke/"]
)
def test_nul_characters_in_the_address_are_a_400(api, acme_admin, path):
    client = api(acme_admin)
    client.force_login(acme_admin, backend=BACKEND)
    response = client.get(path) if "revoke" not in path else client.post(path)
    assert response.status_code in (400, 404)
    assert response.status_code != 500


def test_nul_in_an_api_path_is_a_json_400(api, acme_viewer):
    response = api(acme_viewer).delete("/api/v1/me/tokens/%00/")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_an_oversize_body_is_a_json_400(anonymous):
    body = '{"email": "' + "a" * (3 * 1024 * 1024) + '"}'
    response = anonymous.post("/api/v1/auth/register/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_a_nul_in_a_json_field_is_a_field_error(anonymous, password):
    body = {
        "email": "n@x.example",
        "password": password,
        "full_name": "A\x00B",
        "organization": {"kind": "customs", "name": "Nul Co", "country": "FR"},
    }
    response = anonymous.post("/api/v1/auth/register/", body, format="json")
    assert response.status_code == 400 and "full_name" in response.json()


# --------------------------------------------------------------------------- tokens


def test_the_token_answer_is_never_cached(anonymous, acme_viewer, password):
    response = anonymous.post(TOKEN_URL, {"email": acme_viewer.email, "password": password}, format="json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_expired_tokens_are_not_listed(api, acme_viewer):
    from datetime import timedelta

    from django.utils import timezone

    client = api(acme_viewer)
    old = ApiToken.objects.create(user=acme_viewer, name="old")[0]
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    names = [t["name"] for t in client.get("/api/v1/me/tokens/").json()["results"]]
    assert names == [""]


def test_a_password_change_revokes_every_api_token(client, api, acme_viewer, password):
    token_client = api(acme_viewer)
    client.force_login(acme_viewer, backend=BACKEND)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "An-entirely-new-pass-42",
            "new_password2": "An-entirely-new-pass-42",
        },
    )
    assert response.status_code == 302
    assert token_client.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=acme_viewer).exists()


# --------------------------------------------------------------------------- platform decisions


def test_an_org_admin_cannot_lift_a_platform_suspension(api, platform_admin, acme_admin, acme_viewer):
    services.user_suspend(actor=platform_admin, user=acme_viewer, reason="Scraping")
    response = api(acme_admin).post(f"/api/v1/admin/users/{acme_viewer.pk}/reinstate/", format="json")
    assert response.status_code == 403
    acme_viewer.refresh_from_db()
    assert acme_viewer.status == Status.SUSPENDED
    assert (
        api(platform_admin).post(f"/api/v1/admin/users/{acme_viewer.pk}/reinstate/", format="json").status_code == 200
    )


def test_an_org_admin_can_lift_their_own_suspension(api, acme_admin, acme_viewer):
    client = api(acme_admin)
    client.post(f"/api/v1/admin/users/{acme_viewer.pk}/suspend/", {"reason": "Holiday"}, format="json")
    assert client.post(f"/api/v1/admin/users/{acme_viewer.pk}/reinstate/", format="json").status_code == 200


def test_an_org_admin_cannot_approve_someone_the_platform_rejected(api, platform_admin, acme_admin, acme):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    services.user_reject(actor=platform_admin, user=joiner, reason="Known counterfeiter")
    assert api(acme_admin).post(f"/api/v1/admin/users/{joiner.pk}/approve/", format="json").status_code == 403
    joiner.refresh_from_db()
    assert joiner.status == Status.REJECTED


def test_approving_an_organization_keeps_a_founder_rejected_on_their_own(platform_admin):
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(status=Status.PENDING)
    founder = member(organization, Role.ADMIN, status=Status.PENDING, is_founder=True)
    services.user_reject(actor=platform_admin, user=founder, reason="Impostor")
    services.organization_approve(actor=platform_admin, organization=organization)
    founder.refresh_from_db()
    assert founder.status == Status.REJECTED


# --------------------------------------------------------------------------- Django admin


def test_the_django_admin_cannot_change_an_organizations_kind(admin_client_for, acme, acme_viewer):
    client = admin_client_for()
    page = client.get(f"/admin/accounts/organization/{acme.pk}/change/").content.decode()
    assert 'name="kind"' not in page and 'name="country"' not in page
    client.post(f"/admin/accounts/organization/{acme.pk}/change/", {"name": "Acme", "kind": "platform"})
    acme.refresh_from_db()
    assert acme.kind == "right_holder"
    assert not acme_viewer.is_platform_admin


def test_the_django_admin_cannot_delete_or_make_superusers(admin_client_for, acme_viewer):
    client = admin_client_for()
    assert client.get(f"/admin/accounts/user/{acme_viewer.pk}/delete/").status_code == 403
    page = client.get(f"/admin/accounts/user/{acme_viewer.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_active"' not in page


def test_a_membership_role_must_fit_the_organization_kind(acme):
    from django.core.exceptions import ValidationError

    person = User.objects.create_user(email="m@x.example", password="x", full_name="M")
    with pytest.raises(ValidationError):
        Membership(user=person, organization=acme, role=Role.OFFICER).full_clean()


@pytest.fixture
def admin_client_for(client, platform_admin):
    def make():
        client.force_login(platform_admin, backend=BACKEND)
        return client

    return make


# --------------------------------------------------------------------------- races


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin_and_no_error():
    from django.core.exceptions import PermissionDenied, ValidationError

    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    first = member(organization, Role.ADMIN)
    second = member(organization, Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(actor_id, target_id):
        try:
            actor, target = User.objects.get(pk=actor_id), User.objects.get(pk=target_id)
            barrier.wait()
            services.member_set_role(actor=actor, user=target, role=Role.VIEWER)
            outcomes.append("done")
        except (ValidationError, PermissionDenied):
            outcomes.append("refused")
        except Exception as error:  # a deadlock or anything else is the failure we look for
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first.pk, second.pk)),
        threading.Thread(target=demote, args=(second.pk, first.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["done", "refused"]
    admins = Membership.objects.filter(organization=organization, role=Role.ADMIN).count()
    assert admins == 1
