"""Signing in and out in the browser: who gets in, who waits, who is shown the door."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from accounts import services
from accounts.models import Role, Status

from .factories import member

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_sign_in_page_labels_the_username_field_as_an_email_address(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html
    assert ">E-mail address" in html
    assert '<html lang="en"' in html


def test_approved_user_signs_in_and_lands_on_home(client, acme_editor, password):
    response = sign_in(client, acme_editor.email, password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert acme_editor.full_name in home.content.decode()


def test_email_is_matched_whatever_its_case(client, acme_editor, password):
    response = sign_in(client, acme_editor.email.upper(), password)
    assert response.status_code == 302


def test_wrong_password_rerenders_the_form_with_an_error(client, acme_editor):
    response = sign_in(client, acme_editor.email, "not-the-password")
    assert response.status_code == 200
    assert "Wrong e-mail address or password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pending_user_signs_in_and_sees_the_pending_page_for_any_page(client, acme, password):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    response = sign_in(client, joiner.email, password)
    assert response.status_code == 302
    for path in ("/", "/accounts/me/", "/accounts/members/", "/accounts/moderation/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/pending/", path
    pending = client.get("/accounts/pending/")
    assert pending.status_code == 200
    html = pending.content.decode()
    assert "Your account is awaiting approval" in html and "administrator" in html
    # Nothing of the organization (issue 11): not its name, not that it existed.
    assert "Acme Watches" not in html and "join Acme" not in html
    assert 'action="/accounts/logout/"' in html


def test_pending_page_for_a_founder_is_the_same_as_for_a_request_to_join(client, acme, password):
    user = services.register_account(
        email="founder@new.example",
        password=password,
        full_name="Fay Founder",
        organization_kind="customs",
        organization_name="Aduana Nueva",
        country="ES",
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    founder_html = client.get("/accounts/pending/").content.decode()
    assert "platform administrator" in founder_html and "Aduana Nueva" not in founder_html
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    client.force_login(joiner, backend="django.contrib.auth.backends.ModelBackend")
    joiner_html = client.get("/accounts/pending/").content.decode()

    def main(html: str) -> str:
        """The page's own content, without the form's CSRF token (one per session)."""
        content = html.split("<main", 1)[1].split("</main>", 1)[0]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content)

    assert main(founder_html) == main(joiner_html)


def test_pending_page_sends_an_approved_user_home(client, acme_editor):
    client.force_login(acme_editor, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/accounts/pending/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("status", "message"),
    [(Status.REJECTED, "was not accepted"), (Status.SUSPENDED, "is suspended")],
)
def test_rejected_and_suspended_accounts_cannot_sign_in(client, acme, password, status, message):
    person = member(acme, Role.VIEWER, status=status)
    response = sign_in(client, person.email, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_removed_member_cannot_sign_in(client, acme_admin, acme_viewer, password):
    services.member_remove(actor=acme_admin, user=acme_viewer)
    response = sign_in(client, acme_viewer.email, password)
    assert response.status_code == 200
    assert "no longer belongs to an organization" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_member_of_a_suspended_organization_cannot_sign_in(client, platform_admin, acme, acme_editor, password):
    services.organization_suspend(actor=platform_admin, organization=acme, reason="Investigation")
    response = sign_in(client, acme_editor.email, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_suspended_session_is_signed_out_on_the_next_request_and_works_after_reinstatement(
    client, platform_admin, acme_admin, acme_editor, password
):
    assert sign_in(client, acme_editor.email, password).status_code == 302
    assert client.get("/").status_code == 200

    services.user_suspend(actor=acme_admin, user=acme_editor, reason="Left the company")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"].startswith("/accounts/login/")

    services.user_reinstate(actor=platform_admin, user=acme_editor)
    assert client.get("/")["Location"].startswith("/accounts/login/"), "the old session stays ended"
    assert sign_in(client, acme_editor.email, password)["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_out_is_a_post(client, acme_editor):
    client.force_login(acme_editor, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/me/"


def test_lock_out_after_repeated_failures_even_with_the_right_password(client, acme_editor, password):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit - 1):
        assert sign_in(client, acme_editor.email, "wrong-password").status_code == 200
    locked = sign_in(client, acme_editor.email, "wrong-password")
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()

    right = sign_in(client, acme_editor.email, password)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_out_of_one_account_leaves_others_alone(client, acme_editor, acme_viewer, password):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, acme_editor.email, "wrong-password")
    assert sign_in(client, acme_viewer.email, password).status_code == 302
