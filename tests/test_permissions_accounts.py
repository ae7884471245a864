"""The API's permission classes, the navigation and the two-factor obligation answer as the
accounts' role table does (accounts/permissions.py; the table itself is checked in
tests/test_permission_tables.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from accounts.context_processors import navigation
from accounts.permissions import IsApprovedUser, IsMemberManager, IsPlatformAdmin
from accounts.two_factor import second_factor_required
from core.permissions import require, table

from .permission_fixtures import COORDINATORS, ENFORCEMENT, EXPECTED, PERSONAS, RIGHT_HOLDER_ADMINS, RIGHT_HOLDERS

pytest_plugins = ["tests.permission_fixtures"]

ALLOWED = EXPECTED

# The API's side of the same table.
PERMISSION_CLASSES = {
    IsApprovedUser: "accounts.access",
    IsPlatformAdmin: "accounts.moderate_platform",
    IsMemberManager: "accounts.manage_members",
}


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    if user.is_authenticated and not hasattr(user, "is_verified"):
        user.is_verified = lambda: False  # as django-otp's middleware does, no code entered yet
    return request


def test_the_services_refuse_with_the_messages_they_always_gave(acme_admin):
    assert str(table()["accounts.moderate_platform"].message) == "Only platform administrators can do this."
    assert str(table()["notifications.follow_brands"].message) == "Only enforcement officers follow brands."
    with pytest.raises(PermissionDenied, match=r"^Only platform administrators can do this\.$"):
        require(acme_admin, "accounts.moderate_platform")


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
    assert shown["nav_is_org_approver"] == (persona in RIGHT_HOLDER_ADMINS | COORDINATORS)
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
