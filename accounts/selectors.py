"""Reads of the accounts app for a person, shared by the pages and the API: their organization's
appointments (either side), a representative's clients, and the representatives a right holder
may appoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from core.roles import role_for_client
from core.scope import VIEW, scope_of

from .models import Appointment, AppointmentStatus, Organization, OrganizationKind, Status

# How many firms the appointment form's select offers at once (a search narrows them).
REPRESENTATIVE_CHOICES = 200


def appointments_for(user: Any, *, status: str | None = None) -> QuerySet[Appointment]:
    """The appointments of the person's organization, either side, newest first, with both
    organizations (two queries for a page however many rows)."""
    rows = Appointment.objects.restrict(user, VIEW).select_related("right_holder", "representative")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-requested_at", "-id")


@dataclass(frozen=True)
class Client:
    """A right holder a representative acts for, as the person sees it: their role for it is the
    lower of their firm role and the appointment's."""

    id: int
    name: str
    country: str
    role: str
    all_countries: bool
    countries: list[str]
    appointment_id: int


def clients_for(user: Any) -> list[Client]:
    """The approved right holders with an active appointment of the person's firm (none for
    anyone who is not a representative's member), by name."""
    scope = scope_of(user)
    if not scope.is_representative:
        return []
    rows = (
        Appointment.objects.restrict(user, VIEW)
        .filter(
            representative_id=scope.organization_id,
            status=AppointmentStatus.ACTIVE,
            right_holder__status=Status.APPROVED,
        )
        .select_related("right_holder")
        .order_by("right_holder__name", "right_holder_id")
    )
    return [
        Client(
            id=row.right_holder_id,
            name=row.right_holder.name,
            country=str(getattr(row.right_holder.country, "code", row.right_holder.country) or ""),
            role=role_for_client(scope.role, row.role),
            all_countries=row.all_countries,
            countries=row.country_list,
            appointment_id=row.pk,
        )
        for row in rows
    ]


def representatives_to_appoint(query: str = "") -> QuerySet[Organization]:
    """Approved representative firms whose name contains `query`, by name (at most
    REPRESENTATIVE_CHOICES): every right holder's admin may choose among them, as the DESIGN's
    appointment says; nothing of them but name and country is shown."""
    rows = Organization.objects.filter(kind=OrganizationKind.REPRESENTATIVE, status=Status.APPROVED)
    query = (query or "").strip()[:100]
    if query:
        rows = rows.filter(name__icontains=query)
    return rows.order_by("name", "id").only("id", "name", "country")[:REPRESENTATIVE_CHOICES]
