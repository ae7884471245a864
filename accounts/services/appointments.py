"""Appointments of representatives (DESIGN.md, "Representatives and applications for action"): a
right holder's admin appoints an approved representative for every country or a list, as editor
or viewer; the representative's admin accepts; either side's admin ends it (ended before
acceptance, it is declined or withdrawn). One live appointment (awaiting acceptance or active) per
pair. Every step is audited and told to the admins concerned (accounts.notifying)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.gate import may
from core.permissions import require
from core.validators import clean_countries

from ..audit import audit_log
from ..models import (
    APPOINTMENT_ROLES,
    Appointment,
    AppointmentStatus,
    AuditAction,
    Organization,
    OrganizationKind,
    Status,
    User,
)
from ..permissions import APPOINT_REPRESENTATIVES

ACCEPT = "accept"
END = "end"


def _representative(value: Any) -> Organization:
    """The approved representative organization `value` names; one answer for an unknown id, an
    organization of another kind and one not approved, so the field tells nothing more."""
    refused = ValidationError({"representative": [_("Choose an approved representative.")]})
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise refused from None
    representative = Organization.objects.filter(
        pk=pk, kind=OrganizationKind.REPRESENTATIVE, status=Status.APPROVED
    ).first()
    if representative is None:
        raise refused
    return representative


def _role(value: Any) -> str:
    if value not in APPOINTMENT_ROLES:
        raise ValidationError({"role": [_("Choose editor or viewer.")]})
    return str(value)


def _countries(all_countries: bool, countries: Any) -> list[str]:
    """The appointment's countries, sorted: none when it is for every country (a list given with
    it is ignored), at least one otherwise."""
    cleaned = sorted(set(clean_countries({"countries": countries}, "countries")))
    if all_countries:
        return []
    if not cleaned:
        raise ValidationError({"countries": [_("Give at least one country, or choose every country.")]})
    return cleaned


def _emit(kind: str, appointment: Appointment, actor: User, **extra: Any) -> None:
    from ..notifying import appointment_event_emit

    appointment_event_emit(kind, appointment, actor=actor, **extra)


def _details(appointment: Appointment) -> dict[str, Any]:
    return {
        "right_holder": appointment.right_holder_id,
        "representative": appointment.representative_id,
        "all_countries": appointment.all_countries,
        "countries": appointment.countries,
        "role": appointment.role,
    }


@transaction.atomic
def appointment_create(
    *,
    actor: User,
    representative: Any,
    all_countries: bool = False,
    countries: Any = None,
    role: Any = None,
    ip: str | None = None,
) -> Appointment:
    """A right holder's admin appoints `representative` (an organization id) for its own
    organization. 400 naming the field for a representative that is not an approved
    representative, a role other than editor or viewer, bad country codes, no country without
    `all_countries`, or a live appointment of the same pair; nothing is written then."""
    require(actor, APPOINT_REPRESENTATIVES)
    right_holder = actor.organization
    assert right_holder is not None  # the permission asks for a right holder's admin
    chosen_role = _role(role)
    all_countries = bool(all_countries)
    chosen_countries = _countries(all_countries, countries)
    firm = _representative(representative)
    taken = ValidationError(
        {
            "representative": [
                _("This representative already has an appointment from you, awaiting acceptance or active.")
            ]
        }
    )
    if Appointment.objects.live().filter(right_holder=right_holder, representative=firm).exists():
        raise taken
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                right_holder=right_holder,
                representative=firm,
                all_countries=all_countries,
                countries=chosen_countries,
                role=chosen_role,
                requested_by=actor,
            )
    except IntegrityError:  # the same pair appointed at the same moment: the unique constraint
        raise taken from None
    audit_log(
        actor=actor,
        action=AuditAction.APPOINTMENT_REQUESTED,
        target=appointment,
        ip=ip,
        organization=right_holder,
        details=_details(appointment),
    )
    _emit("appointment.requested", appointment, actor)
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("right_holder", "representative")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def appointment_accept(*, actor: User, appointment: Appointment, ip: str | None = None) -> Appointment:
    """The representative's admin accepts an appointment awaiting acceptance (400 on `status`
    otherwise): its members then act for the right holder as the appointment says."""
    if not may(actor, ACCEPT, appointment):
        raise PermissionDenied(_("Only the representative's admins accept an appointment."))
    appointment = _locked(appointment)
    if appointment.status != AppointmentStatus.REQUESTED:
        raise ValidationError({"status": [_("Only an appointment awaiting acceptance can be accepted.")]})
    appointment.status = AppointmentStatus.ACTIVE
    appointment.accepted_by, appointment.accepted_at = actor, timezone.now()
    appointment.save(update_fields=["status", "accepted_by", "accepted_at"])
    audit_log(
        actor=actor,
        action=AuditAction.APPOINTMENT_ACCEPTED,
        target=appointment,
        ip=ip,
        organization=appointment.representative,
        details=_details(appointment),
    )
    _emit("appointment.accepted", appointment, actor)
    return appointment


@transaction.atomic
def appointment_end(*, actor: User, appointment: Appointment, ip: str | None = None) -> Appointment:
    """Either side's admin ends an appointment: an active one ends (the representative's access
    with it), one awaiting acceptance is declined (by the representative) or withdrawn (by the
    right holder). An appointment already ended: 400 on `status`."""
    if not may(actor, END, appointment):
        raise PermissionDenied(_("Only the admins of the right holder or of the representative end an appointment."))
    appointment = _locked(appointment)
    if appointment.status == AppointmentStatus.ENDED:
        raise ValidationError({"status": [_("This appointment has already ended.")]})
    before = appointment.status
    appointment.status = AppointmentStatus.ENDED
    appointment.ended_by, appointment.ended_at = actor, timezone.now()
    appointment.save(update_fields=["status", "ended_by", "ended_at"])
    side = actor.organization
    audit_log(
        actor=actor,
        action=AuditAction.APPOINTMENT_DECLINED
        if before == AppointmentStatus.REQUESTED
        else AuditAction.APPOINTMENT_ENDED,
        target=appointment,
        ip=ip,
        organization=side,
        details={**_details(appointment), "before": before},
    )
    _emit("appointment.ended", appointment, actor, before=before, ended_by_organization=getattr(side, "pk", None))
    return appointment
