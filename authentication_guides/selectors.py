"""Reads on guides that both the pages and the API make: which version of a guide a person
reads (the owner's members and platform admins the latest, draft included; officers the
published one), what changed between two versions, and how often officers read the guides."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.scope import scope_of

from .models import Guide, GuideVersion, GuideViewDay, Indicator


def sees_drafts(user: User, guide: Guide) -> bool:
    """The owner's members and platform admins read the latest version; others the published."""
    scope = scope_of(user)
    return scope.is_platform or (scope.is_owner and scope.organization_id == guide.brand.owner_id)


def version_for(user: User, guide: Guide) -> GuideVersion | None:
    if sees_drafts(user, guide):
        versions = getattr(guide, "ordered_versions", None)
        return versions[0] if versions else guide.latest_version()
    return guide.published_version


def version_diff(older: GuideVersion, newer: GuideVersion) -> dict[str, Any]:
    """What changed from `older` to `newer`: title and summary, indicators added, removed and
    changed (with the fields that changed), matched by their stable key."""
    before = {i.key: i for i in older.indicators.all()}
    after = {i.key: i for i in newer.indicators.all()}
    changed = []
    for key in before.keys() & after.keys():
        old, new = before[key].snapshot(), after[key].snapshot()
        fields = [field for field in Indicator.COMPARED if old[field] != new[field]]
        if fields:
            changed.append({"id": str(key), "title": after[key].title, "fields": fields})
    return {
        "from": older.number,
        "to": newer.number,
        "title": None if older.title == newer.title else {"from": older.title, "to": newer.title},
        "summary_changed": older.summary != newer.summary,
        "added": [{"id": str(k), "title": after[k].title} for k in after.keys() - before.keys()],
        "removed": [{"id": str(k), "title": before[k].title} for k in before.keys() - after.keys()],
        "changed": sorted(changed, key=lambda c: c["title"]),
    }


def guide_usage(*, guides: QuerySet[Guide], days: int = 90) -> dict[str, Any]:
    """Views per country and per day over the last `days` days, for `guides` (a queryset the
    caller has scoped to what the person may see)."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = GuideViewDay.objects.filter(guide__in=guides, day__gte=since)
    by_country = rows.values("country").annotate(views=Sum("views")).order_by("-views", "country")
    by_day = rows.values("day").annotate(views=Sum("views")).order_by("day")
    by_guide = rows.values("guide").annotate(views=Sum("views")).order_by("-views")
    return {
        "since": since,
        "total": sum(r["views"] for r in by_country),
        "by_country": [{"country": r["country"], "views": r["views"]} for r in by_country],
        "by_day": [{"day": r["day"], "views": r["views"]} for r in by_day],
        "by_guide": [{"guide": r["guide"], "views": r["views"]} for r in by_guide],
    }


def with_untranslated(guides: QuerySet[Guide]) -> QuerySet[Guide]:
    """Guides annotated with how many indicators of their published version
    (`untranslated_published`) and of their latest (`untranslated_latest`) are still in another
    language, in the same statement. `untranslated(user, guide)` picks the one the person reads."""

    def count(version: Any) -> Subquery:
        rows = Indicator.objects.filter(version_id=version, translated=False).order_by()
        return Subquery(rows.values("version_id").annotate(n=Count("id")).values("n")[:1])

    latest = GuideVersion.objects.filter(guide=OuterRef("pk")).order_by("-number").values("pk")[:1]
    return guides.annotate(latest_version_id=Subquery(latest)).annotate(
        untranslated_published=Coalesce(count(OuterRef("published_version_id")), 0),
        untranslated_latest=Coalesce(count(OuterRef("latest_version_id")), 0),
    )


def untranslated(user: User, guide: Guide) -> int:
    """Of a guide annotated by `with_untranslated`: its indicators not translated yet, in the
    version the person reads."""
    if sees_drafts(user, guide):
        return int(getattr(guide, "untranslated_latest", 0) or 0)
    return int(getattr(guide, "untranslated_published", 0) or 0)


def original_of(user: User, guide: Guide, indicator: Indicator) -> Indicator | None:
    """The indicator a translated one was copied from, in the guide of its original language as
    `user` reads it (None when there is none, or they may not see it)."""
    if not indicator.source_language or indicator.source_key is None:
        return None
    source = (
        Guide.objects.restrict(user, "view")
        .filter(translation_group=guide.translation_group, language=indicator.source_language)
        .exclude(pk=guide.pk)
        .first()
    )
    version = version_for(user, source) if source is not None else None
    if version is None:
        return None
    return version.indicators.filter(key=indicator.source_key).first()


def guide_for_product(user: User, product: Any) -> Guide | None:
    """The guide an officer opens for a product they just scanned: among the published guides
    they may see, in their language when there is one (one per translation group), the
    product's own guide first, else the brand's general guide of no or the same category; the
    newest. None when there is none."""
    guides = Guide.objects.restrict(user, "view").in_language_of(user).filter(brand_id=product.brand_id)
    guides = guides.filter(Q(product_id=product.pk) | Q(product__isnull=True, category__in=["", product.category]))
    own = Case(When(product_id=product.pk, then=0), default=1)
    return cast("Guide | None", guides.annotate(own=own).order_by("own", "-created", "-id").first())
