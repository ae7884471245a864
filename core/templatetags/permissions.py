"""`{% allowed "alerts.draft" as can_draft %}`: the role table (core/permissions.py) in a template."""

from __future__ import annotations

from typing import Any

from django import template

from core.permissions import allowed as _allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context: dict[str, Any], name: str) -> bool:
    request = context.get("request")
    return _allowed(getattr(request, "user", None), name)
