"""The audit log page: platform admins only, newest first, filterable, paginated."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
AUDIT = "/accounts/audit/"


@pytest.fixture
def history(platform_admin, acme_admin, acme_viewer, acme_editor, globex):
    """A suspension by the platform, a role change by Acme's admin, and an older suspension of
    another organization."""
    services.user_suspend(actor=platform_admin, user=acme_viewer, reason="Lost badge")
    services.member_set_role(actor=acme_admin, user=acme_editor, role="viewer")
    old = services.organization_suspend(actor=platform_admin, organization=globex, reason="Checks")
    AuditEntry.objects.filter(action=AuditAction.ORGANIZATION_SUSPENDED).update(
        created=timezone.now() - datetime.timedelta(days=40)
    )
    return old


@pytest.mark.parametrize("persona", ["acme_admin", "coordinator_fr", "officer_fr", "acme_editor"])
def test_audit_log_is_forbidden_to_everyone_but_platform_admins(client, request, persona, history):
    client.force_login(request.getfixturevalue(persona), backend=BACKEND)
    assert client.get(AUDIT).status_code == 403


def test_audit_log_lists_entries_newest_first(client, platform_admin, history):
    client.force_login(platform_admin, backend=BACKEND)
    response = client.get(AUDIT)
    assert response.status_code == 200
    actions = [entry.action for entry in response.context["page"]]
    assert actions == [
        AuditAction.MEMBER_ROLE_CHANGED,
        AuditAction.USER_SUSPENDED,
        AuditAction.ORGANIZATION_SUSPENDED,
    ]
    html = response.content.decode()
    assert "Lost badge" in html
    assert "alice@acme.example" in html


def test_audit_log_filters(client, platform_admin, history):
    client.force_login(platform_admin, backend=BACKEND)

    def actions(query):
        response = client.get(AUDIT + query)
        assert response.status_code == 200
        return [entry.action for entry in response.context["page"]]

    assert actions("?action=user.suspended") == [AuditAction.USER_SUSPENDED]
    assert actions("?actor=ALICE@acme") == [AuditAction.MEMBER_ROLE_CHANGED]
    assert actions("?target_type=accounts.organization") == [AuditAction.ORGANIZATION_SUSPENDED]
    since = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    assert AuditAction.ORGANIZATION_SUSPENDED not in actions(f"?since={since}")
    until = (timezone.now() - datetime.timedelta(days=30)).date().isoformat()
    assert actions(f"?until={until}") == [AuditAction.ORGANIZATION_SUSPENDED]
    assert actions("?since=not-a-date") == []


def test_audit_log_is_paginated_by_25(client, platform_admin, acme_viewer):
    for index in range(30):
        AuditEntry.objects.create(
            action=AuditAction.USER_APPROVED, target_type="accounts.user", target_id=str(index), target_repr="x"
        )
    client.force_login(platform_admin, backend=BACKEND)
    first = client.get(AUDIT)
    assert len(first.context["page"]) == 25
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(AUDIT + "?action=user.approved&page=2")
    assert len(second.context["page"]) == 5
    assert 'href="?action=user.approved&amp;page=1"' in second.content.decode(), "filters survive paging"
