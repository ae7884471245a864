"""Usage statistics: how many times officers read the guides, per country, per day and per
guide. Only counts: nobody sees who read.

The dashboard is the right holder's (their organization's guides; platform admins: all); a
guide's own page is for the owner's members and platform admins (officers 403, others 404).
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe
from django_countries import countries

from core.gate import scoped
from core.permissions import require

from .. import services
from ..forms import UsagePeriodForm
from ..models import Guide
from ..permissions import GUIDE_USAGE
from .common import readable_guide, version_for


def _percent(views: int, most: int) -> int:
    return max(1, round(100 * views / most)) if most else 0


def _usage(request, guides, *, titles: dict | None = None) -> dict:
    form = UsagePeriodForm(request.GET or None)
    days = form.period()
    usage = services.guide_usage(guides=guides, days=days)
    most_country = max((row["views"] for row in usage["by_country"]), default=0)
    by_country = [
        {
            "code": row["country"],
            "name": countries.name(row["country"]) or row["country"],
            "views": row["views"],
            "percent": _percent(row["views"], most_country),
        }
        for row in usage["by_country"]
    ]
    most_day = max((row["views"] for row in usage["by_day"]), default=0)
    by_day = [{**row, "percent": _percent(row["views"], most_day)} for row in usage["by_day"]]
    if titles is None:
        shown = Guide.objects.restrict(request.user, "view").filter(pk__in=[row["guide"] for row in usage["by_guide"]])
        shown = shown.select_related("published_version")
        titles = {guide.pk: str(guide) for guide in shown}
    by_guide = [
        {"pk": row["guide"], "title": titles.get(row["guide"], row["guide"]), "views": row["views"]}
        for row in usage["by_guide"]
    ]
    return {
        "form": form,
        "days": days,
        "since": usage["since"],
        "total": usage["total"],
        "by_country": by_country,
        "by_day": by_day,
        "by_guide": by_guide,
    }


@scoped
@require_safe
def usage_dashboard(request):
    """Readings of all the organization's guides (platform admins: all guides)."""
    user = request.user
    require(user, GUIDE_USAGE)
    context = _usage(request, Guide.objects.restrict(user, "view"))
    return render(request, "guides/usage.html", context)


@scoped
@require_safe
def usage_guide(request, pk):
    """Readings of one guide: the owner's members and platform admins."""
    user = request.user
    guide = readable_guide(user, pk)  # 404 for those who cannot see it
    require(user, GUIDE_USAGE)  # those who see it and may see usage are its owner's members
    version = version_for(user, guide)
    title = guide.published_version.title if guide.published_version else (version.title if version else str(guide))
    context = _usage(request, Guide.objects.restrict(user, "view").filter(pk=guide.pk), titles={guide.pk: title})
    context |= {"guide": guide, "title": title}
    return render(request, "guides/usage.html", context)
