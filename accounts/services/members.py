"""Moderation of people, by platform admins and by an organization's admins or coordinators for
their own members: approve, reject, suspend, reinstate, change a role, remove. An organization
always keeps an approved admin or coordinator, and a platform admin's decision is undone only by
a platform admin."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.gate import may
from core.permissions import allowed

from ..audit import audit_log
from ..models import (
    APPROVER_ROLES,
    ROLES_BY_KIND,
    AuditAction,
    AuditEntry,
    Membership,
    Organization,
    OrganizationKind,
    Status,
    User,
)
from ..permissions import PLATFORM_MODERATION
from .common import check_transition, record_decision, require_reason


def _locked_member(actor: User, user: User, allowed_from: tuple[str, ...]) -> User:
    """The user, locked, after checking that `actor` may moderate them. Someone outside the
    actor's reach was already answered 404 by the caller's scoped query; this is the backstop."""
    if not may(actor, "moderate", user):
        raise PermissionDenied(_("You cannot manage this person."))
    if user.pk == actor.pk:
        raise ValidationError({"user": [_("You cannot do this to your own account.")]})
    # The organization first, then the person: changes to one organization's members run one
    # after the other, so the "last administrator" check cannot be raced and two admins acting
    # on each other queue instead of deadlocking.
    list(Organization.objects.select_for_update().filter(memberships__user=user).values_list("pk", flat=True))
    user = User.objects.select_for_update().get(pk=user.pk)
    check_transition(user, allowed_from, _("This action is not possible while the account is %(status)s."))
    return user


PLATFORM_DECISIONS = (AuditAction.USER_SUSPENDED, AuditAction.USER_REJECTED)


def _refuse_undoing_a_platform_decision(actor: User, user: User) -> None:
    """An organization's admin or coordinator cannot lift a suspension or a rejection that a
    platform administrator decided; only a platform administrator can."""
    if allowed(actor, PLATFORM_MODERATION):
        return
    last = (
        AuditEntry.objects.filter(
            target_type=User._meta.label_lower, target_id=str(user.pk), action__in=PLATFORM_DECISIONS
        )
        .select_related("actor__membership__organization")
        .order_by("-created", "-id")
        .first()
    )
    decider = last.actor if last is not None else None
    if decider is not None and (
        decider.is_superuser or bool(decider.organization and decider.organization.is_platform)
    ):
        raise PermissionDenied(
            _("A platform administrator made this decision: only a platform administrator can undo it.")
        )


def _check_role(organization: Organization, role: str) -> None:
    # The kind read from the database is the plain string, equal to (and hashed as) its member.
    roles = ROLES_BY_KIND[cast(OrganizationKind, organization.kind)]
    if role not in roles:
        allowed = ", ".join(str(r) for r in roles)
        raise ValidationError({"role": [_("Choose one of: %(roles)s.") % {"roles": allowed}]})


def _ensure_an_approver_remains(user: User, *, new_role: str | None = None) -> None:
    """An organization keeps at least one approved admin or coordinator, or nobody could
    approve its members any more."""
    membership = user.membership_or_none
    if membership is None or membership.role not in APPROVER_ROLES or membership.organization.is_platform:
        return
    if new_role in APPROVER_ROLES:
        return
    others = Membership.objects.filter(
        organization_id=membership.organization_id, role__in=APPROVER_ROLES, user__status=Status.APPROVED
    ).exclude(user=user)
    if not others.exists():
        raise ValidationError(
            {"role": [_("This is the organization's last administrator: appoint another one first.")]}
        )


@transaction.atomic
def user_approve(*, actor: User, user: User, role: str | None = None, reason: str = "", ip: str | None = None) -> User:
    """Approve a person who asked to join; they start with the joiner's role unless the approver
    chooses another."""
    user = _locked_member(actor, user, (Status.PENDING, Status.REJECTED))
    if user.status == Status.REJECTED:
        _refuse_undoing_a_platform_decision(actor, user)
    membership = user.membership_or_none
    if membership is None:
        raise ValidationError({"user": [_("This person belongs to no organization.")]})
    if membership.organization.status != Status.APPROVED:
        raise ValidationError({"user": [_("Approve the person's organization first.")]})
    if role:
        _check_role(membership.organization, role)
        membership.role = role
        membership.save(update_fields=["role"])
    record_decision(
        user,
        Status.APPROVED,
        actor=actor,
        action=AuditAction.USER_APPROVED,
        reason=reason,
        ip=ip,
        details={"role": membership.role},
    )
    return user


@transaction.atomic
def user_reject(*, actor: User, user: User, reason: str, ip: str | None = None) -> User:
    reason = require_reason(reason)
    user = _locked_member(actor, user, (Status.PENDING,))
    record_decision(user, Status.REJECTED, actor=actor, action=AuditAction.USER_REJECTED, reason=reason, ip=ip)
    return user


@transaction.atomic
def user_suspend(*, actor: User, user: User, reason: str, ip: str | None = None) -> User:
    """Suspend a person: their sessions and API tokens stop working on the next request."""
    reason = require_reason(reason)
    user = _locked_member(actor, user, (Status.APPROVED,))
    _ensure_an_approver_remains(user)
    record_decision(user, Status.SUSPENDED, actor=actor, action=AuditAction.USER_SUSPENDED, reason=reason, ip=ip)
    return user


@transaction.atomic
def user_reinstate(*, actor: User, user: User, reason: str = "", ip: str | None = None) -> User:
    user = _locked_member(actor, user, (Status.SUSPENDED,))
    _refuse_undoing_a_platform_decision(actor, user)
    record_decision(user, Status.APPROVED, actor=actor, action=AuditAction.USER_REINSTATED, reason=reason, ip=ip)
    return user


@transaction.atomic
def member_set_role(*, actor: User, user: User, role: str, reason: str = "", ip: str | None = None) -> User:
    user = _locked_member(actor, user, tuple(Status.values))
    membership = user.membership_or_none
    if membership is None:
        raise ValidationError({"user": [_("This person belongs to no organization.")]})
    _check_role(membership.organization, role)
    if membership.role == role:
        return user
    if user.status == Status.APPROVED:
        _ensure_an_approver_remains(user, new_role=role)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(
        actor=actor,
        action=AuditAction.MEMBER_ROLE_CHANGED,
        target=user,
        reason=reason,
        ip=ip,
        organization=membership.organization,
        details={"from": previous, "to": role},
    )
    return user


@transaction.atomic
def member_remove(*, actor: User, user: User, reason: str = "", ip: str | None = None) -> User:
    """Take a person out of their organization: they lose access at once and cannot sign in."""
    user = _locked_member(actor, user, tuple(Status.values))
    membership = user.membership_or_none
    if membership is None:
        raise ValidationError({"user": [_("This person belongs to no organization.")]})
    if user.status == Status.APPROVED:
        _ensure_an_approver_remains(user)
    organization = membership.organization
    membership.delete()
    user.status, user.status_reason = Status.REJECTED, reason.strip() or _("Removed from the organization.")
    user.save(update_fields=["status", "status_reason"])
    audit_log(
        actor=actor, action=AuditAction.MEMBER_REMOVED, target=user, reason=reason, ip=ip, organization=organization
    )
    return user
