"""The permission tables of the accounts and the notifications (accounts/permissions.py,
notifications/permissions.py): for each named permission, exactly which personas it allows.
Nobody without access is ever allowed: anonymous, a person pending approval, a suspended person,
a member of a suspended organization. The API's permission classes, the navigation, the
two-factor obligation and the templates answer as the table does."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from accounts.context_processors import navigation
from accounts.models import OrganizationKind, Role, Status
from accounts.permissions import IsApprovedUser, IsMemberManager, IsPlatformAdmin
from accounts.two_factor import second_factor_required
from core.permissions import allowed, require, table

from .factories import OrganizationFactory, member

PERSONAS = (
    "platform_admin",
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "coordinator_fr",
    "officer_fr",
    "coordinator_de",
    "officer_de",
)
EVERYONE = set(PERSONAS)
COORDINATORS = {"coordinator_fr", "coordinator_de"}
ENFORCEMENT = COORDINATORS | {"officer_fr", "officer_de"}
ORGANIZATION_APPROVERS = COORDINATORS | {"acme_admin", "other_rightholder"}
RIGHT_HOLDERS = {"acme_admin", "acme_editor", "acme_viewer", "other_rightholder"}

ALLOWED = {
    "accounts.access": EVERYONE,
    "accounts.moderate_platform": {"platform_admin"},
    "accounts.manage_members": {"platform_admin"} | ORGANIZATION_APPROVERS,
    "accounts.go_without_two_factor": EVERYONE - {"platform_admin"} - COORDINATORS,
    "notifications.follow_brands": ENFORCEMENT,
}

# The API's side of the same table.
PERMISSION_CLASSES = {
    IsApprovedUser: "accounts.access",
    IsPlatformAdmin: "accounts.moderate_platform",
    IsMemberManager: "accounts.manage_members",
}


@pytest.fixture
def without_access(acme, customs_fr, db):
    """People the table never allows, whatever their organization and role."""
    suspended_organization = OrganizationFactory(
        name="Suspended Customs", kind=OrganizationKind.CUSTOMS, country="BE", status=Status.SUSPENDED
    )
    return {
        "anonymous": AnonymousUser(),
        "pending admin": member(acme, Role.ADMIN, status=Status.PENDING),
        "suspended admin": member(acme, Role.ADMIN, status=Status.SUSPENDED),
        "pending coordinator": member(customs_fr, Role.COORDINATOR, status=Status.PENDING),
        "suspended coordinator": member(customs_fr, Role.COORDINATOR, status=Status.SUSPENDED),
        "coordinator of a suspended organization": member(suspended_organization, Role.COORDINATOR),
    }


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    if user.is_authenticated and not hasattr(user, "is_verified"):
        user.is_verified = lambda: False  # as django-otp's middleware does, no code entered yet
    return request


def test_the_tables_are_registered():
    assert set(ALLOWED) <= set(table())


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_exactly_these_personas_are_allowed(request, name):
    got = {persona for persona in PERSONAS if allowed(request.getfixturevalue(persona), name)}
    assert got == ALLOWED[name]


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_nobody_without_access_is_allowed(without_access, name):
    for who, person in without_access.items():
        assert not allowed(person, name), who


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_require_refuses_with_the_tables_message(without_access, name):
    with pytest.raises(PermissionDenied) as error:
        require(without_access["suspended coordinator"], name)
    assert str(error.value) == str(table()[name].message)


def test_the_services_refuse_with_the_messages_they_always_gave(acme_admin):
    assert str(table()["accounts.moderate_platform"].message) == "Only platform administrators can do this."
    assert str(table()["notifications.follow_brands"].message) == "Only enforcement officers follow brands."
    with pytest.raises(PermissionDenied, match=r"^Only platform administrators can do this\.$"):
        require(acme_admin, "accounts.moderate_platform")


def test_an_unknown_name_is_an_error(acme_admin):
    with pytest.raises(ImproperlyConfigured):
        allowed(acme_admin, "accounts.no_such_thing")
    with pytest.raises(ImproperlyConfigured):
        require(acme_admin, "notifications.no_such_thing")


@pytest.mark.parametrize("permission_class", list(PERMISSION_CLASSES), ids=lambda cls: cls.__name__)
def test_the_api_permission_classes_ask_the_table(request, without_access, permission_class):
    name = PERMISSION_CLASSES[permission_class]
    for persona in PERSONAS:
        answer = permission_class().has_permission(_request(request.getfixturevalue(persona)), None)
        assert answer == (persona in ALLOWED[name]), persona
    for who, person in without_access.items():
        assert not permission_class().has_permission(_request(person), None), who


def test_two_factor_is_required_of_whom_the_table_does_not_let_go_without(request, settings):
    settings.REQUIRE_2FA = True
    required = {persona for persona in PERSONAS if second_factor_required(request.getfixturevalue(persona))}
    assert required == {"platform_admin"} | COORDINATORS
    settings.REQUIRE_2FA = False
    assert not any(second_factor_required(request.getfixturevalue(persona)) for persona in PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_navigation_shows_what_the_table_allows(request, settings, persona):
    settings.REQUIRE_2FA = False
    shown = navigation(_request(request.getfixturevalue(persona)))
    assert shown["nav_user_active"]
    assert shown["nav_is_platform_admin"] == (persona in ALLOWED["accounts.moderate_platform"])
    # The platform's own menu replaces the members one for platform admins.
    assert shown["nav_is_org_approver"] == (persona in ORGANIZATION_APPROVERS)
    assert shown["nav_is_enforcement"] == (persona in ENFORCEMENT)
    assert shown["nav_is_right_holder"] == (persona in RIGHT_HOLDERS)


def test_the_navigation_shows_nothing_without_access(without_access):
    flags = ("nav_user_active", "nav_is_platform_admin", "nav_is_org_approver", "nav_is_enforcement")
    for who, person in without_access.items():
        shown = navigation(_request(person))
        assert not any(shown[flag] for flag in (*flags, "nav_is_right_holder")), who


def test_the_navigation_waits_for_the_second_factor(settings, coordinator_fr):
    settings.REQUIRE_2FA = True
    shown = navigation(_request(coordinator_fr))
    assert not shown["nav_user_active"]
    assert not shown["nav_is_org_approver"]
    assert not shown["nav_is_enforcement"]


def test_templates_ask_the_table_by_name(platform_admin, coordinator_fr):
    template = Template(
        '{% load permissions %}{% allowed "accounts.moderate_platform" as moderates %}'
        '{% allowed "notifications.follow_brands" as follows %}{{ moderates }} {{ follows }}'
    )
    assert template.render(Context({"request": _request(platform_admin)})) == "True False"
    assert template.render(Context({"request": _request(coordinator_fr)})) == "False True"
