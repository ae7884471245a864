"""Two-factor (TOTP) in the browser: set-up, the code at each sign-in, turning it off, and the
requirement for platform admins and customs coordinators under REQUIRE_2FA."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
TWO_FACTOR = "/accounts/two-factor/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods later, to get a code the
    device has not seen yet: a code is accepted once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def set_up_two_factor(client) -> TOTPDevice:
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=response.wsgi_request.user, confirmed=False)
    response = client.post(TWO_FACTOR, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


def test_set_up_then_verify_at_the_next_sign_in(client, acme_editor, password):
    client.force_login(acme_editor, backend=BACKEND)
    setup = client.get(TWO_FACTOR)
    assert setup.status_code == 200
    html = setup.content.decode()
    assert "<svg" in html, "the QR code is inline SVG"
    device = TOTPDevice.objects.get(user=acme_editor)
    assert not device.confirmed
    assert setup.context["secret"].replace(" ", "") in device.config_url
    assert client.get(TWO_FACTOR).context["secret"] == setup.context["secret"], "reloading keeps the secret"

    wrong = client.post(TWO_FACTOR, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "wrong or has expired" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    # After a wrong code django-otp refuses any code for a moment; the page says to wait.
    throttled = client.post(TWO_FACTOR, {"code": code_for(device)})
    assert throttled.status_code == 400
    assert "wait a few seconds" in throttled.content.decode()
    device.throttle_reset()  # as if those seconds had passed

    done = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/accounts/me/"})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/me/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=acme_editor).count() == 1
    assert client.get("/").status_code == 200, "this session is verified"

    # A new sign-in: every page leads to the code until it is given.
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": acme_editor.email, "password": password}).status_code == 302
    assert client.get("/")["Location"] == TWO_FACTOR
    assert client.get("/accounts/me/")["Location"] == TWO_FACTOR
    verify = client.get(TWO_FACTOR)
    assert verify.status_code == 200
    assert "<svg" not in verify.content.decode(), "no new secret is shown once two-factor is on"

    assert client.post(TWO_FACTOR, {"code": "12345x"}).status_code == 400
    assert client.get("/")["Location"] == TWO_FACTOR

    response = client.post(TWO_FACTOR, {"code": code_for(device, steps_ahead=1), "next": "/accounts/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get("/").status_code == 200


def test_verify_refuses_a_next_address_off_the_site(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=acme_editor)
    response = client.post(TWO_FACTOR, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_coordinator_must_set_up_two_factor_before_anything_else_when_required(client, settings, coordinator_fr):
    settings.REQUIRE_2FA = True
    client.force_login(coordinator_fr, backend=BACKEND)
    for path in ("/", "/accounts/members/", "/accounts/me/"):
        assert client.get(path)["Location"] == TWO_FACTOR, path
    page = client.get(TWO_FACTOR)
    assert "Your role requires two-factor" in page.content.decode()

    set_up_two_factor(client)
    assert client.get("/accounts/members/").status_code == 200


def test_platform_admin_is_required_too_but_not_an_officer(client, settings, platform_admin, officer_fr):
    settings.REQUIRE_2FA = True
    client.force_login(platform_admin, backend=BACKEND)
    assert client.get("/accounts/moderation/")["Location"] == TWO_FACTOR
    client.force_login(officer_fr, backend=BACKEND)
    assert client.get("/").status_code == 200


def test_turning_off_needs_a_current_code(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    device = set_up_two_factor(client)
    assert "Turn two-factor off" in client.get("/accounts/me/").content.decode()

    wrong = "000000" if code_for(device, steps_ahead=1) != "000000" else "111111"
    refused = client.post("/accounts/two-factor/turn-off/", {"code": wrong})
    assert refused.status_code == 400
    assert "wrong or has expired" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=acme_editor, confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()

    response = client.post("/accounts/two-factor/turn-off/", {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=acme_editor).exists()
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_DISABLED, actor=acme_editor).count() == 1
    assert client.get("/").status_code == 200


def test_turning_off_is_refused_when_the_role_requires_it(client, settings, coordinator_fr):
    settings.REQUIRE_2FA = True
    client.force_login(coordinator_fr, backend=BACKEND)
    device = set_up_two_factor(client)
    page = client.get("/accounts/me/").content.decode()
    assert "it cannot be turned off" in page
    assert "Turn two-factor off" not in page

    client.post("/accounts/two-factor/turn-off/", {"code": code_for(device, steps_ahead=1)})
    assert TOTPDevice.objects.filter(user=coordinator_fr, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_DISABLED).exists()
