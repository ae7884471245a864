"""The officers' side: an inspection checklist on the published version, feedback on a guide
(which the brand's admins and editors answer), and readings counted per country and day. Only
enforcement officers inspect and send feedback, on guides they may read."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import Country

from accounts.models import User
from core.events import emit
from core.permissions import allowed, require
from core.validators import clean_text
from uploads.images import CleanImage

from ..models import (
    Checklist,
    Conclusion,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Guide,
    GuideStatus,
    GuideVersion,
    GuideViewDay,
    Importance,
    Verdict,
)
from ..permissions import GUIDE_INSPECT
from .common import MAX_TEXT


def _readable_published(user: User, guide: Guide) -> GuideVersion:
    """The published version of a guide `user` may read, for an enforcement officer."""
    require(user, GUIDE_INSPECT)
    readable = Guide.objects.restrict(user, "view").select_related("published_version").filter(pk=guide.pk).first()
    if readable is None or readable.published_version is None:
        raise PermissionDenied(_("This guide is not published."))
    return readable.published_version


def conclude(results: list[dict[str, Any]]) -> str:
    """A decisive indicator matching the fake: likely counterfeit. Every decisive indicator
    matching the genuine item (and none the fake): likely genuine. Otherwise: inconclusive."""
    decisive = [r for r in results if r["importance"] == Importance.DECISIVE]
    if any(r["verdict"] == Verdict.FAKE for r in decisive):
        return Conclusion.LIKELY_COUNTERFEIT
    if (
        decisive
        and all(r["verdict"] == Verdict.GENUINE for r in decisive)
        and not any(r["verdict"] == Verdict.FAKE for r in results)
    ):
        return Conclusion.LIKELY_GENUINE
    return Conclusion.INCONCLUSIVE


@transaction.atomic
def checklist_record(*, actor: User, guide: Guide, results: Any, note: str = "") -> Checklist:
    """Store an officer's inspection: a verdict per indicator of the published version (every
    indicator answered once), and its conclusion."""
    version = _readable_published(actor, guide)
    indicators = {str(i.key): i for i in version.indicators.all()}
    if not isinstance(results, (list, tuple)):
        raise ValidationError({"results": [_("Give a list of results.")]})
    answered: dict[str, dict[str, Any]] = {}
    for result in results:
        key = str((result or {}).get("indicator", "")) if isinstance(result, dict) else ""
        verdict = result.get("verdict") if isinstance(result, dict) else None
        if key not in indicators:
            raise ValidationError({"results": [_("“%(key)s” is not an indicator of this guide.") % {"key": key}]})
        if verdict not in Verdict.values:
            raise ValidationError({"results": [_("A verdict is genuine, fake or unsure.")]})
        if key in answered:
            raise ValidationError({"results": [_("Each indicator is answered once.")]})
        indicator = indicators[key]
        answered[key] = {
            "indicator": key,
            "title": indicator.title,
            "importance": indicator.importance,
            "verdict": verdict,
            "note": clean_text(result, "note", max_length=2000),
        }
    missing = [indicators[k].title for k in indicators if k not in answered]
    if missing:
        raise ValidationError({"results": [_("Answer every indicator: %(titles)s.") % {"titles": ", ".join(missing)}]})
    ordered = [answered[str(i.key)] for i in version.indicators.all()]
    organization = actor.organization
    assert organization is not None  # an enforcement officer (GUIDE_INSPECT) has one
    return Checklist.objects.create(
        guide_id=guide.pk,
        version=version,
        organization=organization,
        created_by=actor,
        results=ordered,
        conclusion=conclude(ordered),
        note=clean_text({"note": note}, "note", max_length=MAX_TEXT),
    )


@transaction.atomic
def feedback_send(*, actor: User, guide: Guide, kind: str, message: str, photo: CleanImage | None = None) -> Feedback:
    """An officer reports that a guide is outdated or wrong, or sends a new fake variant."""
    version = _readable_published(actor, guide)
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": [_("Choose outdated or new_variant.")]})
    message = clean_text({"message": message}, "message", required=True, max_length=MAX_TEXT)
    feedback = Feedback(
        guide_id=guide.pk,
        version=version,
        organization=actor.organization,
        created_by=actor,
        kind=kind,
        message=message,
    )
    if photo is not None:
        feedback.photo.save(photo.name, photo.content, save=False)
    feedback.save()
    emit(
        "guide.feedback",
        subject=feedback,
        actor=actor,
        organization=guide.brand.owner,
        data={"guide": guide.pk, "kind": kind, "title": version.title},
    )
    return feedback


@transaction.atomic
def feedback_answer(*, actor: User, feedback: Feedback, answer: str) -> Feedback:
    """The brand's admins and editors answer; the answer is what the officers' side reads."""
    answerable = (
        Feedback.objects.select_for_update()
        .filter(pk=feedback.pk, guide__in=Guide.objects.restrict(actor, "change"))
        .first()
    )
    if answerable is None:
        raise PermissionDenied(_("You cannot answer this."))
    feedback = answerable
    feedback.answer = clean_text({"answer": answer}, "answer", required=True, max_length=MAX_TEXT)
    feedback.status = FeedbackStatus.ANSWERED
    feedback.answered_by = actor
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    return feedback


def guide_view_record(*, guide: Guide, user: User) -> None:
    """Count an officer's reading of a published guide for their country and today: one UPDATE
    (an INSERT the first time of the day). Nobody's identity is kept. Owners' and admins'
    readings are not counted."""
    if not allowed(user, GUIDE_INSPECT) or guide.status != GuideStatus.PUBLISHED:
        return
    organization = user.organization
    assert organization is not None  # an enforcement officer (GUIDE_INSPECT) has one
    country, day = cast(Country, organization.country).code, timezone.localdate()
    counted = GuideViewDay.objects.filter(guide_id=guide.pk, country=country, day=day)
    if counted.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            GuideViewDay.objects.create(guide_id=guide.pk, country=country, day=day, views=1)
    except IntegrityError:  # another reading created the day's row a moment ago
        counted.update(views=F("views") + 1)
