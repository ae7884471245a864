from django import template

from core.views import country_names as _names

register = template.Library()


@register.filter
def country_names(codes) -> str:
    """["FR", "DE"] → "France, Germany", in the reader's language."""
    return ", ".join(_names(getattr(code, "code", code) for code in codes or []))
