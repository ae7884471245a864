"""Registration: a new person with a new organization, or a request to join an existing one.

A new organization name that reads like another organization's is refused, and the refusal is
logged for platform admins (it may be a counterfeiter registering as the brand owner). A rejected
organization holds no name: somebody may register under it again, as a new organization.

Every registration sends the person a link proving their e-mail address; a new right holder may
give its trade mark registrations for the platform admin to check; every new organization is told
to the platform admins (`organization.registered`).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..lookalike import lookalike_organizations, name_skeleton
from ..models import (
    FOUNDER_ROLE,
    JOINER_ROLE,
    REGISTRABLE_KINDS,
    AuditAction,
    Membership,
    Organization,
    OrganizationKind,
    Status,
    User,
)
from ..notifying import organization_registered_emit
from .common import send_account_event
from .email_proof import email_proof_sent_at_registration

logger = logging.getLogger(__name__)

# The organizations a look-alike refusal names in the audit log, at most.
MAX_RESEMBLED = 10

# Trade mark registrations a new right holder may give (as brands.TrademarkRegistration has them).
MAX_TRADEMARKS = 20
TRADEMARK_OFFICE_LENGTH = 100
TRADEMARK_NUMBER_LENGTH = 50


def clean_trademarks(trademarks: Any, *, kind: str) -> list[dict[str, str]]:
    """The trade mark registrations given, as [{office, number}] with spaces tidied and each pair
    once (case aside); a ValidationError on `trademarks` naming the first wrong entry. Only a
    right holder gives them."""
    if not trademarks:
        return []
    if kind != OrganizationKind.RIGHT_HOLDER:
        raise ValidationError({"trademarks": [_("Only a right holder gives trade mark registrations.")]})
    if not isinstance(trademarks, list | tuple):
        raise ValidationError({"trademarks": [_("Give a list of {office, number}.")]})
    if len(trademarks) > MAX_TRADEMARKS:
        message = _("Give at most %(count)d trade mark registrations: the others can be added to brands later.")
        raise ValidationError({"trademarks": [message % {"count": MAX_TRADEMARKS}]})
    cleaned: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for position, entry in enumerate(trademarks, start=1):
        office = " ".join(str(entry.get("office") or "").split()) if isinstance(entry, dict) else ""
        number = " ".join(str(entry.get("number") or "").split()) if isinstance(entry, dict) else ""
        problem, limit = None, 0
        if not office or not number:
            problem = _("Registration %(position)d: give both the office and the number.")
        elif len(office) > TRADEMARK_OFFICE_LENGTH:
            problem = _("Registration %(position)d: the office's name is too long (at most %(limit)d characters).")
            limit = TRADEMARK_OFFICE_LENGTH
        elif len(number) > TRADEMARK_NUMBER_LENGTH:
            problem = _("Registration %(position)d: the number is too long (at most %(limit)d characters).")
            limit = TRADEMARK_NUMBER_LENGTH
        if problem is not None:
            raise ValidationError({"trademarks": [problem % {"position": position, "limit": limit}]})
        key = (office.casefold(), number.casefold())
        if key not in seen:
            seen.add(key)
            cleaned.append({"office": office, "number": number})
    return cleaned


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
    trademarks: Any = None,
    ip: str | None = None,
) -> User:
    """Create a pending user, and either a pending organization (a new name) or a pending request
    to join the existing organization of the same kind, name and country (not a rejected one). A
    new name that reads like another organization's (accounts.lookalike), of any kind or country,
    is refused on `organization_name`, saying nothing of that organization, and logged for
    platform admins. `trademarks` ([{office, number}], a right holder's) are kept on a new
    organization; a request to join ignores them, answering as a new organization would."""
    organization_name = " ".join(organization_name.split())
    cleaned_trademarks = clean_trademarks(trademarks, kind=organization_kind)
    try:
        return _register_account(
            email=email,
            password=password,
            full_name=full_name,
            organization_kind=organization_kind,
            organization_name=organization_name,
            country=country,
            language=language,
            trademarks=cleaned_trademarks,
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
    trademarks: list[dict[str, str]],
    ip: str | None,
) -> User:
    email = User.objects.normalize_email(email).strip().lower()
    if organization_kind not in REGISTRABLE_KINDS:
        raise ValidationError({"organization": [_("Choose a right holder or an enforcement agency.")]})
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
    # A rejected organization is no longer there to join: its name is free again.
    organization = (
        Organization.objects.select_for_update()
        .filter(kind=organization_kind, name__iexact=organization_name, country=country)
        .exclude(status=Status.REJECTED)
        .first()
    )
    joining = organization is not None
    if organization is not None and organization.status == Status.SUSPENDED:
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
                    kind=organization_kind, name=organization_name, country=country, trademarks=trademarks
                )
            user.save()
    except IntegrityError:
        # Another registration took the same e-mail or organization name a moment before.
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": [_("An account with this e-mail address already exists.")]}) from None
        raise ValidationError(
            {"organization": [_("This organization was registered a moment ago: send the form again to join it.")]}
        ) from None

    # Found above (joining) or created in the block just above.
    assert organization is not None
    kind = cast(OrganizationKind, organization.kind)
    if joining:
        Membership.objects.create(user=user, organization=organization, role=JOINER_ROLE[kind])
        entry = audit_log(
            actor=user, action=AuditAction.USER_JOIN_REQUESTED, target=user, ip=ip, organization=organization
        )
        send_account_event(entry)
    else:
        Membership.objects.create(user=user, organization=organization, role=FOUNDER_ROLE[kind], is_founder=True)
        audit_log(
            actor=user,
            action=AuditAction.ORGANIZATION_REGISTERED,
            target=organization,
            ip=ip,
            details={"trademarks": len(trademarks)} if trademarks else None,
        )
        organization_registered_emit(organization, actor=user)
    email_proof_sent_at_registration(user=user)
    return user


def _lock_name(key: str) -> None:
    """A transaction-scoped lock on one look-alike key (PostgreSQL advisory lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["organization-name:" + key])
