"""Who may do what in the accounts app: the one place its role checks are written.

The table (core/permissions.py) names each kind of check once; the pages and services ask
``require(user, PLATFORM_MODERATION)`` / ``allowed(...)``, templates ``{% allowed "..." as x %}``.
Which people a manager reaches is the scoping gate's (``User.objects.restrict(actor, "moderate")``).

The DRF permission classes below are the API's side of the same table: the default one
(``IsApprovedUser``, settings.REST_FRAMEWORK) and the moderation endpoints' ones ask it by name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from core.permissions import allowed, permission
from core.roles import Role

# Anyone with access (approved, active, of an approved organization): every endpoint but the
# public ones. The table never allows anyone without access, so the test itself asks nothing more.
ACCESS = permission("accounts.access", lambda scope: True, _("This account is not approved, or no longer is."))

# The platform's side of moderation: the queue, organizations, the audit log, other people's
# API tokens.
PLATFORM_MODERATION = permission(
    "accounts.moderate_platform",
    lambda scope: scope.is_platform,
    _("Only platform administrators can do this."),
)

# The people pages and endpoints: platform admins (everyone), an organization's admins and
# coordinators (their own members, as the gate's "moderate" rule says).
MEMBER_MANAGEMENT = permission(
    "accounts.manage_members",
    lambda scope: scope.is_platform or scope.approves,
    _("You cannot manage this person."),
)

# With REQUIRE_2FA on, platform admins, enforcement coordinators and representatives' admins (a firm
# acting for several right holders) must use two-factor; everyone else may go without it (and
# turn it off).
GO_WITHOUT_TWO_FACTOR = permission(
    "accounts.go_without_two_factor",
    lambda scope: (
        not (
            scope.is_platform
            or (scope.is_enforcement and scope.role == Role.COORDINATOR)
            or (scope.is_representative and scope.role == Role.ADMIN)
        )
    ),
    _("Your role requires two-factor: it cannot be turned off."),
)

# Appointments of representatives (DESIGN.md, "Representatives and applications for action"):
# a right holder's and a representative's members read theirs (which ones is the gate's); a right
# holder's admins appoint. Accepting and ending are the gate's `accept` and `end` rules.
APPOINTMENTS_READ = permission(
    "accounts.appointments",
    lambda scope: scope.is_owner or scope.is_representative,
    _("Only right holders and their representatives have appointments."),
)
APPOINT_REPRESENTATIVES = permission(
    "accounts.appoint_representatives",
    lambda scope: scope.administers,
    _("Only a right holder's admins appoint representatives."),
)


class IsApprovedUser(BasePermission):
    """Every endpoint but the public ones needs an approved person of an approved organization."""

    def has_permission(self, request, view) -> bool:
        return allowed(request.user, ACCESS)


class IsPlatformAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return allowed(request.user, PLATFORM_MODERATION)


class IsMemberManager(BasePermission):
    """Platform admins, and organization admins or coordinators for their own members."""

    def has_permission(self, request, view) -> bool:
        return allowed(request.user, MEMBER_MANAGEMENT)
