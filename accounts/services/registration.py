"""Registration: a new person with a new organization, or a request to join an existing one.

A new organization name that reads like another organization's is refused, and the refusal is
logged for platform admins (it may be a counterfeiter registering as the brand owner).
"""

from __future__ import annotations

import logging
from typing import cast

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
from .common import send_account_event

logger = logging.getLogger(__name__)

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
    organization = (
        Organization.objects.select_for_update()
        .filter(kind=organization_kind, name__iexact=organization_name, country=country)
        .first()
    )
    joining = organization is not None
    if organization is not None and organization.status in (Status.REJECTED, Status.SUSPENDED):
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
        audit_log(actor=user, action=AuditAction.ORGANIZATION_REGISTERED, target=organization, ip=ip)
    return user


def _lock_name(key: str) -> None:
    """A transaction-scoped lock on one look-alike key (PostgreSQL advisory lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["organization-name:" + key])
