"""The unread count in the page header, the preference panel on the person's page and the
follow button on a brand's page."""

from __future__ import annotations

from django import template

from core.permissions import allowed

from .. import selectors
from ..forms import PreferencesForm
from ..permissions import FOLLOW_BRANDS

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread count: one COUNT query, kept for the rest of the request."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not getattr(user, "is_authenticated", False):
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = selectors.unread_count(user=user)
    return request._unread_notifications


@register.inclusion_tag("notifications/_preferences_panel.html", takes_context=True)
def notification_preferences(context) -> dict:
    user = context["user"]
    form = PreferencesForm(user=user, initial={"email": selectors.email_mode(user=user)})
    if form.follows_brands:
        form.initial["followed_brands"] = [pk for pk, _name in form.fields["followed_brands"].choices]
    return {"form": form, "request": context.get("request"), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def brand_follow_button(context, brand) -> dict:
    user = context["user"]
    show = allowed(user, FOLLOW_BRANDS)
    return {
        "show": show,
        "brand": brand,
        "following": show and selectors.follows(user=user, brand=brand),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
