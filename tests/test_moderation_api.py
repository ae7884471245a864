"""Moderation through /api/v1/admin/: organizations by platform admins, people by platform
admins and by their own organization's admin or coordinator."""

import pytest

from accounts.models import AuditAction, AuditEntry, Membership, Organization, OrganizationKind, Role, Status
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_org(db):
    return OrganizationFactory(name="Pending Perfumes", status=Status.PENDING, country="FR")


@pytest.fixture
def founder(pending_org):
    return member(pending_org, Role.ADMIN, status=Status.PENDING, is_founder=True, email="founder@pp.example")


@pytest.fixture
def acme_joiner(acme):
    return member(acme, Role.VIEWER, status=Status.PENDING, email="joiner@acme.example")


@pytest.fixture
def globex_joiner(globex):
    return member(globex, Role.VIEWER, status=Status.PENDING, email="joiner@globex.example")


def org_url(org, verb=""):
    return f"/api/v1/admin/organizations/{org.pk}/" + (f"{verb}/" if verb else "")


def user_url(user, verb=""):
    return f"/api/v1/admin/users/{user.pk}/" + (f"{verb}/" if verb else "")


# --------------------------------------------------------------------------- organizations


def test_approving_an_organization_approves_its_founder_as_admin(api, platform_admin, pending_org, founder):
    founder.membership.role = Role.VIEWER  # whatever it was, the founder ends up admin
    founder.membership.save()
    response = api(platform_admin).post(org_url(pending_org, "approve"), {"reason": "checked"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved" and body["members"] == 1 and body["id"] == pending_org.pk
    founder.refresh_from_db()
    assert founder.status == Status.APPROVED
    assert Membership.objects.get(user=founder).role == Role.ADMIN
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_APPROVED)
    assert entry.actor == platform_admin and entry.target_id == str(pending_org.pk)
    assert entry.reason == "checked" and entry.ip_address == "127.0.0.1"


def test_approving_a_customs_administration_makes_its_founder_coordinator(api, platform_admin):
    org = OrganizationFactory(kind=OrganizationKind.CUSTOMS, status=Status.PENDING, country="ES")
    founder = member(org, Role.OFFICER, status=Status.PENDING, is_founder=True)
    assert api(platform_admin).post(org_url(org, "approve"), format="json").status_code == 200
    assert Membership.objects.get(user=founder).role == Role.COORDINATOR


def test_approving_an_organization_leaves_later_joiners_pending(api, platform_admin, pending_org, founder):
    joiner = member(pending_org, Role.VIEWER, status=Status.PENDING)
    api(platform_admin).post(org_url(pending_org, "approve"), format="json")
    joiner.refresh_from_db()
    assert joiner.status == Status.PENDING


def test_rejection_needs_a_reason_and_rejects_pending_members(
    api, platform_admin, pending_org, founder, mailoutbox, django_capture_on_commit_callbacks
):
    client = api(platform_admin)
    assert client.post(org_url(pending_org, "reject"), {"reason": " "}, format="json").status_code == 400
    pending_org.refresh_from_db()
    assert pending_org.status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(org_url(pending_org, "reject"), {"reason": "Not a brand owner"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    founder.refresh_from_db()
    assert founder.status == Status.REJECTED
    assert len(mailoutbox) == 1 and "Not a brand owner" in mailoutbox[0].body


def test_suspend_and_reinstate_an_organization(api, platform_admin, acme, acme_admin):
    client = api(platform_admin)
    assert client.post(org_url(acme, "suspend"), {"reason": "Fraud report"}, format="json").json()["status"] == (
        "suspended"
    )
    assert client.post(org_url(acme, "reinstate"), format="json").json()["status"] == "approved"
    actions = list(AuditEntry.objects.filter(target_id=str(acme.pk)).values_list("action", flat=True))
    assert actions == [AuditAction.ORGANIZATION_REINSTATED, AuditAction.ORGANIZATION_SUSPENDED]


@pytest.mark.parametrize(
    ("start", "verb"),
    [
        (Status.APPROVED, "approve"),
        (Status.APPROVED, "reject"),
        (Status.PENDING, "suspend"),
        (Status.APPROVED, "reinstate"),
        (Status.REJECTED, "suspend"),
    ],
)
def test_impossible_transitions_are_400_and_change_nothing(api, platform_admin, start, verb):
    org = OrganizationFactory(status=start)
    response = api(platform_admin).post(org_url(org, verb), {"reason": "why"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    org.refresh_from_db()
    assert org.status == start
    assert not AuditEntry.objects.exists()


def test_the_platform_organization_cannot_be_suspended(api, platform_admin):
    platform = Organization.objects.get(kind=OrganizationKind.PLATFORM)
    assert api(platform_admin).post(org_url(platform, "suspend"), {"reason": "x"}, format="json").status_code == 400


def test_organization_list_filters_by_status(api, platform_admin, acme, pending_org):
    body = api(platform_admin).get("/api/v1/admin/organizations/?status=pending").json()
    assert [o["id"] for o in body["results"]] == [pending_org.pk]
    assert set(body) == {"count", "next", "previous", "results"}
    assert set(body["results"][0]) >= {"id", "name", "kind", "country", "status", "created", "members"}


def test_unknown_organization_is_404(api, platform_admin):
    assert api(platform_admin).post("/api/v1/admin/organizations/999999/approve/", format="json").status_code == 404


# --------------------------------------------------------------------------- people


def test_org_admin_approves_a_joiner_of_their_organization(api, acme_admin, acme_joiner):
    response = api(acme_admin).post(user_url(acme_joiner, "approve"), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["role"] == "viewer"
    entry = AuditEntry.objects.get(action=AuditAction.USER_APPROVED)
    assert entry.actor == acme_admin and entry.organization == acme_joiner.organization


def test_approver_may_choose_the_role(api, acme_admin, acme_joiner):
    response = api(acme_admin).post(user_url(acme_joiner, "approve"), {"role": "editor"}, format="json")
    assert response.json()["role"] == "editor"


def test_a_role_of_another_kind_is_refused(api, acme_admin, acme_joiner):
    response = api(acme_admin).post(user_url(acme_joiner, "approve"), {"role": "officer"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    acme_joiner.refresh_from_db()
    assert acme_joiner.status == Status.PENDING


def test_coordinator_approves_an_officer(api, coordinator_fr, customs_fr):
    joiner = member(customs_fr, Role.OFFICER, status=Status.PENDING)
    assert api(coordinator_fr).post(user_url(joiner, "approve"), format="json").json()["role"] == "officer"


def test_another_organizations_admin_cannot_see_or_approve(api, other_rightholder, acme_joiner):
    client = api(other_rightholder)
    assert client.post(user_url(acme_joiner, "approve"), format="json").status_code == 404
    assert client.get(user_url(acme_joiner)).status_code == 404
    assert acme_joiner.pk not in [u["id"] for u in client.get("/api/v1/admin/users/").json()["results"]]
    acme_joiner.refresh_from_db()
    assert acme_joiner.status == Status.PENDING


def test_coordinator_of_another_country_cannot_approve_an_officer(api, coordinator_de, customs_fr):
    joiner = member(customs_fr, Role.OFFICER, status=Status.PENDING)
    assert api(coordinator_de).post(user_url(joiner, "approve"), format="json").status_code == 404


def test_org_admin_lists_only_their_own_members(api, acme_admin, acme_editor, other_rightholder, officer_fr):
    ids = {u["id"] for u in api(acme_admin).get("/api/v1/admin/users/").json()["results"]}
    assert ids == {acme_admin.pk, acme_editor.pk}


def test_joiner_of_a_pending_organization_waits_for_it(api, platform_admin, pending_org, founder):
    joiner = member(pending_org, Role.VIEWER, status=Status.PENDING)
    response = api(platform_admin).post(user_url(joiner, "approve"), format="json")
    assert response.status_code == 400


def test_reject_a_joiner_with_a_reason(api, acme_admin, acme_joiner, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme_admin).post(user_url(acme_joiner, "reject"), {"reason": "Unknown to us"}, format="json")
    assert response.json()["status"] == "rejected"
    assert mailoutbox[0].to == [acme_joiner.email] and "Unknown to us" in mailoutbox[0].body


def test_change_a_members_role(api, acme_admin, acme_viewer):
    response = api(acme_admin).patch(user_url(acme_viewer), {"role": "editor"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "editor"
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE_CHANGED)
    assert entry.details == {"from": "viewer", "to": "editor"}


def test_invalid_role_is_400(api, acme_admin, acme_viewer):
    response = api(acme_admin).patch(user_url(acme_viewer), {"role": "superhero"}, format="json")
    assert response.status_code == 400
    assert Membership.objects.get(user=acme_viewer).role == Role.VIEWER


def test_the_last_admin_cannot_step_down_or_be_removed(api, platform_admin, acme_admin):
    client = api(platform_admin)
    assert client.patch(user_url(acme_admin), {"role": "viewer"}, format="json").status_code == 400
    assert client.post(user_url(acme_admin, "remove"), format="json").status_code == 400
    assert client.post(user_url(acme_admin, "suspend"), {"reason": "x"}, format="json").status_code == 400
    assert Membership.objects.get(user=acme_admin).role == Role.ADMIN


def test_nobody_acts_on_their_own_account(api, acme_admin, acme_editor):
    acme_editor.membership.role = Role.ADMIN
    acme_editor.membership.save()
    response = api(acme_admin).patch(user_url(acme_admin), {"role": "viewer"}, format="json")
    assert response.status_code == 400


def test_remove_a_member(api, acme_admin, acme_viewer):
    response = api(acme_admin).post(user_url(acme_viewer, "remove"), {"reason": "Left the company"}, format="json")
    assert response.status_code == 200
    acme_viewer.refresh_from_db()
    assert acme_viewer.status == Status.REJECTED and acme_viewer.organization is None
    assert not acme_viewer.has_access
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_REMOVED, target_id=str(acme_viewer.pk)).exists()


def test_audit_log_is_for_platform_admins_and_filterable(api, platform_admin, acme_admin, acme_viewer):
    api(acme_admin).patch(user_url(acme_viewer), {"role": "editor"}, format="json")
    api(acme_admin).post(user_url(acme_viewer, "suspend"), {"reason": "Lost laptop"}, format="json")
    client = api(platform_admin)
    everything = client.get("/api/v1/admin/audit/").json()
    assert [e["action"] for e in everything["results"]] == ["user.suspended", "member.role_changed"]
    only = client.get("/api/v1/admin/audit/?action=user.suspended").json()
    assert only["count"] == 1
    entry = only["results"][0]
    assert entry["actor"] == acme_admin.email and entry["reason"] == "Lost laptop"
    assert entry["target"]["id"] == str(acme_viewer.pk) and entry["ip_address"] == "127.0.0.1"
    assert client.get(f"/api/v1/admin/audit/?actor={acme_admin.email}").json()["count"] == 2
    assert client.get("/api/v1/admin/audit/?actor=nobody@example.org").json()["count"] == 0
    assert client.get("/api/v1/admin/audit/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    assert api(acme_admin).get("/api/v1/admin/audit/").status_code == 403
