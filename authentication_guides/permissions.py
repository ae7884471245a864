"""What each kind of person may do with guides at all: the one place the guides' pages, API,
templates and services ask (core/permissions.py). Which guides, inspections and feedback they
reach is the scoping gate's (the querysets in models.py); writing a guide is the brand's
business (`brands.create`, and the guide's own "change" rule).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

# Inspect an item against a guide and report on a guide (outdated, a new fake): enforcement
# officers. Their readings are the ones the usage figures count.
GUIDE_INSPECT = permission(
    "guides.inspect",
    lambda scope: scope.is_enforcement,
    _("Inspections and feedback come from enforcement officers."),
)

# Read the feedback on guides: the officers who sent it, the brand owners it is about, platform
# admins (the rows are the gate's).
GUIDE_FEEDBACK = permission(
    "guides.feedback",
    lambda scope: scope.is_enforcement or scope.is_owner or scope.is_platform,
    _("Only officers, brand owners and platform administrators read feedback on guides."),
)

# Have guides of one's own, in every status: a right holder's members, whatever their role.
GUIDE_OWN = permission(
    "guides.own",
    lambda scope: scope.is_owner,
    _("Only a right holder's members have guides of their own."),
)

# See how often officers read the guides (counts only, never who): brand owners, platform admins.
GUIDE_USAGE = permission(
    "guides.usage",
    lambda scope: scope.is_owner or scope.is_platform,
    _("Only brand owners see how their guides are used."),
)

# Moderation: unpublish a guide with a reason, and publish it again after that.
GUIDE_MODERATE = permission(
    "guides.moderate",
    lambda scope: scope.is_platform,
    _("Only platform administrators unpublish guides."),
)
