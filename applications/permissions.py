"""Who may do what with applications for action at all (core/permissions.py): file one. Which
application a person reads, and whether they may change or decide that one, is the scoping gate's
(`Application.objects.restrict`, applications/models.py): reading needs no entry here, so that
someone the gate shows nothing (police, another country's customs) gets an empty list and a 404,
never a hint that an application exists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

APPLICATION_FILE = permission(
    "applications.file",
    lambda scope: scope.writes,
    _("Only a right holder's admins and editors file applications for action."),
)
