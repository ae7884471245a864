"""What the guide pages share: a guide fetched through the person's scope, the version they
read, and its indicators in reading order."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.gate import may, object_or_404

from ..models import IMPORTANCE_RANK, Guide, GuideCountry, GuideStatus, GuideVersion, Indicator, VersionStatus
from ..selectors import sees_drafts, version_for

__all__ = ["sees_drafts", "version_for"]

# The fields version_diff names, as the history page shows them.
FIELD_LABELS = {
    "kind": _("kind"),
    "title": _("title"),
    "description": _("how to tell"),
    "location": _("where on the item"),
    "importance": _("importance"),
    "order": _("position"),
    "genuine_image": _("genuine picture"),
    "counterfeit_image": _("counterfeit picture"),
}


# What a guide's pages show with it, fetched in the same query.
PAGE_RELATED = ("brand", "brand__owner", "product", "published_version", "published_version__published_by")


def _countries() -> Prefetch:
    return Prefetch("visibility_countries", queryset=GuideCountry.objects.order_by("country"))


def _with_versions(user: User, guide: Guide) -> Guide:
    """The owner's members and platform admins get the guide's versions, newest first (what
    version_for reads). Officers never get the drafts loaded at all."""
    if sees_drafts(user, guide):
        guide.ordered_versions = list(guide.versions.select_related("published_by").order_by("-number"))
    return guide


def readable_guide(user: User, pk: int) -> Guide:
    """The guide if `user` may read it; 404 otherwise."""
    guide = object_or_404(user, Guide.objects.select_related(*PAGE_RELATED).prefetch_related(_countries()), pk)
    return _with_versions(user, guide)


def editable_guide(user: User, pk: int) -> Guide:
    """The guide if `user` may write it; 404 if they cannot see it, 403 if they only read it."""
    guide = object_or_404(
        user, Guide.objects.select_related(*PAGE_RELATED).prefetch_related(_countries()), pk, "change"
    )
    return _with_versions(user, guide)


def can_edit(user: User, guide: Guide) -> bool:
    return sees_drafts(user, guide) and may(user, "change", guide)


def reading_order(indicators) -> list[Indicator]:
    """Decisive indicators first, then strong, then supporting; within each, by position."""
    last = len(IMPORTANCE_RANK)
    return sorted(indicators, key=lambda i: (IMPORTANCE_RANK.get(i.importance, last), i.order, i.pk))


def indicator_or_none(guide: Guide, key) -> Indicator | None:
    """An indicator of the version the owner reads (the one edits apply to)."""
    version = guide.ordered_versions[0] if getattr(guide, "ordered_versions", None) else None
    if version is None:
        return None
    return version.indicators.filter(key=key).first()


def guide_url(guide: Guide, anchor: str = "") -> str:
    url = reverse("guides:detail", args=[guide.pk])
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class Workflow:
    """Where the guide stands, for the owner's status banner and buttons."""

    status: str
    latest: GuideVersion
    open_version: GuideVersion | None
    published: GuideVersion | None
    moderation_reason: str

    @classmethod
    def of(cls, guide: Guide) -> Workflow:
        latest = guide.ordered_versions[0]
        return cls(
            status=guide.status,
            latest=latest,
            open_version=latest if latest.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW) else None,
            published=guide.published_version,
            moderation_reason=guide.moderation_reason,
        )

    @property
    def unpublished_by_moderation(self) -> bool:
        return self.status == GuideStatus.DRAFT and bool(self.moderation_reason)

    @property
    def newer_draft(self) -> bool:
        return self.status == GuideStatus.PUBLISHED and self.open_version is not None

    @property
    def can_submit(self) -> bool:
        return self.open_version is not None and self.open_version.status == VersionStatus.DRAFT

    @property
    def can_publish(self) -> bool:
        # After moderation, only a platform admin puts the guide back (see "Publish again").
        return self.open_version is not None and not self.unpublished_by_moderation

    @property
    def can_archive(self) -> bool:
        return self.status != GuideStatus.ARCHIVED
