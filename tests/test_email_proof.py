"""Proving the e-mail address: the signed link sent at registration, followed; expired and altered
links refused with nothing changed; a new link asked for (API, the expired link's page, the pending
page), throttled per address and answered the same for an address nobody has."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from limits import RateLimitItemPerHour, RateLimitItemPerMinute

from accounts.email_proof import make_token
from accounts.models import AuditAction, AuditEntry, User
from accounts.services import email_proof as email_proof_service

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
RESEND_API = "/api/v1/auth/email/resend/"
RESEND_PAGE = "/accounts/email/resend/"
BACKEND = "django.contrib.auth.backends.ModelBackend"
LINK = re.compile(r"(/accounts/email/[^\s/]+/)")
THREE_DAYS = 3 * 24 * 3600


@pytest.fixture
def register(anonymous, password, django_capture_on_commit_callbacks):
    def post(email="rita@brand.example", **organization):
        body = {
            "email": email,
            "password": password,
            "full_name": "Rita Holder",
            "organization": {"kind": "right_holder", "name": "Brand Co", "country": "CH", **organization},
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = anonymous.post(REGISTER, body, format="json")
        assert response.status_code == 201, response.content
        return User.objects.get(email=email)

    return post


def links_to(mailoutbox, email: str) -> list[str]:
    return [LINK.search(m.body).group(1) for m in mailoutbox if m.to == [email] and LINK.search(m.body)]


@pytest.fixture
def clock(monkeypatch):
    """The signing clock, set by the test: django.core.signing's `time` alone (it reads
    time.time() when a token is made and when it is read)."""
    now = {"t": time.time()}
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: now["t"]))
    return now


def test_registration_sends_a_link_that_proves_the_address(register, client, mailoutbox):
    user = register()
    [link] = links_to(mailoutbox, user.email)
    assert user.email_verified_at is None

    response = client.get(link)

    assert response.status_code == 200
    assert "Your e-mail address is proven" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.USER_EMAIL_VERIFIED, target_id=str(user.pk)).count() == 1


def test_the_link_is_in_the_persons_language(register, mailoutbox):
    user = User.objects.get(pk=register(email="rita@brand.example").pk)
    assert user.language == "en"
    [message] = [m for m in mailoutbox if m.to == [user.email]]
    assert message.subject == "Prove your e-mail address on IPM Portal"
    assert "Hello Rita Holder" in message.body


def test_a_link_followed_twice_proves_once(register, client, mailoutbox):
    user = register()
    [link] = links_to(mailoutbox, user.email)
    assert client.get(link).status_code == 200
    proven_at = User.objects.get(pk=user.pk).email_verified_at
    assert client.get(link).status_code == 200
    assert User.objects.get(pk=user.pk).email_verified_at == proven_at
    assert AuditEntry.objects.filter(action=AuditAction.USER_EMAIL_VERIFIED).count() == 1


def test_a_link_works_until_its_third_day_ends(register, client, clock):
    user = register()
    token = make_token(user_id=user.pk, email=user.email)
    clock["t"] += THREE_DAYS - 5
    assert client.get(f"/accounts/email/{token}/").status_code == 200
    assert User.objects.get(pk=user.pk).email_verified_at is not None


def test_an_expired_link_is_refused_and_changes_nothing(register, client, clock):
    user = register()
    token = make_token(user_id=user.pk, email=user.email)
    clock["t"] += THREE_DAYS + 5

    response = client.get(f"/accounts/email/{token}/")

    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert 'action="/accounts/email/resend/"' in html and f'value="{token}"' in html
    assert User.objects.get(pk=user.pk).email_verified_at is None
    assert not AuditEntry.objects.filter(action=AuditAction.USER_EMAIL_VERIFIED).exists()


def test_an_expired_links_page_sends_a_new_link_to_the_same_address(
    register, client, clock, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    user = register()
    token = make_token(user_id=user.pk, email=user.email)
    clock["t"] += THREE_DAYS + 5
    # Three days later the registration's link no longer counts; the throttle's own clock cannot
    # be moved here, so a budget counted apart from the registration's.
    monkeypatch.setattr(email_proof_service, "RESEND_RATES", (RateLimitItemPerHour(5, 2),))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND_PAGE, {"token": token})

    assert response.status_code == 200
    [link] = links_to(mailoutbox, user.email)
    assert client.get(link).status_code == 200
    assert User.objects.get(pk=user.pk).email_verified_at is not None


@pytest.mark.parametrize("alteration", ["signature", "payload", "cut", "garbage"])
def test_an_altered_link_is_refused_and_changes_nothing(register, client, alteration):
    user = register()
    token = make_token(user_id=user.pk, email=user.email)
    payload, _sep, signature = token.rpartition(":")
    flip = {"A": "B"}.get(signature[0], "A")
    altered = {
        "signature": f"{payload}:{flip}{signature[1:]}",
        "payload": f"{make_token(user_id=user.pk + 1, email=user.email).rpartition(':')[0]}:{signature}",
        "cut": token[:-3],
        "garbage": "not-a-token",
    }[alteration]

    response = client.get(f"/accounts/email/{altered}/")

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_a_link_for_another_address_than_the_accounts_is_refused(register, client):
    user = register()
    token = make_token(user_id=user.pk, email="someone-else@brand.example")
    assert client.get(f"/accounts/email/{token}/").status_code == 400
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_a_pending_person_signed_in_reaches_the_link_and_the_resend_button(register, client, mailoutbox):
    user = register()
    client.force_login(user, backend=BACKEND)
    pending = client.get("/accounts/pending/").content.decode()
    assert "Prove your e-mail address" in pending and 'action="/accounts/email/resend/"' in pending

    [link] = links_to(mailoutbox, user.email)
    assert client.get(link).status_code == 200  # not sent to the pending page
    assert "Prove your e-mail address" not in client.get("/accounts/pending/").content.decode()


def test_asking_again_within_the_minute_of_registering_is_throttled(register, anonymous, client, mailoutbox):
    user = register()
    mailoutbox.clear()

    api = anonymous.post(RESEND_API, {"email": user.email}, format="json")
    assert api.status_code == 429
    assert 1 <= int(api["Retry-After"]) <= 60

    client.force_login(user, backend=BACKEND)
    page = client.post(RESEND_PAGE)
    assert page.status_code == 429 and 1 <= int(page["Retry-After"]) <= 60
    assert mailoutbox == []


def test_a_new_link_goes_to_the_address_however_it_is_written(
    register, anonymous, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    # The Redis moving window cannot be moved in time here: a budget of its own, counted apart
    # from the real one (whose minute the registration's link took).
    user = register()
    monkeypatch.setattr(email_proof_service, "RESEND_RATES", (RateLimitItemPerHour(5, 2),))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(RESEND_API, {"email": user.email.upper()}, format="json")

    assert response.status_code == 202
    assert len(links_to(mailoutbox, user.email)) == 1


def test_at_most_five_links_an_hour(register, anonymous, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    # Minutes cannot pass here: the minute's limit lifted, the hour's kept as it is.
    [hourly] = [rate for rate in email_proof_service.RESEND_RATES if isinstance(rate, RateLimitItemPerHour)]
    monkeypatch.setattr(email_proof_service, "RESEND_RATES", (RateLimitItemPerMinute(100), hourly))
    user = register()  # the first of the five
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(5):
            answers.append(anonymous.post(RESEND_API, {"email": user.email}, format="json").status_code)
    assert answers == [202, 202, 202, 202, 429]
    assert len(links_to(mailoutbox, user.email)) == 5


def test_an_unknown_or_proven_address_is_answered_as_any_other_and_sent_nothing(
    register, anonymous, client, mailoutbox, django_capture_on_commit_callbacks
):
    user = register()
    [link] = links_to(mailoutbox, user.email)
    client.get(link)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = anonymous.post(RESEND_API, {"email": "nobody@nowhere.example"}, format="json")
        unknown_again = anonymous.post(RESEND_API, {"email": "nobody@nowhere.example"}, format="json")
    assert (unknown.status_code, unknown_again.status_code) == (202, 429)
    assert unknown.json()["detail"].startswith("If this address belongs to an account")
    assert mailoutbox == []


def test_the_resend_endpoint_wants_an_address(anonymous):
    response = anonymous.post(RESEND_API, {"email": "not an address"}, format="json")
    assert response.status_code == 400 and "email" in response.json()


def test_the_resend_page_without_a_link_or_a_session_is_refused(client):
    assert client.post(RESEND_PAGE).status_code == 400
    assert client.post(RESEND_PAGE, {"token": "forged:token"}).status_code == 400


def test_a_signed_in_person_asks_for_a_new_link_from_their_page(
    register, client, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    user = register()
    # A budget counted apart from the registration's (whose minute cannot pass here).
    monkeypatch.setattr(email_proof_service, "RESEND_RATES", (RateLimitItemPerHour(5, 2),))
    client.force_login(user, backend=BACKEND)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND_PAGE)
    assert response.status_code == 200
    assert "A new link is on its way" in response.content.decode()
    [link] = links_to(mailoutbox, user.email)
    assert client.get(link).status_code == 200


def test_an_address_changed_in_the_django_admin_is_no_longer_proven(register, client, mailoutbox, rf, platform_admin):
    from django.contrib import admin

    from accounts.admin import UserAdmin

    user = register()
    [link] = links_to(mailoutbox, user.email)
    client.get(link)
    user.refresh_from_db()
    assert user.email_verified

    user.email = "rita@elsewhere.example"
    request = rf.post("/admin/")
    request.user = platform_admin
    UserAdmin(User, admin.site).save_model(request, user, SimpleNamespace(changed_data=["email"]), change=True)

    user.refresh_from_db()
    assert user.email_verified_at is None
    assert client.get(link).status_code == 400, "the old address's link proves nothing now"
