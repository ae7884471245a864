"""Guide events on the notification pipeline.

- ``guide.published`` (subject: the guide), when a new version is published: officers who
  follow the brand and may see the guide (``core.scope.audience``: the guide's own rule, asked
  once per organization and role among the followers).
- ``guide.feedback`` (subject: the feedback), when an officer reports on a guide: the guide
  owner's admins and editors.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import ENFORCEMENT_KINDS
from core.event_types import event_type
from core.roles import WRITER_ROLES
from core.scope import audience, system_selector

from .models import Feedback, Guide

GUIDE_PUBLISHED = "guide.published"
GUIDE_FEEDBACK = "guide.feedback"


@system_selector("the officers who follow a brand, told of its new guide (narrowed by audience)")
def system_guide_followers(guide: Guide) -> QuerySet:
    """The officers who follow the guide's brand, narrowed by the guide's own rule (core.scope:
    published, owner approved, brand and guide visible to their organization)."""
    followers = get_user_model().objects.filter(
        brand_follows__brand_id=guide.brand_id, membership__organization__kind__in=ENFORCEMENT_KINDS
    )
    return audience(guide, followers)


@system_selector("the guide an event is about, read by the worker that tells its audience")
def system_published_guide(event) -> Guide:
    return Guide.objects.select_related("brand__owner", "published_version").get(pk=event.subject_id)


@system_selector("the feedback an event is about, read by the worker that tells its audience")
def system_feedback(event) -> Feedback:
    return Feedback.objects.select_related("guide__brand", "guide__published_version").get(pk=event.subject_id)


@system_selector("the guide owner's writers told of feedback (narrowed by audience)")
def system_feedback_readers(feedback: Feedback) -> QuerySet:
    """The guide owner's admins and editors, among the people who may see the feedback."""
    writers = get_user_model().objects.filter(
        membership__organization_id=feedback.guide.brand.owner_id, membership__role__in=WRITER_ROLES
    )
    return audience(feedback, writers)


def _guide_title(guide: Guide) -> str:
    return guide.published_version.title if guide.published_version else str(guide)


event_type(
    GUIDE_PUBLISHED,
    recipients=lambda event: system_guide_followers(system_published_guide(event)),
    title=lambda event: (
        _("New guide for %(brand)s: %(title)s")
        % {"brand": event.data.get("brand", ""), "title": event.data.get("title", "")}
    ),
    link=lambda event: f"/guides/{event.subject_id}/",
)

event_type(
    GUIDE_FEEDBACK,
    recipients=lambda event: system_feedback_readers(system_feedback(event)),
    title=lambda event: _("Officers' feedback on the guide %(title)s") % {"title": event.data.get("title", "")},
    link=lambda event: "/guides/feedback/",
)
