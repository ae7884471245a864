"""Every app's role table (core/permissions.py, <app>/permissions.py), checked in one place:
for each permission, exactly which personas it allows; nobody without access is ever allowed;
a refusal carries the table's message; an unknown name is an error, never a yes or a no; the
template tag asks the same table. A permission registered without its line here fails.

How each app's pages, API and services use their table is tested with the app
(tests/test_permissions_<app>.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from core.permissions import allowed, get, require, table

from .permission_fixtures import EXPECTED, PERSONAS

pytest_plugins = ["tests.permission_fixtures"]


def test_every_registered_permission_is_checked_here():
    assert set(table()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exactly_these_personas_are_allowed(request, name):
    got = {persona for persona in PERSONAS if allowed(request.getfixturevalue(persona), name)}
    assert got == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nobody_without_access_is_allowed(without_access, name):
    assert [who for who, person in without_access.items() if allowed(person, name)] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_require_refuses_with_the_tables_message(without_access, name):
    with pytest.raises(PermissionDenied) as error:
        require(without_access["suspended officer"], name)
    assert str(error.value) == str(table()[name].message)


def test_a_permission_is_asked_by_name_or_by_its_entry(platform_admin):
    entry = get("guides.moderate")
    assert allowed(platform_admin, entry) and allowed(platform_admin, "guides.moderate")


def test_an_unknown_name_is_an_error(acme_admin):
    with pytest.raises(ImproperlyConfigured):
        allowed(acme_admin, "alerts.no_such_thing")
    with pytest.raises(ImproperlyConfigured):
        require(acme_admin, "brands.no_such_thing")


def test_the_template_tag_asks_the_same_table(acme_viewer, officer_fr):
    template = Template('{% load permissions %}{% allowed "cases.open" as can_open %}{{ can_open }}')
    for user, expected in ((acme_viewer, "False"), (officer_fr, "True")):
        request = RequestFactory().get("/")
        request.user = user
        assert template.render(Context({"request": request})) == expected
