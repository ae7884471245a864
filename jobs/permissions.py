"""Who may start background jobs: the one place the jobs app asks (core/permissions.py). Which
jobs a person then sees (their own, their organization's) is the scoping gate's
(Job.objects.restrict); the app that starts a job checks first that the person may do that kind
of work (a product import: may edit the brand)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

# Anyone with access starts jobs for their own organization.
JOB_START = permission("jobs.start", lambda scope: True, _("Your account cannot start jobs."))

# Platform admins start them for any organization.
JOB_START_FOR_ANY_ORGANIZATION = permission(
    "jobs.start_for_any_organization",
    lambda scope: scope.is_platform,
    _("You can only start jobs for your own organization."),
)
