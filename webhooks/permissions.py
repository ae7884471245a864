"""Who may manage webhooks at all: the one place the webhooks pages, API and services ask
(core/permissions.py). Which endpoints they reach (their own organization's) is the scoping
gate's (WebhookEndpoint.objects.restrict)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

# A right holder's admins register, change, test and delete their organization's endpoints.
WEBHOOKS_MANAGE = permission(
    "webhooks.manage",
    lambda scope: scope.administers,
    _("Only a right holder's admins manage its webhooks."),
)
