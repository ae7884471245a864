from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from core.permissions import allowed
from core.scope import NO_SCOPE, scope_of

from .models import Organization
from .permissions import APPOINTMENTS_READ, MEMBER_MANAGEMENT, PLATFORM_MODERATION


def agency_description(organization: Organization) -> str:
    """The agency an officer serves, as the pages name it: "Police nationale (Police, FR)"; an
    international body with the countries it covers ("… (International body: DE, ES, FR)")."""
    kind = organization.get_kind_display()
    if organization.is_international:
        countries = ", ".join(organization.jurisdiction_countries) or "—"
        return _("%(name)s (%(kind)s: %(countries)s)") % {
            "name": organization.name,
            "kind": kind,
            "countries": countries,
        }
    return _("%(name)s (%(kind)s, %(country)s)") % {
        "name": organization.name,
        "kind": kind,
        "country": ", ".join(organization.jurisdiction_countries),
    }


def navigation(request) -> dict:
    """What the navigation shows: nothing of the portal before access (and two-factor, when it
    is due); then the person's reach (the scope) and what the role table lets them manage."""
    user = getattr(request, "user", None)
    from .middleware import needs_second_factor

    scope = scope_of(user)
    active = not scope.is_nobody and not needs_second_factor(request)
    if not active:
        scope = NO_SCOPE
    moderates_platform = allowed(scope, PLATFORM_MODERATION)
    return {
        "nav_user_active": active,
        "nav_is_platform_admin": moderates_platform,
        "nav_is_org_approver": not moderates_platform and allowed(scope, MEMBER_MANAGEMENT),
        "nav_is_enforcement": scope.is_enforcement,
        # Which agency an officer or coordinator serves (their home and account pages say it).
        "nav_agency": agency_description(user.organization) if scope.is_enforcement and user.organization else "",
        "nav_is_right_holder": scope.is_owner,
        # The appointments page of the person's side: a right holder's representatives, a
        # representative's clients ("" for anyone else).
        "nav_appointments": (
            ("clients" if scope.is_representative else "representatives") if allowed(scope, APPOINTMENTS_READ) else ""
        ),
        "demo_mode": settings.DEBUG,
    }
