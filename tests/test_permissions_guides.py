"""The guides' role table (authentication_guides/permissions.py): for each permission, exactly
which personas may, and never anyone without access (pending, suspended, a member of an
organization not approved, anonymous). Which guides they reach is the gate's, tested elsewhere."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import OrganizationKind, Role, Status, User
from authentication_guides.permissions import GUIDE_INSPECT, GUIDE_MODERATE
from core.permissions import allowed, require, table

from .factories import PASSWORD, OrganizationFactory, member

pytestmark = pytest.mark.django_db

RIGHT_HOLDERS = {"acme_admin", "acme_editor", "acme_viewer", "other_rightholder"}
ENFORCEMENT = {"coordinator_fr", "officer_fr", "coordinator_de", "officer_de"}
WITH_ACCESS = RIGHT_HOLDERS | ENFORCEMENT | {"platform_admin"}
WITHOUT_ACCESS = {
    "pending_officer",
    "pending_editor",
    "suspended_editor",
    "suspended_officer",
    "suspended_platform_admin",
    "member_of_pending_organization",
    "anonymous_visitor",
}
PERSONAS = sorted(WITH_ACCESS | WITHOUT_ACCESS)

EXPECTED = {
    "guides.inspect": ENFORCEMENT,
    "guides.feedback": RIGHT_HOLDERS | ENFORCEMENT | {"platform_admin"},
    "guides.own": RIGHT_HOLDERS,
    "guides.usage": RIGHT_HOLDERS | {"platform_admin"},
    "guides.moderate": {"platform_admin"},
}


@pytest.fixture
def pending_officer(customs_fr) -> User:
    return member(customs_fr, Role.OFFICER, status=Status.PENDING)


@pytest.fixture
def pending_editor(acme) -> User:
    return member(acme, Role.EDITOR, status=Status.PENDING)


@pytest.fixture
def suspended_editor(acme) -> User:
    return member(acme, Role.EDITOR, status=Status.SUSPENDED)


@pytest.fixture
def suspended_officer(customs_fr) -> User:
    return member(customs_fr, Role.OFFICER, status=Status.SUSPENDED)


@pytest.fixture
def suspended_platform_admin(db) -> User:
    user = User.objects.create_superuser(email="former@example.org", password=PASSWORD, full_name="Former Admin")
    user.status = Status.SUSPENDED
    user.save(update_fields=["status"])
    return user


@pytest.fixture
def member_of_pending_organization(db) -> User:
    customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="ES", status=Status.PENDING)
    return member(customs, Role.COORDINATOR, is_founder=True)


@pytest.fixture
def anonymous_visitor() -> AnonymousUser:
    return AnonymousUser()


def test_the_table_is_what_this_module_checks():
    assert {name for name in table() if name.startswith("guides.")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_is_allowed(request, name, persona):
    user = request.getfixturevalue(persona)
    assert allowed(user, name) is (persona in EXPECTED[name])


@pytest.mark.parametrize("persona", sorted(WITHOUT_ACCESS))
def test_nobody_without_access_is_allowed_anything(request, persona):
    user = request.getfixturevalue(persona)
    assert not any(allowed(user, name) for name in EXPECTED)


def test_require_refuses_with_the_tables_message(acme_editor, officer_fr):
    require(officer_fr, GUIDE_INSPECT)
    with pytest.raises(PermissionDenied) as refused:
        require(acme_editor, GUIDE_INSPECT)
    assert str(refused.value) == str(GUIDE_INSPECT.message)


def test_a_permission_is_asked_by_name_or_by_its_entry(platform_admin):
    assert allowed(platform_admin, "guides.moderate") and allowed(platform_admin, GUIDE_MODERATE)


def test_an_unknown_name_is_an_error_not_a_no(platform_admin):
    with pytest.raises(ImproperlyConfigured):
        allowed(platform_admin, "guides.publish")
    with pytest.raises(ImproperlyConfigured):
        require(platform_admin, "guides.publish")


def test_the_template_tag_asks_the_same_table(officer_fr, acme_viewer):
    page = Template('{% load permissions %}{% allowed "guides.inspect" as inspects %}{{ inspects }}')
    for user, expected in ((officer_fr, "True"), (acme_viewer, "False")):
        request = RequestFactory().get("/")
        request.user = user
        assert page.render(Context({"request": request})) == expected
