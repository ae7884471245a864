"""API tokens: issued for e-mail and password (and a two-factor code), listed, revoked."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_token_for_right_credentials(anonymous, acme_viewer, password):
    response = anonymous.post(
        URL, {"email": acme_viewer.email.upper(), "password": password, "name": "script"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["token"]) >= 40 and body["expiry"]
    stored = ApiToken.objects.get(user=acme_viewer)
    assert stored.name == "script" and body["token"] not in (stored.digest, stored.token_key)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "vera@acme.example", "password": "wrong-password"},
        {"email": "nobody@acme.example", "password": "whatever-it-is"},
        {"email": "vera@acme.example"},
        {"password": "x"},
        {"email": "not-an-email", "password": "x"},
    ],
)
def test_wrong_or_missing_credentials_are_400(anonymous, acme_viewer, body):
    response = anonymous.post(URL, body, format="json")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_tokens_are_listed_and_revoked(api, acme_viewer, acme_editor):
    client = api(acme_viewer)  # one token
    other = ApiToken.objects.create(user=acme_viewer, name="second")[0]
    ApiToken.objects.create(user=acme_editor)
    listed = client.get("/api/v1/me/tokens/").json()
    assert listed["count"] == 2
    assert {t["name"] for t in listed["results"]} == {"", "second"}
    assert "digest" not in listed["results"][0]

    assert client.delete(f"/api/v1/me/tokens/{other.token_key}/").status_code == 204
    assert client.get("/api/v1/me/tokens/").json()["count"] == 1


def test_a_revoked_token_stops_working(api, acme_viewer):
    client = api(acme_viewer)
    mine = ApiToken.objects.get(user=acme_viewer)
    assert client.delete(f"/api/v1/me/tokens/{mine.token_key}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_nobody_revokes_anothers_token(api, acme_viewer, acme_editor):
    theirs = ApiToken.objects.create(user=acme_editor)[0]
    assert api(acme_viewer).delete(f"/api/v1/me/tokens/{theirs.token_key}/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_an_expired_token_is_refused(api, acme_viewer):
    from datetime import timedelta

    from django.utils import timezone

    client = api(acme_viewer)
    ApiToken.objects.filter(user=acme_viewer).update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me/").status_code == 401


def test_garbage_token_is_401(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anonymous.get("/api/v1/me/").status_code == 401


# --------------------------------------------------------------------------- two-factor


@pytest.fixture
def viewer_device(acme_viewer):
    return TOTPDevice.objects.create(user=acme_viewer, name="default", confirmed=True)


def test_two_factor_users_need_the_code(anonymous, acme_viewer, password, viewer_device):
    body = {"email": acme_viewer.email, "password": password}
    missing = anonymous.post(URL, body, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()
    right = anonymous.post(URL, {**body, "otp": current_code(viewer_device)}, format="json")
    assert right.status_code == 200 and right.json()["token"]


def test_a_wrong_code_is_refused(anonymous, acme_viewer, password, viewer_device):
    wrong = "000000" if current_code(viewer_device) != "000000" else "111111"
    response = anonymous.post(URL, {"email": acme_viewer.email, "password": password, "otp": wrong}, format="json")
    assert response.status_code == 400 and "otp" in response.json()
    assert not ApiToken.objects.exists()


def test_required_two_factor_must_be_set_up_first(anonymous, coordinator_fr, officer_fr, password, settings):
    settings.REQUIRE_2FA = True
    refused = anonymous.post(URL, {"email": coordinator_fr.email, "password": password}, format="json")
    assert refused.status_code == 400 and "otp" in refused.json()
    # An officer is not required to use two-factor.
    assert anonymous.post(URL, {"email": officer_fr.email, "password": password}, format="json").status_code == 200


def test_required_two_factor_for_platform_admins(anonymous, platform_admin, password, settings):
    settings.REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=platform_admin, name="default", confirmed=True)
    body = {"email": platform_admin.email, "password": password}
    assert anonymous.post(URL, body, format="json").status_code == 400
    assert anonymous.post(URL, {**body, "otp": current_code(device)}, format="json").status_code == 200


def test_two_factor_not_required_when_setting_is_off(anonymous, coordinator_fr, password, settings):
    settings.REQUIRE_2FA = False
    response = anonymous.post(URL, {"email": coordinator_fr.email, "password": password}, format="json")
    assert response.status_code == 200


# --------------------------------------------------------------------------- lock-out and throttling


def test_lock_out_after_repeated_failures(anonymous, acme_viewer, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = anonymous.post(URL, {"email": acme_viewer.email, "password": "wrong-one!"}, format="json")
        assert response.status_code in (400, 429)
    locked = anonymous.post(URL, {"email": acme_viewer.email, "password": password}, format="json")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_lock_out_is_per_account(anonymous, acme_viewer, acme_editor, password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        anonymous.post(URL, {"email": acme_viewer.email, "password": "wrong-one!"}, format="json")
    response = anonymous.post(URL, {"email": acme_editor.email, "password": password}, format="json")
    assert response.status_code == 200


def test_anonymous_requests_are_throttled_per_ip(anonymous, settings):
    settings.API_THROTTLE_ANON = "3/min"
    statuses = [anonymous.post(URL, {}, format="json").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_users_are_throttled(api, acme_viewer, acme_editor, settings):
    settings.API_THROTTLE_USER = "2/min"
    client = api(acme_viewer)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/api/v1/me/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # Another person is counted apart.
    assert api(acme_editor).get("/api/v1/me/").status_code == 200


def test_expired_tokens_are_purged_by_the_periodic_task(acme_viewer, settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import purge_expired_tokens

    old = ApiToken.objects.create(user=acme_viewer, expiry=timedelta(days=1))[0]
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    fresh = ApiToken.objects.create(user=acme_viewer)[0]
    assert purge_expired_tokens.delay().get() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "accounts.tasks.purge_expired_tokens" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
