"""Moderation in the browser: the platform's queue and organizations, and an organization's own
members. Same services as the API; anyone outside the actor's reach answers 404, people who
manage nobody 403."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import AuditAction, AuditEntry, Membership, Role, Status, User

from .factories import member

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user, backend=BACKEND)
        return client

    return sign_in


@pytest.fixture
def new_organization(password):
    """A freshly registered right holder: pending, with its pending founder."""
    founder = services.register_account(
        email="founder@nimbus.example",
        password=password,
        full_name="Noah Nimbus",
        organization_kind="right_holder",
        organization_name="Nimbus Cosmetics",
        country="NL",
    )
    return founder.organization


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# --------------------------------------------------------------------------- the queue


@pytest.mark.parametrize("persona", ["acme_admin", "coordinator_fr", "officer_fr", "acme_viewer"])
def test_moderation_pages_are_forbidden_to_everyone_but_platform_admins(as_user, request, persona, acme):
    client = as_user(request.getfixturevalue(persona))
    for path in ("/accounts/moderation/", "/accounts/organizations/", f"/accounts/organizations/{acme.pk}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/accounts/organizations/{acme.pk}/suspend/", {"reason": "x"}).status_code == 403


def test_queue_lists_pending_organizations_with_their_founder_and_people_asking_to_join(
    as_user, platform_admin, new_organization, acme
):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING, full_name="Jo Joiner")
    response = as_user(platform_admin).get("/accounts/moderation/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nimbus Cosmetics" in html
    assert "founder@nimbus.example" in html
    assert [person.pk for person in response.context["people"]] == [joiner.pk], "founders are decided with their org"
    assert f'action="/accounts/organizations/{new_organization.pk}/approve/"' in html
    assert f'action="/accounts/members/{joiner.pk}/reject/"' in html


def test_approving_an_organization_from_the_page_approves_its_founder(
    as_user, platform_admin, new_organization, django_capture_on_commit_callbacks, mailoutbox
):
    client = as_user(platform_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accounts/organizations/{new_organization.pk}/approve/",
            {"reason": "", "next": "/accounts/moderation/"},
            follow=True,
        )
    assert response.redirect_chain[0] == ("/accounts/moderation/", 302)
    assert "Nimbus Cosmetics is approved." in messages_of(response)
    new_organization.refresh_from_db()
    assert new_organization.status == Status.APPROVED
    founder = User.objects.get(email="founder@nimbus.example")
    assert founder.status == Status.APPROVED
    assert founder.role == Role.ADMIN
    assert founder.has_access
    entry = AuditEntry.objects.get(action=AuditAction.ORGANIZATION_APPROVED)
    assert entry.actor == platform_admin
    assert entry.ip_address == "127.0.0.1"
    assert [m.to for m in mailoutbox] == [["founder@nimbus.example"]]


def test_rejecting_an_organization_needs_a_reason(as_user, platform_admin, new_organization):
    client = as_user(platform_admin)
    response = client.post(f"/accounts/organizations/{new_organization.pk}/reject/", {"reason": " "}, follow=True)
    assert response.status_code == 200
    assert any("Give a reason" in message for message in messages_of(response))
    new_organization.refresh_from_db()
    assert new_organization.status == Status.PENDING

    client.post(f"/accounts/organizations/{new_organization.pk}/reject/", {"reason": "Not a brand owner"})
    new_organization.refresh_from_db()
    assert new_organization.status == Status.REJECTED
    assert new_organization.status_reason == "Not a brand owner"
    assert User.objects.get(email="founder@nimbus.example").status == Status.REJECTED


def test_suspend_and_reinstate_an_organization_from_its_page(as_user, platform_admin, acme, acme_editor):
    client = as_user(platform_admin)
    detail = client.get(f"/accounts/organizations/{acme.pk}/")
    assert detail.status_code == 200
    assert acme_editor.email in detail.content.decode()

    client.post(f"/accounts/organizations/{acme.pk}/suspend/", {"reason": "Counterfeiter"})
    acme.refresh_from_db()
    assert acme.status == Status.SUSPENDED
    acme_editor.refresh_from_db()
    assert not acme_editor.has_access

    client.post(f"/accounts/organizations/{acme.pk}/reinstate/", {"reason": ""})
    acme.refresh_from_db()
    assert acme.status == Status.APPROVED


def test_an_action_that_does_not_apply_is_an_error_message_not_a_500(as_user, platform_admin, acme):
    response = as_user(platform_admin).post(f"/accounts/organizations/{acme.pk}/reinstate/", follow=True)
    assert response.status_code == 200
    assert any("not possible while the organization is approved" in message for message in messages_of(response))


def test_unknown_action_and_unknown_organization_answer_404(as_user, platform_admin, acme):
    client = as_user(platform_admin)
    assert client.post(f"/accounts/organizations/{acme.pk}/delete/").status_code == 404
    assert client.post("/accounts/organizations/999999/approve/").status_code == 404
    assert client.get("/accounts/organizations/999999/").status_code == 404


def test_actions_are_posts_only(as_user, platform_admin, acme, acme_viewer):
    client = as_user(platform_admin)
    assert client.get(f"/accounts/organizations/{acme.pk}/suspend/").status_code == 405
    assert client.get(f"/accounts/members/{acme_viewer.pk}/suspend/").status_code == 405


def test_organization_list_filters(as_user, platform_admin, acme, globex, customs_fr, new_organization):
    client = as_user(platform_admin)
    by_status = client.get("/accounts/organizations/?status=pending").context["page"]
    assert [o.pk for o in by_status] == [new_organization.pk]
    by_kind = client.get("/accounts/organizations/?kind=customs").context["page"]
    assert [o.pk for o in by_kind] == [customs_fr.pk]
    by_country = client.get("/accounts/organizations/?country=IT").context["page"]
    assert [o.pk for o in by_country] == [globex.pk]
    by_name = client.get("/accounts/organizations/?q=acme").context["page"]
    assert [o.pk for o in by_name] == [acme.pk]


# --------------------------------------------------------------------------- members


@pytest.mark.parametrize("persona", ["acme_editor", "acme_viewer", "officer_fr"])
def test_members_page_is_forbidden_to_people_who_manage_nobody(as_user, request, persona, acme_viewer):
    client = as_user(request.getfixturevalue(persona))
    assert client.get("/accounts/members/").status_code == 403
    assert client.post(f"/accounts/members/{acme_viewer.pk}/suspend/", {"reason": "x"}).status_code == 403


def test_org_admin_sees_only_their_own_people(as_user, acme_admin, acme_editor, other_rightholder, officer_fr):
    page = as_user(acme_admin).get("/accounts/members/").context["page"]
    assert {person.pk for person in page} == {acme_admin.pk, acme_editor.pk}
    assert "organization" not in as_user(acme_admin).get("/accounts/members/").context["form"].fields


def test_platform_admin_sees_everyone_and_filters_by_organization(
    as_user, platform_admin, acme_admin, acme_editor, officer_fr, acme
):
    client = as_user(platform_admin)
    everyone = {person.pk for person in client.get("/accounts/members/").context["page"]}
    assert {acme_admin.pk, acme_editor.pk, officer_fr.pk, platform_admin.pk} <= everyone
    acme_only = client.get(f"/accounts/members/?organization={acme.pk}").context["page"]
    assert {person.pk for person in acme_only} == {acme_admin.pk, acme_editor.pk}


def test_org_admin_approves_a_joiner_of_their_organization_with_a_role(as_user, acme_admin, acme):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    client = as_user(acme_admin)
    pending = client.get("/accounts/members/?status=pending").context["page"]
    assert [person.pk for person in pending] == [joiner.pk]

    response = client.post(f"/accounts/members/{joiner.pk}/approve/", {"role": "editor"}, follow=True)
    assert response.status_code == 200
    assert any("is approved" in message for message in messages_of(response))
    joiner.refresh_from_db()
    assert joiner.status == Status.APPROVED
    assert joiner.role == Role.EDITOR
    entry = AuditEntry.objects.get(action=AuditAction.USER_APPROVED, target_id=str(joiner.pk))
    assert entry.actor == acme_admin


def test_coordinator_approves_an_officer_of_their_administration(as_user, coordinator_fr, customs_fr):
    joiner = member(customs_fr, Role.OFFICER, status=Status.PENDING)
    as_user(coordinator_fr).post(f"/accounts/members/{joiner.pk}/approve/", {"role": ""})
    joiner.refresh_from_db()
    assert joiner.status == Status.APPROVED
    assert joiner.role == Role.OFFICER


def test_org_admin_gets_404_for_a_joiner_of_another_organization(as_user, acme_admin, coordinator_fr, globex):
    outsider = member(globex, Role.VIEWER, status=Status.PENDING)
    client = as_user(acme_admin)
    for action in ("approve", "reject", "role", "suspend", "reinstate", "remove"):
        response = client.post(f"/accounts/members/{outsider.pk}/{action}/", {"reason": "x", "role": "admin"})
        assert response.status_code == 404, action
    outsider.refresh_from_db()
    assert outsider.status == Status.PENDING
    assert outsider.role == Role.VIEWER
    assert as_user(coordinator_fr).post(f"/accounts/members/{outsider.pk}/approve/").status_code == 404


def test_reject_needs_a_reason_and_is_shown_as_an_error(as_user, acme_admin, acme):
    joiner = member(acme, Role.VIEWER, status=Status.PENDING)
    client = as_user(acme_admin)
    response = client.post(f"/accounts/members/{joiner.pk}/reject/", {"reason": ""}, follow=True)
    assert any("Give a reason" in message for message in messages_of(response))
    joiner.refresh_from_db()
    assert joiner.status == Status.PENDING
    client.post(f"/accounts/members/{joiner.pk}/reject/", {"reason": "Unknown to us"})
    joiner.refresh_from_db()
    assert joiner.status == Status.REJECTED


def test_role_change_offers_and_accepts_only_the_roles_of_the_organization_kind(
    as_user, acme_admin, acme_viewer, coordinator_fr, officer_fr
):
    html = as_user(acme_admin).get("/accounts/members/").content.decode()
    assert '<option value="editor"' in html
    assert '<option value="officer"' not in html

    client = as_user(acme_admin)
    response = client.post(f"/accounts/members/{acme_viewer.pk}/role/", {"role": "officer"}, follow=True)
    assert response.status_code == 200
    assert any("Choose one of" in message for message in messages_of(response))
    acme_viewer.refresh_from_db()
    assert acme_viewer.role == Role.VIEWER

    client.post(f"/accounts/members/{acme_viewer.pk}/role/", {"role": "editor"})
    acme_viewer.refresh_from_db()
    assert acme_viewer.role == Role.EDITOR
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE_CHANGED)
    assert entry.details == {"from": "viewer", "to": "editor"}

    as_user(coordinator_fr).post(f"/accounts/members/{officer_fr.pk}/role/", {"role": "coordinator"})
    officer_fr.refresh_from_db()
    assert officer_fr.role == Role.COORDINATOR


def test_remove_a_member(as_user, acme_admin, acme_editor):
    response = as_user(acme_admin).post(f"/accounts/members/{acme_editor.pk}/remove/", {"reason": "Left"}, follow=True)
    assert response.status_code == 200
    assert any("removed" in message for message in messages_of(response))
    acme_editor.refresh_from_db()
    assert acme_editor.membership_or_none is None
    assert acme_editor.status == Status.REJECTED
    assert not Membership.objects.filter(user=acme_editor).exists()
    assert acme_editor.pk not in {person.pk for person in response.context["page"]}


def test_suspend_and_reinstate_a_member(as_user, acme_admin, acme_editor):
    client = as_user(acme_admin)
    client.post(f"/accounts/members/{acme_editor.pk}/suspend/", {"reason": "On leave"})
    acme_editor.refresh_from_db()
    assert acme_editor.status == Status.SUSPENDED
    client.post(f"/accounts/members/{acme_editor.pk}/reinstate/")
    acme_editor.refresh_from_db()
    assert acme_editor.status == Status.APPROVED


def test_the_last_administrator_cannot_be_demoted_and_nobody_acts_on_themselves(
    as_user, platform_admin, acme_admin, acme_viewer
):
    response = as_user(platform_admin).post(
        f"/accounts/members/{acme_admin.pk}/role/", {"role": "viewer"}, follow=True
    )
    assert any("last administrator" in message for message in messages_of(response))
    acme_admin.refresh_from_db()
    assert acme_admin.role == Role.ADMIN

    response = as_user(acme_admin).post(f"/accounts/members/{acme_admin.pk}/suspend/", {"reason": "x"}, follow=True)
    assert any("your own account" in message for message in messages_of(response))


def test_approving_a_joiner_of_a_pending_organization_says_to_approve_it_first(
    as_user, platform_admin, new_organization
):
    joiner = member(new_organization, Role.VIEWER, status=Status.PENDING)
    response = as_user(platform_admin).post(f"/accounts/members/{joiner.pk}/approve/", follow=True)
    assert any("organization first" in message for message in messages_of(response))


def test_next_address_must_stay_on_the_site(as_user, acme_admin, acme_viewer):
    response = as_user(acme_admin).post(
        f"/accounts/members/{acme_viewer.pk}/role/", {"role": "editor", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/accounts/members/"


# --------------------------------------------------------------------------- bounded queries


def _people(organization, count, status=Status.PENDING):
    return [member(organization, Role.VIEWER, status=status) for _ in range(count)]


@pytest.mark.parametrize("rows", [1, 20])
def test_member_list_runs_a_bounded_number_of_queries(as_user, acme_admin, acme, rows, django_assert_max_num_queries):
    _people(acme, rows)
    client = as_user(acme_admin)
    with django_assert_max_num_queries(10):
        response = client.get("/accounts/members/")
    assert len(response.context["page"]) == rows + 1


@pytest.mark.parametrize("rows", [1, 20])
def test_platform_lists_run_a_bounded_number_of_queries(
    as_user, platform_admin, acme, rows, password, django_assert_max_num_queries
):
    for index in range(rows):
        services.register_account(
            email=f"founder{index}@example.org",
            password=password,
            full_name=f"Founder {index}",
            organization_kind="customs",
            organization_name=f"Customs {index}",
            country="FR",
        )
    _people(acme, rows)
    client = as_user(platform_admin)
    for path, key in [
        ("/accounts/moderation/", "organizations"),
        ("/accounts/organizations/", "page"),
        ("/accounts/members/", "page"),
        ("/accounts/audit/", "page"),
    ]:
        with django_assert_max_num_queries(12):
            response = client.get(path)
        assert response.status_code == 200
        assert len(response.context[key]) >= rows, path
