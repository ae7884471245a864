"""Standing personas and API clients shared by every test module.

Acme (a right holder in CH): acme_admin, acme_editor, acme_viewer. Globex, another right
holder: other_rightholder. French customs: coordinator_fr, officer_fr. German customs:
coordinator_de, officer_de. The platform: platform_admin (a superuser).
"""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, OrganizationKind, Role, User

from .factories import PASSWORD, OrganizationFactory, member


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test gets its own cache namespace on the real Redis: throttle counters never leak
    from one test to the next."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"t-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme Watches", kind=OrganizationKind.RIGHT_HOLDER, country="CH")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex Apparel", kind=OrganizationKind.RIGHT_HOLDER, country="IT")


@pytest.fixture
def customs_fr(db):
    return OrganizationFactory(name="Douane française", kind=OrganizationKind.CUSTOMS, country="FR")


@pytest.fixture
def customs_de(db):
    return OrganizationFactory(name="Zoll", kind=OrganizationKind.CUSTOMS, country="DE")


@pytest.fixture
def platform_admin(db) -> User:
    return User.objects.create_superuser(email="admin@example.org", password=PASSWORD, full_name="Platform Admin")


@pytest.fixture
def acme_admin(acme) -> User:
    return member(acme, Role.ADMIN, is_founder=True, email="alice@acme.example")


@pytest.fixture
def acme_editor(acme) -> User:
    return member(acme, Role.EDITOR, email="eddie@acme.example")


@pytest.fixture
def acme_viewer(acme) -> User:
    return member(acme, Role.VIEWER, email="vera@acme.example")


@pytest.fixture
def other_rightholder(globex) -> User:
    return member(globex, Role.ADMIN, is_founder=True, email="gina@globex.example")


@pytest.fixture
def coordinator_fr(customs_fr) -> User:
    return member(customs_fr, Role.COORDINATOR, is_founder=True, email="claire@douane.example")


@pytest.fixture
def officer_fr(customs_fr) -> User:
    return member(customs_fr, Role.OFFICER, email="olivier@douane.example")


@pytest.fixture
def coordinator_de(customs_de) -> User:
    return member(customs_de, Role.COORDINATOR, is_founder=True, email="klaus@zoll.example")


@pytest.fixture
def officer_de(customs_de) -> User:
    return member(customs_de, Role.OFFICER, email="otto@zoll.example")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def api():
    """api(user) -> an APIClient that authenticates with a real API token of that user."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            _instance, token = ApiToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make
