from __future__ import annotations

from rest_framework.permissions import BasePermission


class IsApprovedUser(BasePermission):
    """Every endpoint but the public ones needs an approved person of an approved organization."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_access)


class IsPlatformAdmin(IsApprovedUser):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_platform_admin


class IsMemberManager(IsApprovedUser):
    """Platform admins, and organization admins or coordinators for their own members."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return super().has_permission(request, view) and (user.is_platform_admin or user.is_org_approver)
