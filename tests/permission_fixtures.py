"""Who the role tables are checked against (tests/test_permission_tables.py and each app's
tests/test_permissions_<app>.py): the standing personas, what each permission allows them, and
the people no table ever allows (`without_access`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import OrganizationKind, Role, Status, User

from .factories import PASSWORD, OrganizationFactory, member

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
EVERYONE = frozenset(PERSONAS)
PLATFORM = frozenset({"platform_admin"})
RIGHT_HOLDER_ADMINS = frozenset({"acme_admin", "other_rightholder"})
RIGHT_HOLDER_WRITERS = RIGHT_HOLDER_ADMINS | {"acme_editor"}
RIGHT_HOLDERS = RIGHT_HOLDER_WRITERS | {"acme_viewer"}
COORDINATORS = frozenset({"coordinator_fr", "coordinator_de"})
ENFORCEMENT = COORDINATORS | {"officer_fr", "officer_de"}

EXPECTED = {
    # accounts, notifications
    "accounts.access": EVERYONE,
    "accounts.moderate_platform": PLATFORM,
    "accounts.manage_members": PLATFORM | RIGHT_HOLDER_ADMINS | COORDINATORS,
    "accounts.go_without_two_factor": EVERYONE - PLATFORM - COORDINATORS,
    "accounts.appointments": RIGHT_HOLDERS,
    "accounts.appoint_representatives": RIGHT_HOLDER_ADMINS,
    "notifications.follow_brands": ENFORCEMENT,
    # catalogue
    "brands.create": RIGHT_HOLDER_WRITERS,
    "brands.export": RIGHT_HOLDERS,
    "brands.recently_viewed": ENFORCEMENT,
    "webhooks.manage": RIGHT_HOLDER_ADMINS,
    "jobs.start": EVERYONE,
    "jobs.start_for_any_organization": PLATFORM,
    # guides
    "guides.inspect": ENFORCEMENT,
    "guides.feedback": EVERYONE,
    "guides.own": RIGHT_HOLDERS,
    "guides.usage": RIGHT_HOLDERS | PLATFORM,
    "guides.moderate": PLATFORM,
    # alerts and cases
    "alerts.read": EVERYONE,
    "alerts.draft": RIGHT_HOLDER_WRITERS,
    "alerts.track": RIGHT_HOLDERS | PLATFORM,
    "alerts.acknowledge": ENFORCEMENT,
    "cases.read": EVERYONE,
    "cases.open": ENFORCEMENT,
    "deconfliction.contact": COORDINATORS,
    "operations.read": EVERYONE - PLATFORM,
    "operations.coordinate": COORDINATORS,
    # applications for action
    "applications.file": RIGHT_HOLDER_WRITERS,
    "applications.menu": RIGHT_HOLDERS | PLATFORM | ENFORCEMENT,
}


@pytest.fixture
def without_access(acme, customs_fr) -> dict:
    """People no table ever allows, whatever their organization and role."""
    suspended_customs = OrganizationFactory(
        name="Suspended Customs", kind=OrganizationKind.CUSTOMS, country="BE", status=Status.SUSPENDED
    )
    pending_customs = OrganizationFactory(kind=OrganizationKind.CUSTOMS, country="ES", status=Status.PENDING)
    suspended_right_holder = OrganizationFactory(
        name="Suspended Watches", kind=OrganizationKind.RIGHT_HOLDER, status=Status.SUSPENDED
    )
    former_admin = User.objects.create_superuser(email="former@example.org", password=PASSWORD, full_name="Former")
    former_admin.status = Status.SUSPENDED
    former_admin.save(update_fields=["status"])
    return {
        "anonymous": AnonymousUser(),
        "pending admin": member(acme, Role.ADMIN, status=Status.PENDING),
        "pending editor": member(acme, Role.EDITOR, status=Status.PENDING),
        "suspended admin": member(acme, Role.ADMIN, status=Status.SUSPENDED),
        "suspended editor": member(acme, Role.EDITOR, status=Status.SUSPENDED),
        "pending officer": member(customs_fr, Role.OFFICER, status=Status.PENDING),
        "suspended officer": member(customs_fr, Role.OFFICER, status=Status.SUSPENDED),
        "suspended platform admin": former_admin,
        "officer of a suspended organization": member(suspended_customs, Role.OFFICER),
        "admin of a suspended organization": member(suspended_right_holder, Role.ADMIN),
        "founder of a pending organization": member(pending_customs, Role.COORDINATOR, is_founder=True),
    }
