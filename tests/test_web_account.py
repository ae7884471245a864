"""The person's own account in the browser: name, language, API tokens, passwords."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role, Status

from .factories import member

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
ME = "/accounts/me/"


@pytest.fixture
def signed_in(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    return client


def test_account_page_shows_the_person_and_their_organization(signed_in, acme_editor):
    html = signed_in.get(ME).content.decode()
    assert acme_editor.email in html
    assert "Acme Watches" in html
    assert "Editor" in html
    assert "You have no API token." in html


def test_name_and_language_are_saved(signed_in, acme_editor):
    response = signed_in.post(ME, {"full_name": "Eddie Renamed", "language": "es"})
    assert response.status_code == 302
    acme_editor.refresh_from_db()
    assert acme_editor.full_name == "Eddie Renamed"
    assert acme_editor.language == "es"
    assert '<html lang="es"' in signed_in.get(ME).content.decode()


def test_bad_profile_input_is_refused_with_field_errors(signed_in, acme_editor):
    response = signed_in.post(ME, {"full_name": "", "language": "xx"})
    assert response.status_code == 400
    assert set(response.context["profile_form"].errors) == {"full_name", "language"}
    acme_editor.refresh_from_db()
    assert acme_editor.language == "en"


def test_token_is_shown_once_works_with_the_api_and_is_revoked(signed_in, acme_editor):
    response = signed_in.post("/accounts/me/tokens/", {"name": "inventory script"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["new_token"]
    assert token and token in response.content.decode()
    instance = ApiToken.objects.get(user=acme_editor)
    assert instance.name == "inventory script"
    assert token.startswith(instance.token_key)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200

    listing = signed_in.get(ME).content.decode()
    assert "inventory script" in listing
    assert token not in listing, "the token is never shown again"

    revoked = signed_in.post(f"/accounts/me/tokens/{instance.token_key}/revoke/")
    assert revoked.status_code == 302
    assert not ApiToken.objects.filter(user=acme_editor).exists()
    assert api.get("/api/v1/me/").status_code == 401


def test_token_needs_a_name(signed_in, acme_editor):
    response = signed_in.post("/accounts/me/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "name" in response.context["token_form"].errors
    assert not ApiToken.objects.filter(user=acme_editor).exists()


def test_nobody_revokes_someone_elses_token(signed_in, acme_viewer):
    other, _token = ApiToken.objects.create(user=acme_viewer, name="theirs")
    assert signed_in.post(f"/accounts/me/tokens/{other.token_key}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()
    assert signed_in.get(f"/accounts/me/tokens/{other.token_key}/revoke/").status_code == 405


# --------------------------------------------------------------------------- language switcher


def test_language_switcher_sets_the_language_for_a_visitor(client):
    response = client.post("/accounts/language/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.cookies["django_language"].value == "fr"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="fr"' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page


def test_language_switcher_saves_the_language_of_a_signed_in_person(signed_in, acme_editor):
    signed_in.post("/accounts/language/", {"language": "es", "next": "/"})
    acme_editor.refresh_from_db()
    assert acme_editor.language == "es"
    assert '<html lang="es"' in signed_in.get("/").content.decode()


def test_language_switcher_ignores_unknown_languages(signed_in, acme_editor):
    response = signed_in.post("/accounts/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    acme_editor.refresh_from_db()
    assert acme_editor.language == "en"


def test_a_pending_person_can_switch_language_on_the_pending_page(client, acme):
    person = member(acme, Role.VIEWER, status=Status.PENDING)
    client.force_login(person, backend=BACKEND)
    client.post("/accounts/language/", {"language": "fr", "next": "/accounts/pending/"})
    person.refresh_from_db()
    assert person.language == "fr"
    assert '<html lang="fr"' in client.get("/accounts/pending/").content.decode()


# --------------------------------------------------------------------------- passwords


def test_password_reset_by_email(client, acme_editor, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": acme_editor.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [acme_editor.email]
    assert "IPM Portal" in message.subject
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    new_password = "A-new-Passphrase-2027"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == "/accounts/password-reset/complete/"
    acme_editor.refresh_from_db()
    assert acme_editor.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@nowhere.example"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_password_change(signed_in, acme_editor, password):
    new_password = "Another-Passphrase-2027"
    response = signed_in.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == "/accounts/password/done/"
    acme_editor.refresh_from_db()
    assert acme_editor.check_password(new_password)
    assert signed_in.get(ME).status_code == 200, "still signed in after the change"


def test_password_change_applies_the_validators(signed_in, password):
    response = signed_in.post(
        "/accounts/password/", {"old_password": password, "new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
