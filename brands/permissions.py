"""What a person may do in the catalogue at all: the one place the catalogue's pages, API,
templates and services ask (core/permissions.py). Which brands, products and pictures they reach,
and which of those they may change, is the scoping gate's (brands/models.py, core.gate.may).

Pages: ``require(request.user, BRAND_CREATE)``; templates: ``{% allowed "brands.export" as x %}``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

# A right holder's admins and editors add brands to their organization's catalogue (the guides
# pages ask the same, as "brands.create").
BRAND_CREATE = permission(
    "brands.create",
    lambda scope: scope.writes,
    _("Only a right holder's admins and editors can create brands."),
)

# The CSV export is a right holder's copy of its own catalogue (every member, viewers included),
# not a way around the API's throttle for reading everyone's.
CATALOGUE_EXPORT = permission(
    "brands.export",
    lambda scope: scope.is_owner,
    _("Only right holders export their catalogue."),
)

# Officers keep a list of the products they opened last, for their home page.
RECENTLY_VIEWED = permission(
    "brands.recently_viewed",
    lambda scope: scope.is_enforcement,
    _("Only enforcement officers keep a list of the products they opened."),
)
