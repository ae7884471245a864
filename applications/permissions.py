"""Who may do what with applications for action at all (core/permissions.py): file one. Which
application a person reads, and whether they may change or decide that one, is the scoping gate's
(`Application.objects.restrict`, applications/models.py): reading needs no entry here, so that
someone the gate shows nothing (police, another country's customs) gets an empty list and a 404,
never a hint that an application exists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission
from core.scope import Scope

from .models import DECIDING_KINDS


def _takes_part(scope: Scope) -> bool:
    """The holders, the customs administrations applications are addressed to, the platform."""
    return scope.is_platform or scope.is_owner or (scope.is_enforcement and scope.kind in DECIDING_KINDS)


# The menu's "Applications" link. Not asked by the pages or the API: they answer someone else an
# empty list and 404, as the gate decides.
APPLICATIONS_MENU = permission(
    "applications.menu",
    _takes_part,
    _("Applications for action are for right holders, customs administrations and the platform's administrators."),
)

APPLICATION_FILE = permission(
    "applications.file",
    lambda scope: scope.writes,
    _("Only a right holder's admins and editors file applications for action."),
)
