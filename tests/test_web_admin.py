"""The Django admin: moderation actions go through the services; statuses and the audit log are
read-only."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import ApiToken, AuditAction, AuditEntry, Organization, Role, Status, User

from .factories import member

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin, backend=BACKEND)
    return client


def run_action(client, model, action, objects):
    return client.post(
        f"/admin/accounts/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_admin_pages_render(admin_client, acme_admin, acme):
    ApiToken.objects.create(user=acme_admin, name="script")
    for path in (
        "/admin/accounts/organization/",
        f"/admin/accounts/organization/{acme.pk}/change/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?status__exact=approved",
        f"/admin/accounts/user/{acme_admin.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/apitoken/",
        "/admin/accounts/auditentry/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_user_list_shows_organization_and_role(admin_client, acme_admin):
    html = admin_client.get("/admin/accounts/user/").content.decode()
    assert "Acme Watches" in html
    assert "Administrator" in html


def test_admin_approves_an_organization_and_its_founder_through_the_service(admin_client, password):
    founder = services.register_account(
        email="f@new.example",
        password=password,
        full_name="Fay",
        organization_kind="customs",
        organization_name="Aduana",
        country="ES",
    )
    organization = founder.organization
    response = run_action(admin_client, "organization", "approve", [organization])
    assert "1 organization approved." in messages_of(response)
    organization.refresh_from_db()
    founder.refresh_from_db()
    assert organization.status == Status.APPROVED
    assert founder.status == Status.APPROVED
    assert founder.role == Role.COORDINATOR
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_APPROVED)
    assert entry.actor.email == "admin@example.org"
    assert entry.ip_address == "127.0.0.1"


def test_admin_suspend_gives_the_admin_reason_and_reports_refusals(admin_client, acme, globex, platform_admin):
    services.organization_suspend(actor=platform_admin, organization=globex, reason="Earlier")
    response = run_action(admin_client, "organization", "suspend", [acme, globex])
    messages = messages_of(response)
    assert "1 organization suspended." in messages
    assert any(
        message.startswith("Globex Apparel") and "not possible while the organization is suspended" in message
        for message in messages
    )
    acme.refresh_from_db()
    assert (acme.status, acme.status_reason) == (Status.SUSPENDED, "via Django admin")


def test_admin_user_actions_call_the_services(admin_client, acme):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    refused = member(acme, Role.VIEWER, status=Status.PENDING)
    run_action(admin_client, "user", "approve", [joiner])
    run_action(admin_client, "user", "reject", [refused])
    joiner.refresh_from_db()
    refused.refresh_from_db()
    assert joiner.status == Status.APPROVED
    assert (refused.status, refused.status_reason) == (Status.REJECTED, "via Django admin")

    response = run_action(admin_client, "user", "reinstate", [joiner])
    assert any("not possible while the account is approved" in message for message in messages_of(response))
    run_action(admin_client, "user", "suspend", [joiner])
    joiner.refresh_from_db()
    assert joiner.status == Status.SUSPENDED
    run_action(admin_client, "user", "reinstate", [joiner])
    joiner.refresh_from_db()
    assert joiner.status == Status.APPROVED
    assert AuditEntry.objects.filter(target_id=str(joiner.pk)).count() == 3


def test_status_cannot_be_edited_in_the_admin(admin_client, acme):
    response = admin_client.get(f"/admin/accounts/organization/{acme.pk}/change/")
    assert 'name="status"' not in response.content.decode()
    admin_client.post(
        f"/admin/accounts/organization/{acme.pk}/change/",
        {"kind": "right_holder", "name": "Acme Watches", "country": "CH", "status": "suspended"},
    )
    acme.refresh_from_db()
    assert acme.status == Status.APPROVED


def test_admin_adds_a_person_with_email_name_and_password(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.person@example.org",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "A-long-Passphrase-2027",
            "password2": "A-long-Passphrase-2027",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password("A-long-Passphrase-2027")
    assert person.status == Status.PENDING


def test_audit_log_is_read_only_in_the_admin(admin_client, platform_admin, acme):
    services.organization_suspend(actor=platform_admin, organization=acme, reason="x")
    entry = AuditEntry.objects.get()
    assert admin_client.get("/admin/accounts/auditentry/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"reason": "rewritten"})
    entry.refresh_from_db()
    assert entry.reason == "x"
    assert Organization.objects.get(pk=acme.pk).status == Status.SUSPENDED


def test_api_tokens_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
