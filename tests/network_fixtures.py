"""The enforcement network's personas (issue 13), loaded through
`pytest_plugins = ["tests.network_fixtures"]`; no tests here.

Beside the customs personas of tests/conftest.py: French police (`police_fr`, its coordinator
`police_coordinator_fr` and officer `police_officer_fr`), German market surveillance
(`market_de`, `market_officer_de`), an international body covering DE, ES and FR
(`international_eu`, `international_officer`) and one covering only IT (`international_it`,
`international_officer_it`). Every organization is approved.
"""

from __future__ import annotations

import pytest

from accounts.models import Organization, OrganizationKind, Role, User

from .factories import OrganizationFactory, member


@pytest.fixture
def police_fr(db) -> Organization:
    return OrganizationFactory(name="Police nationale", kind=OrganizationKind.POLICE, country="FR")


@pytest.fixture
def police_coordinator_fr(police_fr) -> User:
    return member(police_fr, Role.COORDINATOR, is_founder=True, email="paul@police.example")


@pytest.fixture
def police_officer_fr(police_fr) -> User:
    return member(police_fr, Role.OFFICER, email="pauline@police.example")


@pytest.fixture
def market_de(db) -> Organization:
    return OrganizationFactory(name="Marktüberwachung", kind=OrganizationKind.MARKET_SURVEILLANCE, country="DE")


@pytest.fixture
def market_officer_de(market_de) -> User:
    return member(market_de, Role.OFFICER, email="magda@markt.example")


@pytest.fixture
def international_eu(db) -> Organization:
    return OrganizationFactory(
        name="European Anti-Counterfeiting Office",
        kind=OrganizationKind.INTERNATIONAL,
        country="BE",
        jurisdiction=["DE", "ES", "FR"],
    )


@pytest.fixture
def international_officer(international_eu) -> User:
    return member(international_eu, Role.OFFICER, email="ingrid@eu-office.example")


@pytest.fixture
def international_it(db) -> Organization:
    return OrganizationFactory(
        name="Italian Desk of the Mediterranean Office",
        kind=OrganizationKind.INTERNATIONAL,
        country="IT",
        jurisdiction=["IT"],
    )


@pytest.fixture
def international_officer_it(international_it) -> User:
    return member(international_it, Role.OFFICER, email="ivo@med-office.example")
