"""Whether a granted application for action covers a brand, on the catalogue's pages, shown by
this app's tag so that the catalogue never reaches into applications itself:

- `{% application_coverage brand %}`: for a customs officer or coordinator, a line of the
  product's facts: "granted, valid until …" or "none: customs act ex officio"; nothing for anyone
  else (the other kinds and the right holders see nothing of applications here). One query,
  through `restrict(user, "view")` (applications.selectors.coverage).
"""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import coverage

register = template.Library()


@register.inclusion_tag("applications/_coverage.html", takes_context=True)
def application_coverage(context: dict[str, Any], brand: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"coverage": coverage(user, brand) if user is not None else None}
