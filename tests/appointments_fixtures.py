"""Fixtures of the appointment tests (loaded through `pytest_plugins`; no tests here).

Lex & Partners, a law firm (a `representative` in FR): firm_admin (its founder), firm_editor,
firm_viewer. Northwind Agents, another firm: other_firm_admin. Acme (acme_admin, acme_editor,
acme_viewer) and Globex (other_rightholder) are the right holders of tests/conftest.py.
`appoint(...)` makes an appointment through the service, as Acme's admin by default."""

from __future__ import annotations

import pytest

from accounts.models import Organization, OrganizationKind, Role, Status, User
from accounts.services import appointments as services
from tests.factories import OrganizationFactory, member


@pytest.fixture
def firm(db) -> Organization:
    return OrganizationFactory(name="Lex & Partners", kind=OrganizationKind.REPRESENTATIVE, country="FR")


@pytest.fixture
def other_firm(db) -> Organization:
    return OrganizationFactory(name="Northwind Agents", kind=OrganizationKind.REPRESENTATIVE, country="ES")


@pytest.fixture
def pending_firm(db) -> Organization:
    return OrganizationFactory(
        name="Pending Counsel", kind=OrganizationKind.REPRESENTATIVE, country="DE", status=Status.PENDING
    )


@pytest.fixture
def firm_admin(firm) -> User:
    return member(firm, Role.ADMIN, is_founder=True, email="laura@lex.example")


@pytest.fixture
def firm_editor(firm) -> User:
    return member(firm, Role.EDITOR, email="eric@lex.example")


@pytest.fixture
def firm_viewer(firm) -> User:
    return member(firm, Role.VIEWER, email="victor@lex.example")


@pytest.fixture
def other_firm_admin(other_firm) -> User:
    return member(other_firm, Role.ADMIN, is_founder=True, email="nadia@northwind.example")


@pytest.fixture
def appoint(acme_admin, firm):
    """appoint(actor=acme_admin, representative=firm, countries=["FR"], role="editor", accept=None)
    -> the appointment; `accept` (a firm admin) accepts it at once."""

    def make(actor=None, representative=None, *, countries=("FR",), all_countries=False, role="editor", accept=None):
        appointment = services.appointment_create(
            actor=actor or acme_admin,
            representative=(representative or firm).pk,
            all_countries=all_countries,
            countries=list(countries),
            role=role,
        )
        if accept is not None:
            appointment = services.appointment_accept(actor=accept, appointment=appointment)
        return appointment

    return make
