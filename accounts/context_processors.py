from __future__ import annotations

from django.conf import settings


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    from .middleware import needs_second_factor

    active = bool(user and user.is_authenticated and user.has_access) and not needs_second_factor(request)
    return {
        "nav_user_active": active,
        "nav_is_platform_admin": active and user.is_platform_admin,
        "nav_is_org_approver": active and user.is_org_approver,
        "nav_is_enforcement": active and user.is_enforcement,
        "nav_is_right_holder": active and user.is_right_holder,
        "demo_mode": settings.DEBUG,
    }
