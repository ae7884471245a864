"""Who may do what with alerts and cases at all: the one place these role checks are written.

Pages, the API, templates (``{% allowed "alerts.draft" as can_draft %}``) and the services ask
these by name (core/permissions.py). Which alert or case a person reaches, and whether they may
change, answer or handle that one, is the scoping gate's (``Alert.objects.restrict``,
``core.gate.object_or_404`` / ``may``), never a test here. The table is registered on start-up
(``AlertsConfig.ready``); anyone without access (anonymous, pending, suspended) is never allowed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission
from core.roles import Role
from core.scope import Scope


def _takes_part(scope: Scope) -> bool:
    """The three sides of the exchange: brand owners, enforcement officers, the platform."""
    return scope.is_platform or scope.is_owner or scope.is_enforcement


# --------------------------------------------------------------------------- alerts

ALERTS_READ = permission(
    "alerts.read",
    _takes_part,
    _("Alerts are for right holders, enforcement officers and the platform's administrators."),
)
ALERT_DRAFT = permission(
    "alerts.draft",
    lambda scope: scope.writes,
    _("Only a right holder's admins and editors can draft alerts."),
)
# The sending side: alerts in every status (the status filter) and acknowledgements per country.
ALERTS_TRACK = permission(
    "alerts.track",
    lambda scope: scope.is_platform or scope.is_owner,
    _("Only the brand owners and the platform follow alerts in every status and their acknowledgements."),
)
# The receiving side: officers acknowledge the alerts sent to their administration (and see
# whether they did).
ALERT_ACKNOWLEDGE = permission(
    "alerts.acknowledge",
    lambda scope: scope.is_enforcement,
    _("Only enforcement officers acknowledge alerts."),
)

# --------------------------------------------------------------------------- cases

CASES_READ = permission(
    "cases.read",
    _takes_part,
    _("Cases are for right holders, enforcement officers and the platform's administrators."),
)
CASE_OPEN = permission(
    "cases.open",
    lambda scope: scope.is_enforcement,
    _("Only enforcement officers open cases."),
)

# --------------------------------------------------------------------------- coordination


def _enforcement_coordinator(scope: Scope) -> bool:
    return scope.is_enforcement and scope.role == Role.COORDINATOR


# A coordinator tells the portal the two organizations of a deconfliction hit are in contact.
DECONFLICTION_CONTACT = permission(
    "deconfliction.contact",
    _enforcement_coordinator,
    _("Only a coordinator of the organization marks a hit “in contact”."),
)
# Only participants see an operation, and the right holders whose brands it tagged (their own
# brands' results): not the platform (DESIGN.md).
OPERATIONS_READ = permission(
    "operations.read",
    lambda scope: scope.is_owner or scope.is_enforcement,
    _("Joint operations are for enforcement organizations and the right holders whose brands they concern."),
)
# Create an operation; edit, invite and close the ones the organization leads; accept or decline
# an invitation (which operation: the gate's).
OPERATION_COORDINATE = permission(
    "operations.coordinate",
    _enforcement_coordinator,
    _("Only an enforcement organization's coordinators create, manage and answer joint operations."),
)
