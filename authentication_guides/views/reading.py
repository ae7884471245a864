"""Reading guides: the list, a guide's page (built for an officer's phone at a border post), its
print view and its history.

Everything is fetched through `Guide.objects.restrict(user, "view")`: officers see published guides of
brands visible to their country, and only the published version of them; the owner's members
and platform admins read the latest version, draft included. A guide outside the scope is 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from brands.models import Contact
from brands.views.catalogue import describe_contacts
from core.gate import scoped
from core.permissions import allowed
from core.views import paginate

from .. import services
from ..forms import GuideFilterForm, UnpublishForm, language_name
from ..models import Guide, GuideStatus, GuideVersion
from ..permissions import GUIDE_MODERATE
from ..selectors import untranslated, with_untranslated
from .common import FIELD_LABELS, Workflow, can_edit, readable_guide, reading_order, sees_drafts, version_for


@scoped
@require_safe
def guide_list(request):
    """The guides the person may see, newest first, by brand and language."""
    user = request.user
    guides = Guide.objects.restrict(user, "view").in_language_of(user)
    form = GuideFilterForm(request.GET or None, guides=guides)
    queryset = with_untranslated(guides).select_related("brand", "product", "published_version")
    queryset = queryset.order_by("-created", "-id")
    if form.is_bound:
        queryset = form.filter(queryset)
    page = paginate(request, queryset)
    own = [guide for guide in page if sees_drafts(user, guide)]
    if own:
        versions = Prefetch("versions", queryset=GuideVersion.objects.order_by("-number"), to_attr="ordered_versions")
        prefetch_related_objects(own, versions)
    for guide in page:
        guide.shown_version = version_for(user, guide)
        guide.language_name = language_name(guide.language)
        guide.owner_view = sees_drafts(user, guide)
        guide.untranslated = untranslated(user, guide)
    context = {"form": form, "page": page, "can_create": allowed(user, "brands.create")}
    return render(request, "guides/guide_list.html", context)


def _translations(user, guide: Guide) -> list[Guide]:
    others = (
        Guide.objects.restrict(user, "view")
        .filter(translation_group=guide.translation_group)
        .exclude(pk=guide.pk)
        .order_by("language", "id")
    )
    reader_language = (translation.get_language() or "")[:2]
    translations = list(with_untranslated(others).select_related("brand"))
    for other in translations:
        other.language_name = language_name(other.language)
        other.is_readers_language = other.language == reader_language
        other.untranslated = untranslated(user, other)
    return translations


def reading_context(request, guide: Guide) -> dict:
    """What the guide page and its print view show."""
    user = request.user
    version = version_for(user, guide)
    owner_view = sees_drafts(user, guide)
    translations = _translations(user, guide)
    reader_language = (translation.get_language() or "")[:2]
    return {
        "guide": guide,
        "version": version,
        "indicators": reading_order(version.indicators.prefetch_related("extra_pictures")) if version else [],
        "language_name": language_name(guide.language),
        "translations": translations,
        "in_your_language": next(
            (t for t in translations if t.is_readers_language and guide.language != reader_language), None
        ),
        "contacts": describe_contacts(user, Contact.objects.restrict(user, "view").filter(brand=guide.brand)),
        "owner_view": owner_view,
        "workflow": Workflow.of(guide) if owner_view else None,
        "country_names": [row.country.name for row in guide.visibility_countries.all()],
    }


def reading_page(request, guide: Guide, *, unpublish_form=None, status: int = 200):
    """The guide's page; also rendered, with the form's errors, when an unpublish is refused."""
    user = request.user
    context = reading_context(request, guide)
    editable = can_edit(user, guide)
    may_unpublish = allowed(user, GUIDE_MODERATE) and guide.status == GuideStatus.PUBLISHED
    context |= {
        "can_edit": editable,
        "unpublish_form": (unpublish_form or UnpublishForm()) if may_unpublish else None,
    }
    _count_view(user, guide)
    return render(request, "guides/guide_detail.html", context, status=status)


def _count_view(user, guide: Guide) -> None:
    """Officers' readings are counted per guide, country and day (nobody's identity kept); the
    service ignores everyone else's."""
    services.guide_view_record(guide=guide, user=user)


@scoped
@require_safe
def guide_detail(request, pk):
    return reading_page(request, readable_guide(request.user, pk))


@scoped
@require_safe
def guide_print(request, pk):
    """The same reading, laid out for paper or PDF: no navigation, pictures side by side."""
    guide = readable_guide(request.user, pk)
    _count_view(request.user, guide)
    return render(request, "guides/guide_print.html", reading_context(request, guide))


def _history(versions: list[GuideVersion]) -> list[dict]:
    """Each version, newest first, with what changed since the one before it."""
    history = []
    for previous, version in zip([None, *versions], versions, strict=False):
        changes = services.version_diff(previous, version) if previous else None
        if changes:
            for change in changes["changed"]:
                change["labels"] = [str(FIELD_LABELS.get(field, field)) for field in change["fields"]]
            changes["is_empty"] = (
                not (changes["title"] or changes["summary_changed"] or changes["added"] or changes["removed"])
                and not changes["changed"]
            )
        history.append({"version": version, "changes": changes})
    return list(reversed(history))


@scoped
@require_safe
def guide_versions(request, pk):
    """The history. Officers see the published versions only (filtered in the query)."""
    user = request.user
    guide = readable_guide(user, pk)
    versions = guide.versions.select_related("published_by").prefetch_related("indicators").order_by("number")
    if not sees_drafts(user, guide):
        versions = versions.filter(published_at__isnull=False)
    context = {
        "guide": guide,
        "version": version_for(user, guide),
        "history": _history(list(versions)),
        "owner_view": sees_drafts(user, guide),
    }
    return render(request, "guides/guide_versions.html", context)
