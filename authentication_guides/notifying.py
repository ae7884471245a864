"""Guide events on the notification pipeline.

- ``guide.published`` (subject: the guide), when a new version is published: officers who
  follow the brand and may see the guide (``Guide.objects.visible_to`` semantics, in SQL:
  published, owner approved, brand and guide visible to their country).
- ``guide.feedback`` (subject: the feedback), when an officer reports on a guide: the guide
  owner's admins and editors.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import ENFORCEMENT_KINDS, Status
from brands.models import WRITER_ROLES, BrandCountry
from core.event_types import event_type

from .models import Feedback, Guide, GuideCountry, GuideStatus

GUIDE_PUBLISHED = "guide.published"
GUIDE_FEEDBACK = "guide.feedback"


def _countries_seeing(guide: Guide) -> set[str] | None:
    """The countries whose officers may see the guide; None for every country."""
    countries: set[str] | None = None
    if not guide.brand.visible_to_all:
        countries = set(BrandCountry.objects.filter(brand_id=guide.brand_id).values_list("country", flat=True))
    if not guide.visible_to_all:
        own = set(GuideCountry.objects.filter(guide_id=guide.pk).values_list("country", flat=True))
        countries = own if countries is None else countries & own
    return countries


def guide_followers_who_see(guide: Guide) -> QuerySet:
    User = get_user_model()
    if (
        guide.status != GuideStatus.PUBLISHED
        or guide.published_version_id is None
        or guide.brand.owner.status != Status.APPROVED
    ):
        return User.objects.none()
    officers = User.objects.filter(
        brand_follows__brand_id=guide.brand_id,
        membership__organization__kind__in=ENFORCEMENT_KINDS,
    )
    countries = _countries_seeing(guide)
    if countries is not None:
        officers = officers.filter(membership__organization__country__in=countries)
    return officers


def _published_guide(event) -> Guide:
    return Guide.objects.select_related("brand__owner", "published_version").get(pk=event.subject_id)


def _feedback(event) -> Feedback:
    return Feedback.objects.select_related("guide__brand", "guide__published_version").get(pk=event.subject_id)


def _guide_title(guide: Guide) -> str:
    return guide.published_version.title if guide.published_version else str(guide)


event_type(
    GUIDE_PUBLISHED,
    recipients=lambda event: guide_followers_who_see(_published_guide(event)),
    title=lambda event: (
        _("New guide for %(brand)s: %(title)s")
        % {"brand": event.data.get("brand", ""), "title": event.data.get("title", "")}
    ),
    link=lambda event: f"/guides/{event.subject_id}/",
)

event_type(
    GUIDE_FEEDBACK,
    recipients=lambda event: get_user_model().objects.filter(
        membership__organization_id=_feedback(event).guide.brand.owner_id,
        membership__role__in=WRITER_ROLES,
    ),
    title=lambda event: _("Officers' feedback on the guide %(title)s") % {"title": event.data.get("title", "")},
    link=lambda event: "/guides/feedback/",
)
