"""Who may do what with notifications: the one place the app's role checks are written.

A person's own inbox and preferences are theirs whatever their role (the inbox is the gate's:
``Notification.objects.restrict``); what depends on the role is written here, and the pages,
forms, template tags and services ask by name (core/permissions.py).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import permission

# Following a brand (told when it publishes a guide) is for enforcement officers: the follow
# button on a brand's page, the followed brands in the preferences.
FOLLOW_BRANDS = permission(
    "notifications.follow_brands",
    lambda scope: scope.is_enforcement,
    _("Only enforcement officers follow brands."),
)
