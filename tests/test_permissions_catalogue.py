"""The permission tables of the catalogue (brands), the webhooks and the jobs: for each named
permission, exactly which personas it allows. Nobody without access is ever allowed: anonymous,
a person pending approval, a suspended person, a member of a suspended organization."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import OrganizationKind, Role, Status
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
RIGHT_HOLDER_ADMINS = {"acme_admin", "other_rightholder"}
RIGHT_HOLDER_WRITERS = RIGHT_HOLDER_ADMINS | {"acme_editor"}
RIGHT_HOLDER_MEMBERS = RIGHT_HOLDER_WRITERS | {"acme_viewer"}
ENFORCEMENT = {"coordinator_fr", "officer_fr", "coordinator_de", "officer_de"}

ALLOWED = {
    "brands.create": RIGHT_HOLDER_WRITERS,
    "brands.export": RIGHT_HOLDER_MEMBERS,
    "brands.recently_viewed": ENFORCEMENT,
    "webhooks.manage": RIGHT_HOLDER_ADMINS,
    "jobs.start": set(PERSONAS),
    "jobs.start_for_any_organization": {"platform_admin"},
}


@pytest.fixture
def without_access(acme, db):
    """People the table never allows, whatever their organization and role."""
    suspended_organization = OrganizationFactory(
        name="Suspended Watches", kind=OrganizationKind.RIGHT_HOLDER, status=Status.SUSPENDED
    )
    return {
        "anonymous": AnonymousUser(),
        "pending admin": member(acme, Role.ADMIN, status=Status.PENDING),
        "suspended admin": member(acme, Role.ADMIN, status=Status.SUSPENDED),
        "admin of a suspended organization": member(suspended_organization, Role.ADMIN),
    }


def test_the_catalogue_tables_are_registered():
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
        require(without_access["pending admin"], name)
    assert str(error.value) == str(table()[name].message)


def test_an_unknown_name_is_an_error(acme_admin):
    with pytest.raises(ImproperlyConfigured):
        allowed(acme_admin, "brands.no_such_thing")
    with pytest.raises(ImproperlyConfigured):
        require(acme_admin, "webhooks.no_such_thing")


def test_templates_ask_the_table_by_name(acme_viewer, officer_fr):
    template = Template('{% load permissions %}{% allowed "brands.export" as can_export %}{{ can_export }}')
    for user, expected in ((acme_viewer, "True"), (officer_fr, "False")):
        request = RequestFactory().get("/")
        request.user = user
        assert template.render(Context({"request": request})) == expected
