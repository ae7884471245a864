"""Who is who: moderation statuses, organization kinds, roles and the sets of them the rules
read (enforcement kinds, writer roles, approver roles). Plain constants, so that every layer can
read them (accounts.models re-exports them for its own callers).

A new organization kind is added here (with its roles, founder and joiner roles) and, when it
sees the catalogue as officers do, in ENFORCEMENT_KINDS: docs/ARCHITECTURE.md says the rest.
A representative (a law firm or agent) has a right holder's roles and acts for the right holders
that appointed it (accounts.Appointment).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The moderation status shared by organizations and people."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class OrganizationKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    RIGHT_HOLDER = "right_holder", _("Right holder")
    REPRESENTATIVE = "representative", _("Representative (law firm or agent)")
    CUSTOMS = "customs", _("Customs administration")
    POLICE = "police", _("Police")
    MARKET_SURVEILLANCE = "market_surveillance", _("Market surveillance authority")
    ANTI_FRAUD = "anti_fraud", _("Anti-fraud agency")
    INTERNATIONAL = "international", _("International body")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")
    COORDINATOR = "coordinator", _("Coordinator")
    OFFICER = "officer", _("Officer")


# Enforcement kinds ("agencies"): organizations whose members search, scan, raise cases and
# receive alerts, scoped by their kind and jurisdiction. In the order forms list them.
AGENCY_KINDS = (
    OrganizationKind.CUSTOMS,
    OrganizationKind.POLICE,
    OrganizationKind.MARKET_SURVEILLANCE,
    OrganizationKind.ANTI_FRAUD,
    OrganizationKind.INTERNATIONAL,
)
AGENCY_CHOICES = [(kind.value, kind.label) for kind in AGENCY_KINDS]
AGENCY_VALUES = tuple(kind.value for kind in AGENCY_KINDS)
ENFORCEMENT_KINDS = frozenset(AGENCY_KINDS)
# National agencies act in their organization's country; an international body in the list of
# countries a platform admin sets (Organization.jurisdiction).
INTERNATIONAL_KINDS = frozenset({OrganizationKind.INTERNATIONAL})
# Kinds a person can register for; the platform organization is made by createsuperuser.
REGISTRABLE_KINDS = (OrganizationKind.RIGHT_HOLDER, OrganizationKind.REPRESENTATIVE, *AGENCY_KINDS)
REGISTRABLE_KIND_CHOICES = [(kind.value, kind.label) for kind in REGISTRABLE_KINDS]

ROLES_BY_KIND = {
    OrganizationKind.PLATFORM: (Role.ADMIN,),
    OrganizationKind.RIGHT_HOLDER: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    OrganizationKind.REPRESENTATIVE: (Role.ADMIN, Role.EDITOR, Role.VIEWER),
    **dict.fromkeys(AGENCY_KINDS, (Role.COORDINATOR, Role.OFFICER)),
}
FOUNDER_ROLE = {
    OrganizationKind.PLATFORM: Role.ADMIN,
    OrganizationKind.RIGHT_HOLDER: Role.ADMIN,
    OrganizationKind.REPRESENTATIVE: Role.ADMIN,
    **dict.fromkeys(AGENCY_KINDS, Role.COORDINATOR),
}
JOINER_ROLE = {
    OrganizationKind.PLATFORM: Role.ADMIN,
    OrganizationKind.RIGHT_HOLDER: Role.VIEWER,
    OrganizationKind.REPRESENTATIVE: Role.VIEWER,
    **dict.fromkeys(AGENCY_KINDS, Role.OFFICER),
}
# Roles that approve people who ask to join their organization and manage its members.
APPROVER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})

# Roles that write a right holder's catalogue, alerts and case answers.
WRITER_ROLES = frozenset({Role.ADMIN, Role.EDITOR})

# The roles an appointment gives a representative for a client (DESIGN.md, "Representatives"):
# a person's role for a client is the lower of their firm role (a firm admin counts as editor:
# admins manage the firm's members, never a client's) and the appointment's.
APPOINTMENT_ROLES = (Role.EDITOR, Role.VIEWER)
APPOINTMENT_ROLE_CHOICES = [(role.value, role.label) for role in APPOINTMENT_ROLES]


def role_for_client(firm_role: str, appointment_role: str) -> str:
    """A representative's member's role for a client: editor only when both their firm role
    (admin or editor) and the appointment say editor; viewer otherwise."""
    if firm_role in WRITER_ROLES and appointment_role == Role.EDITOR:
        return Role.EDITOR
    return Role.VIEWER


def in_agency_order(kinds: Iterable[str]) -> list[str]:
    """Agency kinds without repeats, in the order forms list them (AGENCY_KINDS)."""
    chosen = set(kinds)
    return [kind for kind in AGENCY_VALUES if kind in chosen]
