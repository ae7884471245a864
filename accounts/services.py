"""Writes on accounts and organizations: registration and moderation.

Every function takes the acting user, checks what it may do, writes, logs the action to the
audit log and sends follow-up work after commit. Views, the API and the Django admin call these;
they never change statuses themselves.
"""

from __future__ import annotations

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .audit import audit_log
from .lookalike import lookalike_organizations, name_skeleton
from .models import (
    APPROVER_ROLES,
    FOUNDER_ROLE,
    JOINER_ROLE,
    REGISTRABLE_KINDS,
    ROLES_BY_KIND,
    AuditAction,
    AuditEntry,
    Membership,
    Organization,
    Status,
    User,
)

logger = logging.getLogger(__name__)


def _send_account_email_after_commit(entry: AuditEntry) -> None:
    """Emit the account event of this audit entry (notifications pipeline: in-app and e-mail,
    dispatched once the transaction commits)."""
    from .notifying import account_event_emit

    account_event_emit(entry)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: the person concerned is told it.")})
    return reason


# --------------------------------------------------------------------------- registration

# The organizations a look-alike refusal names in the audit log, at most.
MAX_RESEMBLED = 10


class _LookAlikeName(Exception):
    """Raised inside the registration's transaction, handled after its rollback (so the log stays)."""

    def __init__(self, resembled: list[Organization]) -> None:
        super().__init__()
        self.resembled = resembled


def register_account(
    *,
    email: str,
    password: str,
    full_name: str,
    organization_kind: str,
    organization_name: str,
    country: str,
    language: str = "en",
    ip: str | None = None,
) -> User:
    """Create a pending user, and either a pending organization (a new name) or a pending request
    to join the existing organization of the same kind, name and country. A new name that reads
    like another organization's (accounts.lookalike), of any kind or country, is refused on
    `organization_name`, saying nothing of that organization, and logged for platform admins."""
    organization_name = " ".join(organization_name.split())
    try:
        return _register_account(
            email=email,
            password=password,
            full_name=full_name,
            organization_kind=organization_kind,
            organization_name=organization_name,
            country=country,
            language=language,
            ip=ip,
        )
    except _LookAlikeName as refused:
        _log_lookalike_refused(
            refused.resembled,
            email=email,
            name=organization_name,
            kind=organization_kind,
            country=country,
            ip=ip,
        )
        message = _(
            "This name reads like the name of an organization already on the portal. To join your "
            "organization, give its exact name, kind and country; otherwise contact the platform administrators."
        )
        raise ValidationError({"organization_name": [message]}) from None


def _log_lookalike_refused(
    resembled: list[Organization], *, email: str, name: str, kind: str, country: str, ip: str | None
) -> None:
    """For platform admins, as a refused GTIN claim is: it may be a counterfeiter registering
    as the brand owner. Written after the registration's rollback, so it stays."""
    first = resembled[0]
    audit_log(
        actor=None,
        action=AuditAction.ORGANIZATION_LOOKALIKE_REFUSED,
        target=first,
        organization=first,
        ip=ip,
        details={
            "name": name,
            "kind": kind,
            "country": str(country),
            "email": email.strip().lower()[:254],
            "resembles": [organization.pk for organization in resembled],
        },
    )
    logger.warning(
        "Registration refused: organization name %r (%s, %s) reads like organization %s; e-mail %r, address %s.",
        name,
        kind,
        country,
        ", ".join(str(organization.pk) for organization in resembled),
        email,
        ip or "-",
    )


@transaction.atomic
def _register_account(
    *,
    email: str,
    password: str,
    full_name: str,
    organization_kind: str,
    organization_name: str,
    country: str,
    language: str,
    ip: str | None,
) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    if organization_kind not in REGISTRABLE_KINDS:
        raise ValidationError({"organization": [_("Choose a right holder or a customs administration.")]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account with this e-mail address already exists.")]})
    user = User(email=email, full_name=full_name.strip(), language=language)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)

    # Two registrations of look-alike names at the same moment: the second waits for the first
    # to commit, then sees it.
    _lock_name(name_skeleton(organization_name))
    organization = (
        Organization.objects.select_for_update()
        .filter(kind=organization_kind, name__iexact=organization_name, country=country)
        .first()
    )
    joining = organization is not None
    if joining and organization.status in (Status.REJECTED, Status.SUSPENDED):
        raise ValidationError(
            {"organization": [_("This organization does not accept new members. Contact the platform.")]}
        )
    if not joining:
        resembled = list(lookalike_organizations(name=organization_name)[:MAX_RESEMBLED])
        if resembled:
            raise _LookAlikeName(resembled)
    try:
        with transaction.atomic():
            if not joining:
                organization = Organization.objects.create(
                    kind=organization_kind, name=organization_name, country=country
                )
            user.save()
    except IntegrityError:
        # Another registration took the same e-mail or organization name a moment before.
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": [_("An account with this e-mail address already exists.")]}) from None
        raise ValidationError(
            {"organization": [_("This organization was registered a moment ago: send the form again to join it.")]}
        ) from None

    if joining:
        Membership.objects.create(user=user, organization=organization, role=JOINER_ROLE[organization.kind])
        entry = audit_log(
            actor=user, action=AuditAction.USER_JOIN_REQUESTED, target=user, ip=ip, organization=organization
        )
        _send_account_email_after_commit(entry)
    else:
        Membership.objects.create(
            user=user, organization=organization, role=FOUNDER_ROLE[organization.kind], is_founder=True
        )
        audit_log(actor=user, action=AuditAction.ORGANIZATION_REGISTERED, target=organization, ip=ip)
    return user


def _lock_name(key: str) -> None:
    """A transaction-scoped lock on one look-alike key (PostgreSQL advisory lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["organization-name:" + key])


# --------------------------------------------------------------------------- organizations


def _require_platform_admin(actor: User) -> None:
    if not actor.is_platform_admin:
        raise PermissionDenied(_("Only platform administrators can do this."))


def _check_transition(current: Organization | User, allowed_from: tuple[str, ...], message: str) -> None:
    """Refuse a moderation step that does not apply to the current status (400 on `status`)."""
    if current.status not in allowed_from:
        raise ValidationError({"status": [message % {"status": current.get_status_display().lower()}]})


def _locked_organization(organization: Organization, allowed_from: tuple[str, ...]) -> Organization:
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_transition(
        organization, allowed_from, _("This action is not possible while the organization is %(status)s.")
    )
    return organization


@transaction.atomic
def organization_approve(
    *, actor: User, organization: Organization, reason: str = "", ip: str | None = None
) -> Organization:
    """Approve an organization and, in the same transaction, its founding member, who becomes
    its admin (right holder) or coordinator (customs)."""
    _require_platform_admin(actor)
    organization = _locked_organization(organization, (Status.PENDING, Status.REJECTED))
    # A founder rejected with their organization comes back with it; one rejected on their
    # own, while the organization was pending, stays rejected.
    founder_statuses = (
        (Status.PENDING, Status.REJECTED) if organization.status == Status.REJECTED else (Status.PENDING,)
    )
    organization.status, organization.status_reason = Status.APPROVED, reason.strip()
    organization.save(update_fields=["status", "status_reason"])
    entry = audit_log(actor=actor, action=AuditAction.ORGANIZATION_APPROVED, target=organization, reason=reason, ip=ip)
    founders = User.objects.select_for_update().filter(
        membership__organization=organization,
        membership__is_founder=True,
        status__in=founder_statuses,
    )
    for founder in founders:
        founder.status, founder.status_reason = Status.APPROVED, ""
        founder.save(update_fields=["status", "status_reason"])
        Membership.objects.filter(user=founder).update(role=FOUNDER_ROLE[organization.kind])
    _send_account_email_after_commit(entry)
    return organization


@transaction.atomic
def organization_reject(
    *, actor: User, organization: Organization, reason: str, ip: str | None = None
) -> Organization:
    _require_platform_admin(actor)
    reason = _require_reason(reason)
    organization = _locked_organization(organization, (Status.PENDING,))
    organization.status, organization.status_reason = Status.REJECTED, reason
    organization.save(update_fields=["status", "status_reason"])
    User.objects.filter(membership__organization=organization, status=Status.PENDING).update(
        status=Status.REJECTED, status_reason=reason
    )
    entry = audit_log(actor=actor, action=AuditAction.ORGANIZATION_REJECTED, target=organization, reason=reason, ip=ip)
    _send_account_email_after_commit(entry)
    return organization


@transaction.atomic
def organization_suspend(
    *, actor: User, organization: Organization, reason: str, ip: str | None = None
) -> Organization:
    """Suspend an organization: every member loses access on their next request, sessions and
    API tokens included (each request checks the organization's status)."""
    _require_platform_admin(actor)
    reason = _require_reason(reason)
    if organization.is_platform:
        raise ValidationError({"status": [_("The platform organization cannot be suspended.")]})
    organization = _locked_organization(organization, (Status.APPROVED,))
    organization.status, organization.status_reason = Status.SUSPENDED, reason
    organization.save(update_fields=["status", "status_reason"])
    entry = audit_log(
        actor=actor, action=AuditAction.ORGANIZATION_SUSPENDED, target=organization, reason=reason, ip=ip
    )
    _send_account_email_after_commit(entry)
    return organization


@transaction.atomic
def organization_reinstate(
    *, actor: User, organization: Organization, reason: str = "", ip: str | None = None
) -> Organization:
    _require_platform_admin(actor)
    organization = _locked_organization(organization, (Status.SUSPENDED,))
    organization.status, organization.status_reason = Status.APPROVED, reason.strip()
    organization.save(update_fields=["status", "status_reason"])
    entry = audit_log(
        actor=actor, action=AuditAction.ORGANIZATION_REINSTATED, target=organization, reason=reason, ip=ip
    )
    _send_account_email_after_commit(entry)
    return organization


# --------------------------------------------------------------------------- people


def _locked_member(actor: User, user: User, allowed_from: tuple[str, ...]) -> User:
    """The user, locked, after checking that `actor` may moderate them. Someone outside the
    actor's reach was already answered 404 by the caller's scoped query; this is the backstop."""
    if not User.objects.moderatable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You cannot manage this person."))
    if user.pk == actor.pk:
        raise ValidationError({"user": [_("You cannot do this to your own account.")]})
    # The organization first, then the person: changes to one organization's members run one
    # after the other, so the "last administrator" check cannot be raced and two admins acting
    # on each other queue instead of deadlocking.
    list(Organization.objects.select_for_update().filter(memberships__user=user).values_list("pk", flat=True))
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_transition(user, allowed_from, _("This action is not possible while the account is %(status)s."))
    return user


PLATFORM_DECISIONS = (AuditAction.USER_SUSPENDED, AuditAction.USER_REJECTED)


def _refuse_undoing_a_platform_decision(actor: User, user: User) -> None:
    """An organization's admin or coordinator cannot lift a suspension or a rejection that a
    platform administrator decided; only a platform administrator can."""
    if actor.is_platform_admin:
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
    if role not in ROLES_BY_KIND[organization.kind]:
        allowed = ", ".join(str(r) for r in ROLES_BY_KIND[organization.kind])
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
    user.status, user.status_reason = Status.APPROVED, reason.strip()
    user.save(update_fields=["status", "status_reason"])
    entry = audit_log(
        actor=actor,
        action=AuditAction.USER_APPROVED,
        target=user,
        reason=reason,
        ip=ip,
        details={"role": membership.role},
    )
    _send_account_email_after_commit(entry)
    return user


@transaction.atomic
def user_reject(*, actor: User, user: User, reason: str, ip: str | None = None) -> User:
    reason = _require_reason(reason)
    user = _locked_member(actor, user, (Status.PENDING,))
    user.status, user.status_reason = Status.REJECTED, reason
    user.save(update_fields=["status", "status_reason"])
    entry = audit_log(actor=actor, action=AuditAction.USER_REJECTED, target=user, reason=reason, ip=ip)
    _send_account_email_after_commit(entry)
    return user


@transaction.atomic
def user_suspend(*, actor: User, user: User, reason: str, ip: str | None = None) -> User:
    """Suspend a person: their sessions and API tokens stop working on the next request."""
    reason = _require_reason(reason)
    user = _locked_member(actor, user, (Status.APPROVED,))
    _ensure_an_approver_remains(user)
    user.status, user.status_reason = Status.SUSPENDED, reason
    user.save(update_fields=["status", "status_reason"])
    entry = audit_log(actor=actor, action=AuditAction.USER_SUSPENDED, target=user, reason=reason, ip=ip)
    _send_account_email_after_commit(entry)
    return user


@transaction.atomic
def user_reinstate(*, actor: User, user: User, reason: str = "", ip: str | None = None) -> User:
    user = _locked_member(actor, user, (Status.SUSPENDED,))
    _refuse_undoing_a_platform_decision(actor, user)
    user.status, user.status_reason = Status.APPROVED, reason.strip()
    user.save(update_fields=["status", "status_reason"])
    entry = audit_log(actor=actor, action=AuditAction.USER_REINSTATED, target=user, reason=reason, ip=ip)
    _send_account_email_after_commit(entry)
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


def user_update_profile(*, user: User, full_name: str | None = None, language: str | None = None) -> User:
    """A person changes their own name or language; only what changed is written."""
    changed = []
    if full_name is not None and full_name.strip() != user.full_name:
        user.full_name = full_name.strip()
        changed.append("full_name")
    if language is not None and language != user.language:
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    return user


def api_tokens_purge_expired() -> int:
    """Delete API tokens past their expiry; answers how many went. They no longer worked: this is
    housekeeping, not a revocation, so nothing is written to the audit log."""
    from django.utils import timezone

    from .models import ApiToken

    deleted, _by_model = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
