"""Account events on the notification pipeline: approved, rejected, suspended, reinstated (the
person concerned, or an organization's members) and join requests (the organization's
approvers). Their subject is the audit entry of the decision, so the e-mail carries its reason.

They are transactional: e-mailed whatever the person's e-mail preference, and to the person
concerned even without access (a rejected registration learns why).

`organization.registered` tells the platform admins that a new organization waits for them
(one event per new organization; a request to join an existing one is its approvers' business).
Its subject is the organization; it is an ordinary event, e-mailed as each admin prefers.

Appointments of representatives: `appointment.requested` tells the representative's admins,
`appointment.accepted` and `appointment.ended` both sides' admins; ordinary events (in-app, and
e-mail as each person prefers), never a webhook's.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.event_types import event_type
from core.scope import audience, system_selector

from .models import (
    APPROVER_ROLES,
    Appointment,
    AppointmentStatus,
    AuditAction,
    AuditEntry,
    Organization,
    OrganizationKind,
    Role,
    Status,
    User,
)

ACCOUNT_APPROVED = "account.approved"
ACCOUNT_REJECTED = "account.rejected"
ACCOUNT_SUSPENDED = "account.suspended"
ACCOUNT_REINSTATED = "account.reinstated"
MEMBER_JOIN_REQUESTED = "member.join_requested"
ORGANIZATION_REGISTERED = "organization.registered"

KIND_OF_ACTION = {
    AuditAction.ORGANIZATION_APPROVED: ACCOUNT_APPROVED,
    AuditAction.USER_APPROVED: ACCOUNT_APPROVED,
    AuditAction.ORGANIZATION_REJECTED: ACCOUNT_REJECTED,
    AuditAction.USER_REJECTED: ACCOUNT_REJECTED,
    AuditAction.ORGANIZATION_SUSPENDED: ACCOUNT_SUSPENDED,
    AuditAction.USER_SUSPENDED: ACCOUNT_SUSPENDED,
    AuditAction.ORGANIZATION_REINSTATED: ACCOUNT_REINSTATED,
    AuditAction.USER_REINSTATED: ACCOUNT_REINSTATED,
    AuditAction.USER_JOIN_REQUESTED: MEMBER_JOIN_REQUESTED,
}

# Subject and message of each e-mail; {organization} and {person} are filled in.
MESSAGES = {
    AuditAction.ORGANIZATION_APPROVED: (
        _("Your organization is approved"),
        _("{organization} is approved on IPM Portal. You can now sign in and use the portal."),
    ),
    AuditAction.ORGANIZATION_REJECTED: (
        _("Your registration was not accepted"),
        _("The registration of {organization} on IPM Portal was not accepted."),
    ),
    AuditAction.ORGANIZATION_SUSPENDED: (
        _("Your organization is suspended"),
        _("{organization} is suspended on IPM Portal: its members cannot use the portal for now."),
    ),
    AuditAction.ORGANIZATION_REINSTATED: (
        _("Your organization is reinstated"),
        _("{organization} is reinstated on IPM Portal: its members can sign in again."),
    ),
    AuditAction.USER_APPROVED: (
        _("Your account is approved"),
        _("Your account in {organization} is approved. You can now sign in and use the portal."),
    ),
    AuditAction.USER_REJECTED: (
        _("Your request was not accepted"),
        _("Your request to join {organization} on IPM Portal was not accepted."),
    ),
    AuditAction.USER_SUSPENDED: (
        _("Your account is suspended"),
        _("Your account in {organization} is suspended: you cannot use the portal for now."),
    ),
    AuditAction.USER_REINSTATED: (
        _("Your account is reinstated"),
        _("Your account in {organization} is reinstated: you can sign in again."),
    ),
    AuditAction.USER_JOIN_REQUESTED: (
        _("Someone asks to join your organization"),
        _("{person} asks to join {organization}. Approve or reject the request in the portal."),
    ),
}


def account_event_emit(entry: AuditEntry) -> None:
    """Tell the people concerned about a moderation decision or a join request (called in the
    service's transaction, right after the audit entry is written)."""
    from core.events import emit

    kind = KIND_OF_ACTION.get(entry.action)
    if kind is None:
        return
    organization = entry.organization
    emit(
        kind,
        subject=entry,
        actor=entry.actor,
        organization=organization if organization and organization.kind == OrganizationKind.RIGHT_HOLDER else None,
        data={"action": entry.action},
    )


def message_for(entry: AuditEntry) -> str:
    """The e-mail's message, in the active language."""
    _subject, message = MESSAGES[entry.action]
    return str(message).format(
        organization=entry.organization.name if entry.organization else "",
        person=entry.actor_email,
    )


def _entry(event) -> AuditEntry:
    return event.subject


@system_selector("account events reach the people concerned: those decided on, or the approvers of their organization")
def system_account_recipients(event) -> QuerySet:
    entry = _entry(event)
    organization = entry.organization
    if entry.action == AuditAction.USER_JOIN_REQUESTED:
        # The organization's approvers; a pending organization has none yet (platform admins
        # see the request in their queue).
        if organization is None or organization.status != Status.APPROVED:
            return User.objects.none()
        return User.objects.filter(
            membership__organization=organization,
            membership__role__in=APPROVER_ROLES,
            status=Status.APPROVED,
            is_active=True,
        )
    if entry.target_type == Organization._meta.label_lower:
        members = User.objects.filter(membership__organization_id=entry.target_id)
        if entry.action == AuditAction.ORGANIZATION_APPROVED:
            return members.filter(membership__is_founder=True)  # approved with it
        return members
    return User.objects.filter(pk=entry.target_id)


def _title(event) -> str:
    subject, _message = MESSAGES[_entry(event).action]
    return str(subject)


def _link(event) -> str:
    if _entry(event).action == AuditAction.USER_JOIN_REQUESTED:
        return "/accounts/members/"
    return "/"


for _kind in (ACCOUNT_APPROVED, ACCOUNT_REJECTED, ACCOUNT_SUSPENDED, ACCOUNT_REINSTATED, MEMBER_JOIN_REQUESTED):
    event_type(
        _kind,
        recipients=system_account_recipients,
        title=_title,
        link=_link,
        email_template="account_message",
        transactional=True,
    )


def organization_registered_emit(organization: Organization, *, actor: User) -> None:
    """Tell the platform admins a new organization waits for them (called in the registration's
    transaction). Not the organization's own event: no webhook of it hears this."""
    from core.events import emit

    emit(
        ORGANIZATION_REGISTERED,
        subject=organization,
        actor=actor,
        data={"kind": organization.kind, "country": str(organization.country)},
    )


@system_selector("a new organization is for the platform admins to vet: all of them are told")
def system_platform_admins(event) -> QuerySet:
    # The pipeline keeps those with access (an approved platform organization, or a superuser).
    return User.objects.filter(
        Q(is_superuser=True) | Q(membership__organization__kind=OrganizationKind.PLATFORM),
        status=Status.APPROVED,
        is_active=True,
    )


def _registered_title(event) -> str:
    organization = event.subject
    return gettext("New organization to vet: %(name)s (%(kind)s, %(country)s)") % {
        "name": organization.name,
        "kind": organization.get_kind_display(),
        "country": organization.country.name,
    }


def _registered_link(event) -> str:
    return reverse("accounts:organization_detail", args=[event.subject_id])


event_type(
    ORGANIZATION_REGISTERED,
    recipients=system_platform_admins,
    title=_registered_title,
    link=_registered_link,
    webhooks=False,
)


# --------------------------------------------------------------------------- appointments

APPOINTMENT_REQUESTED = "appointment.requested"
APPOINTMENT_ACCEPTED = "appointment.accepted"
APPOINTMENT_ENDED = "appointment.ended"


def appointment_event_emit(kind: str, appointment: Appointment, *, actor: User, **extra) -> None:
    """Tell the admins concerned about an appointment's step (called in the service's
    transaction). Not a right holder's webhook event: no organization on the event."""
    from core.events import emit

    emit(
        kind,
        subject=appointment,
        actor=actor,
        data={
            "appointment": appointment.pk,
            "right_holder": appointment.right_holder_id,
            "right_holder_name": appointment.right_holder.name,
            "representative": appointment.representative_id,
            "representative_name": appointment.representative.name,
            "all_countries": appointment.all_countries,
            "countries": appointment.countries,
            "role": appointment.role,
            "status": appointment.status,
            **extra,
        },
    )


@system_selector("an appointment's step is told to the admins of the organizations concerned (by audience)")
def system_appointment_recipients(event) -> QuerySet:
    appointment = Appointment.objects.filter(pk=event.data.get("appointment")).first()
    if appointment is None:
        return User.objects.none()
    sides = [appointment.representative_id]
    if event.kind != APPOINTMENT_REQUESTED:
        sides.append(appointment.right_holder_id)
    admins = User.objects.filter(membership__organization_id__in=sides, membership__role=Role.ADMIN)
    return audience(appointment, admins)


def _appointment_countries(data: dict) -> str:
    if data.get("all_countries"):
        return gettext("every country")
    return ", ".join(data.get("countries") or [])


def _appointment_title(event) -> str:
    data = event.data
    values = {
        "holder": data.get("right_holder_name", ""),
        "firm": data.get("representative_name", ""),
        "countries": _appointment_countries(data),
        "role": str(dict(Role.choices).get(data.get("role", ""), data.get("role", ""))).lower(),
    }
    if event.kind == APPOINTMENT_REQUESTED:
        template = gettext("%(holder)s appoints %(firm)s as its representative (%(countries)s, as %(role)s)")
    elif event.kind == APPOINTMENT_ACCEPTED:
        template = gettext("%(firm)s now represents %(holder)s (%(countries)s, as %(role)s)")
    elif data.get("before") == AppointmentStatus.REQUESTED:
        if data.get("ended_by_organization") == data.get("representative"):
            template = gettext("%(firm)s declined to represent %(holder)s")
        else:
            template = gettext("%(holder)s withdrew the appointment of %(firm)s")
    else:
        template = gettext("%(firm)s no longer represents %(holder)s")
    return template % values


def _appointment_link(event) -> str:
    return reverse("accounts:appointments")


for _kind in (APPOINTMENT_REQUESTED, APPOINTMENT_ACCEPTED, APPOINTMENT_ENDED):
    event_type(
        _kind,
        recipients=system_appointment_recipients,
        title=_appointment_title,
        link=_appointment_link,
        webhooks=False,
    )
