"""Platform admins' moderation of organizations: approve (with the founder), reject, suspend,
reinstate, and set an international body's jurisdiction."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import require
from core.validators import clean_countries

from ..audit import audit_log
from ..models import FOUNDER_ROLE, AuditAction, Membership, Organization, OrganizationKind, Status, User
from ..permissions import PLATFORM_MODERATION
from .common import check_transition, record_decision, require_reason


def _locked_organization(organization: Organization, allowed_from: tuple[str, ...]) -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    check_transition(
        organization, allowed_from, _("This action is not possible while the organization is %(status)s.")
    )
    return organization


def _name_taken_again(organization: Organization) -> bool:
    """Whether a rejected organization's name (same kind and country) was registered again."""
    return (
        Organization.objects.filter(
            kind=organization.kind, name__iexact=organization.name, country=organization.country
        )
        .exclude(status=Status.REJECTED)
        .exclude(pk=organization.pk)
        .exists()
    )


@transaction.atomic
def organization_approve(
    *, actor: User, organization: Organization, reason: str = "", ip: str | None = None
) -> Organization:
    """Approve an organization and, in the same transaction, its founding member, who becomes
    its admin (right holder) or coordinator (enforcement agency). An international body needs
    its jurisdiction first: approved without one, its officers would see nothing."""
    require(actor, PLATFORM_MODERATION)
    organization = _locked_organization(organization, (Status.PENDING, Status.REJECTED))
    if organization.is_international and not organization.jurisdiction_countries:
        raise ValidationError(
            {"jurisdiction": [_("Set the countries this international body covers before approving it.")]}
        )
    if organization.status == Status.REJECTED and _name_taken_again(organization):
        message = _("Another organization has registered under this name since it was rejected.")
        raise ValidationError({"name": [message]})
    # A founder rejected with their organization comes back with it; one rejected on their
    # own, while the organization was pending, stays rejected.
    founder_statuses = (
        (Status.PENDING, Status.REJECTED) if organization.status == Status.REJECTED else (Status.PENDING,)
    )
    record_decision(
        organization, Status.APPROVED, actor=actor, action=AuditAction.ORGANIZATION_APPROVED, reason=reason, ip=ip
    )
    founders = User.objects.select_for_update().filter(
        membership__organization=organization,
        membership__is_founder=True,
        status__in=founder_statuses,
    )
    for founder in founders:
        founder.status, founder.status_reason = Status.APPROVED, ""
        founder.save(update_fields=["status", "status_reason"])
        Membership.objects.filter(user=founder).update(role=FOUNDER_ROLE[cast(OrganizationKind, organization.kind)])
    return organization


@transaction.atomic
def organization_reject(
    *, actor: User, organization: Organization, reason: str, ip: str | None = None
) -> Organization:
    require(actor, PLATFORM_MODERATION)
    reason = require_reason(reason)
    organization = _locked_organization(organization, (Status.PENDING,))
    User.objects.filter(membership__organization=organization, status=Status.PENDING).update(
        status=Status.REJECTED, status_reason=reason
    )
    record_decision(
        organization, Status.REJECTED, actor=actor, action=AuditAction.ORGANIZATION_REJECTED, reason=reason, ip=ip
    )
    return organization


@transaction.atomic
def organization_suspend(
    *, actor: User, organization: Organization, reason: str, ip: str | None = None
) -> Organization:
    """Suspend an organization: every member loses access on their next request, sessions and
    API tokens included (each request checks the organization's status)."""
    require(actor, PLATFORM_MODERATION)
    reason = require_reason(reason)
    if organization.is_platform:
        raise ValidationError({"status": [_("The platform organization cannot be suspended.")]})
    organization = _locked_organization(organization, (Status.APPROVED,))
    record_decision(
        organization, Status.SUSPENDED, actor=actor, action=AuditAction.ORGANIZATION_SUSPENDED, reason=reason, ip=ip
    )
    return organization


@transaction.atomic
def organization_reinstate(
    *, actor: User, organization: Organization, reason: str = "", ip: str | None = None
) -> Organization:
    require(actor, PLATFORM_MODERATION)
    organization = _locked_organization(organization, (Status.SUSPENDED,))
    record_decision(
        organization, Status.APPROVED, actor=actor, action=AuditAction.ORGANIZATION_REINSTATED, reason=reason, ip=ip
    )
    return organization


@transaction.atomic
def organization_set_jurisdiction(
    *, actor: User, organization: Organization, countries: Any, ip: str | None = None
) -> Organization:
    """Set the countries an international body acts in (ISO 3166-1 alpha-2 codes, at least one,
    stored sorted and once each), before or after its approval. A national organization's
    jurisdiction is its country: refused on `jurisdiction`. Its officers' next request sees the
    new countries (the scope is computed per request, and caches of visibility key on it)."""
    require(actor, PLATFORM_MODERATION)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not organization.is_international:
        message = _(
            "Only an international body's countries can be set: a national organization acts in its own country."
        )
        raise ValidationError({"jurisdiction": [message]})
    jurisdiction = sorted(set(clean_countries({"jurisdiction": countries}, "jurisdiction")))
    if not jurisdiction:
        raise ValidationError({"jurisdiction": [_("Give at least one country.")]})
    previous = organization.jurisdiction_countries
    if jurisdiction == previous:
        return organization
    organization.jurisdiction = jurisdiction
    organization.save(update_fields=["jurisdiction"])
    audit_log(
        actor=actor,
        action=AuditAction.ORGANIZATION_JURISDICTION_CHANGED,
        target=organization,
        ip=ip,
        details={"before": previous, "after": jurisdiction},
    )
    return organization
