"""The guides on the catalogue's brand and product pages, shown by this app's tags so that the
catalogue never reaches into guides itself:

- `{% guide_links brand product can_edit %}`: the "Authentication guides" panel
  (guides/_guide_links.html), with a "New guide" button for those who may edit the brand or
  product; `product` is None on a brand's page.
- `{% guides_for brand product as guides %}`: the guides of a brand (or those that apply to a
  product: its own, and the brand's general ones of no or the same category) that the person
  may see. One query, through `restrict(user, "view")`.
"""

from __future__ import annotations

from django import template
from django.db.models import OuterRef, Q, Subquery
from django.utils import translation

from ..models import Guide, GuideVersion
from ..selectors import sees_drafts

register = template.Library()

SHOWN = 10
LANGUAGES_READ = 4  # rows read per guide shown: its translations come with it


@register.inclusion_tag("guides/_guide_links.html", takes_context=True)
def guide_links(context, brand, product=None, can_edit=False) -> dict:
    """The panel's context: `request` for `guides_for` (an inclusion tag's template does not see
    the page's context)."""
    return {"request": context["request"], "brand": brand, "product": product, "can_edit": can_edit}


@register.simple_tag(takes_context=True)
def guides_for(context, brand, product=None) -> dict:
    """{"guides": up to SHOWN guides with `shown_title`, "more": whether there are others}."""
    user = context["request"].user
    guides = Guide.objects.restrict(user, "view").filter(brand=brand)
    if product is not None:
        guides = guides.filter(Q(product=product) | Q(product__isnull=True, category__in=["", product.category]))
    latest = GuideVersion.objects.filter(guide=OuterRef("pk")).order_by("-number").values("title")[:1]
    found = list(
        guides.select_related("published_version")
        .annotate(latest_title=Subquery(latest))
        .order_by("-created", "-id")[: (SHOWN + 1) * LANGUAGES_READ]
    )
    # Each guide once, in the reader's language when it is translated into it (else the
    # oldest), its other languages as switches beside it.
    language = (translation.get_language() or "")[:2]
    groups: dict = {}
    for guide in found:
        groups.setdefault(guide.translation_group, []).append(guide)
    rows = []
    for members in groups.values():
        members.sort(key=lambda guide: (guide.language != language, guide.created, guide.pk))
        first, others = members[0], sorted(members[1:], key=lambda guide: guide.language)
        first.other_languages = others
        rows.append(first)
    for guide in [*rows, *(other for row in rows for other in row.other_languages)]:
        guide.brand = brand  # the same brand: no query to read its owner
        owner_view = sees_drafts(user, guide)
        guide.owner_view = owner_view
        guide.shown_title = guide.latest_title if owner_view else guide.published_version.title
    if product is not None:
        rows.sort(key=lambda guide: guide.product_id is None)  # the product's own guides first
    return {"guides": rows[:SHOWN], "more": len(rows) > SHOWN}
