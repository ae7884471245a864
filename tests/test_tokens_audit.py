"""Every API token issued or revoked leaves one audit entry: who, for whom, the token's public id
and name, the client's address; never the token itself (nor its stored hash)."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
TOKEN_URL = "/api/v1/auth/token/"
IP = "203.0.113.7"

# The values of AuditAction.API_TOKEN_ISSUED, API_TOKEN_REVOKED and API_TOKENS_REVOKED_ALL.
ISSUED, REVOKED, REVOKED_ALL = "api_token.issued", "api_token.revoked", "api_token.revoked_all"
TOKEN_ACTIONS = (ISSUED, REVOKED, REVOKED_ALL)


def token_entries():
    return list(AuditEntry.objects.filter(action__in=TOKEN_ACTIONS))


def the_entry(action: str, *, actor, owner) -> AuditEntry:
    """The one token entry written, checked for who, for whom and from where."""
    entries = token_entries()
    assert [entry.action for entry in entries] == [action]
    entry = entries[0]
    assert entry.actor == actor
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(owner.pk))
    assert entry.ip_address == IP
    return entry


def assert_keeps_no_secret(entry: AuditEntry, *secrets: str) -> None:
    written = json.dumps([entry.details, entry.target_repr, entry.reason, entry.actor_email])
    for secret in secrets:
        assert secret not in written


@pytest.fixture
def signed_in(client, acme_editor):
    client.force_login(acme_editor, backend=BACKEND)
    return client


# --------------------------------------------------------------------------- issuing


def test_a_token_issued_through_the_api_is_audited_without_the_secret(anonymous, acme_viewer, password):
    response = anonymous.post(
        TOKEN_URL, {"email": acme_viewer.email, "password": password, "name": "script"}, format="json", REMOTE_ADDR=IP
    )
    assert response.status_code == 200
    body = response.json()
    entry = the_entry(ISSUED, actor=acme_viewer, owner=acme_viewer)
    assert entry.details == {"token": {"id": body["id"], "name": "script"}}
    assert_keeps_no_secret(entry, body["token"], ApiToken.objects.get(user=acme_viewer).digest)


def test_a_token_issued_on_the_account_page_is_audited_without_the_secret(signed_in, acme_editor):
    response = signed_in.post("/accounts/me/tokens/", {"name": "inventory script"}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    secret = response.context["new_token"]
    instance = ApiToken.objects.get(user=acme_editor)
    entry = the_entry(ISSUED, actor=acme_editor, owner=acme_editor)
    assert entry.details == {"token": {"id": instance.token_key, "name": "inventory script"}}
    assert_keeps_no_secret(entry, secret, instance.digest)


def test_a_failed_sign_in_issues_and_audits_nothing(anonymous, acme_viewer, password):
    wrong = anonymous.post(TOKEN_URL, {"email": acme_viewer.email, "password": "wrong-one!"}, format="json")
    assert wrong.status_code == 400
    assert token_entries() == []
    right = anonymous.post(
        TOKEN_URL, {"email": acme_viewer.email, "password": password}, format="json", REMOTE_ADDR=IP
    )
    assert right.status_code == 200
    the_entry(ISSUED, actor=acme_viewer, owner=acme_viewer)


def test_an_invalid_token_form_audits_nothing(signed_in, acme_editor):
    assert signed_in.post("/accounts/me/tokens/", {"name": ""}).status_code == 400
    assert token_entries() == []
    assert signed_in.post("/accounts/me/tokens/", {"name": "ok"}, REMOTE_ADDR=IP).status_code == 200
    the_entry(ISSUED, actor=acme_editor, owner=acme_editor)


# --------------------------------------------------------------------------- revoking


def test_a_token_revoked_through_the_api_is_audited(api, acme_viewer):
    client = api(acme_viewer)
    mine, secret = ApiToken.objects.create(user=acme_viewer, name="old script")
    assert client.delete(f"/api/v1/me/tokens/{mine.token_key}/", REMOTE_ADDR=IP).status_code == 204
    entry = the_entry(REVOKED, actor=acme_viewer, owner=acme_viewer)
    assert entry.details == {"token": {"id": mine.token_key, "name": "old script"}}
    assert_keeps_no_secret(entry, secret, mine.digest)


def test_a_token_revoked_on_the_account_page_is_audited(signed_in, acme_editor):
    mine, secret = ApiToken.objects.create(user=acme_editor, name="old script")
    response = signed_in.post(f"/accounts/me/tokens/{mine.token_key}/revoke/", REMOTE_ADDR=IP)
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    entry = the_entry(REVOKED, actor=acme_editor, owner=acme_editor)
    assert entry.details == {"token": {"id": mine.token_key, "name": "old script"}}
    assert_keeps_no_secret(entry, secret, mine.digest)


def test_nobody_revokes_anothers_token_through_the_api(api, acme_viewer, acme_editor):
    client = api(acme_viewer)
    theirs = ApiToken.objects.create(user=acme_editor, name="theirs")[0]
    assert client.delete(f"/api/v1/me/tokens/{theirs.token_key}/", REMOTE_ADDR=IP).status_code == 404
    assert token_entries() == []
    mine = ApiToken.objects.create(user=acme_viewer, name="mine")[0]
    assert client.delete(f"/api/v1/me/tokens/{mine.token_key}/", REMOTE_ADDR=IP).status_code == 204
    entry = the_entry(REVOKED, actor=acme_viewer, owner=acme_viewer)
    assert entry.details["token"]["id"] == mine.token_key


def test_nobody_revokes_anothers_token_on_the_account_page(signed_in, acme_editor, acme_viewer):
    theirs = ApiToken.objects.create(user=acme_viewer, name="theirs")[0]
    assert signed_in.post(f"/accounts/me/tokens/{theirs.token_key}/revoke/", REMOTE_ADDR=IP).status_code == 404
    assert token_entries() == []
    mine = ApiToken.objects.create(user=acme_editor, name="mine")[0]
    assert signed_in.post(f"/accounts/me/tokens/{mine.token_key}/revoke/", REMOTE_ADDR=IP).status_code == 302
    entry = the_entry(REVOKED, actor=acme_editor, owner=acme_editor)
    assert entry.details["token"]["id"] == mine.token_key


def test_the_service_refuses_anothers_token_to_anyone_but_a_platform_admin(acme_viewer, acme_admin, platform_admin):
    from accounts.tokens import api_token_revoke

    theirs = ApiToken.objects.create(user=acme_viewer, name="theirs")[0]
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=acme_admin, token=theirs, ip=IP)
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert token_entries() == []
    api_token_revoke(actor=platform_admin, token=theirs, ip=IP)
    assert not ApiToken.objects.filter(pk=theirs.pk).exists()
    the_entry(REVOKED, actor=platform_admin, owner=acme_viewer)


def test_a_token_deleted_in_the_django_admin_is_audited(client, platform_admin, acme_viewer):
    client.force_login(platform_admin, backend=BACKEND)
    theirs, secret = ApiToken.objects.create(user=acme_viewer, name="leaked")
    response = client.post(f"/admin/accounts/apitoken/{theirs.pk}/delete/", {"post": "yes"}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=theirs.pk).exists()
    entry = the_entry(REVOKED, actor=platform_admin, owner=acme_viewer)
    assert entry.details == {"token": {"id": theirs.token_key, "name": "leaked"}}
    assert_keeps_no_secret(entry, secret, theirs.digest)


def test_tokens_deleted_in_bulk_in_the_django_admin_are_audited_one_by_one(client, platform_admin, acme_viewer):
    client.force_login(platform_admin, backend=BACKEND)
    first = ApiToken.objects.create(user=acme_viewer, name="one")[0]
    second = ApiToken.objects.create(user=acme_viewer, name="two")[0]
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=acme_viewer).exists()
    entries = token_entries()
    assert {entry.action for entry in entries} == {REVOKED}
    assert sorted(entry.details["token"]["id"] for entry in entries) == sorted([first.token_key, second.token_key])


# --------------------------------------------------------------------------- a new password revokes them all


def test_a_password_change_revoking_every_token_is_audited_once(signed_in, acme_editor, password):
    first, first_secret = ApiToken.objects.create(user=acme_editor, name="one")
    second, second_secret = ApiToken.objects.create(user=acme_editor, name="two")
    new_password = "An-entirely-new-pass-42"
    response = signed_in.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert not ApiToken.objects.filter(user=acme_editor).exists()
    entry = the_entry(REVOKED_ALL, actor=acme_editor, owner=acme_editor)
    assert entry.details["cause"] == "password_change"
    assert sorted(entry.details["tokens"], key=lambda t: t["name"]) == [
        {"id": first.token_key, "name": "one"},
        {"id": second.token_key, "name": "two"},
    ]
    assert_keeps_no_secret(entry, first_secret, second_secret, first.digest, second.digest)


def test_a_password_reset_revoking_every_token_is_audited_once(client, acme_editor, mailoutbox):
    mine = ApiToken.objects.create(user=acme_editor, name="one")[0]
    client.post("/accounts/password-reset/", {"email": acme_editor.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    new_password = "A-new-Passphrase-2027"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, REMOTE_ADDR=IP
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password-reset/complete/"
    entry = the_entry(REVOKED_ALL, actor=acme_editor, owner=acme_editor)
    assert entry.details == {"cause": "password_reset", "tokens": [{"id": mine.token_key, "name": "one"}]}


def test_a_password_change_without_tokens_audits_no_revocation(signed_in, acme_editor, password):
    new_password = "An-entirely-new-pass-42"
    signed_in.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert not AuditEntry.objects.filter(action=REVOKED_ALL).exists()
    # …while a page-made token afterwards is audited as usual.
    assert signed_in.post("/accounts/me/tokens/", {"name": "after"}, REMOTE_ADDR=IP).status_code == 200
    the_entry(ISSUED, actor=acme_editor, owner=acme_editor)
