"""Writes on authentication guides: drafting, the workflow and moderation.

Only the brand owner's admins and editors write (PermissionDenied otherwise); platform admins
unpublish. Every publication, archiving and unpublishing is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditAction, User
from brands.identifiers import parse_visibility
from brands.models import Brand, Category, Product
from core.broker import send_after_commit
from core.events import emit

from .models import (
    Checklist,
    Conclusion,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Guide,
    GuideCountry,
    GuideStatus,
    GuideVersion,
    GuideViewDay,
    Importance,
    Indicator,
    IndicatorKind,
    IndicatorPicture,
    Verdict,
    VersionStatus,
)

ISO_639_1 = frozenset(code for code in LANG_INFO if len(code) == 2)
MAX_TEXT = 20_000


def _text(data: dict, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = data.get(field, "")
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": max_length}]})
    return value


def _language(data: dict) -> str:
    language = str(data.get("language") or "").strip().lower()
    if language not in ISO_639_1:
        raise ValidationError({"language": [_("Give an ISO 639-1 language code, e.g. en, fr or es.")]})
    return language


def _editable_guide(actor: User, guide: Guide, *, lock: bool = False) -> Guide:
    queryset = Guide.objects.editable_by(actor)
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.filter(pk=guide.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this guide."))
    return found


def _clean_visibility(brand: Brand, visibility) -> tuple[bool, list[str]]:
    """A guide may narrow its brand's visibility, never widen it."""
    if visibility is None:
        return True, []
    visible_to_all, countries = parse_visibility(
        visibility, empty_message=_("Choose at least one country, or keep the brand's visibility.")
    )
    if visible_to_all:
        return True, []
    if not brand.visible_to_all:
        allowed = set(brand.visibility_countries.values_list("country", flat=True))
        wider = [c for c in countries if c not in allowed]
        if wider:
            raise ValidationError(
                {
                    "visibility": [
                        _("The brand is not visible in %(countries)s: a guide cannot be seen wider than its brand.")
                        % {"countries": ", ".join(wider)}
                    ]
                }
            )
    return False, countries


def _set_visibility(guide: Guide, visible_to_all: bool, countries: list[str]) -> None:
    guide.visible_to_all = visible_to_all
    guide.save(update_fields=["visible_to_all"])
    GuideCountry.objects.filter(guide=guide).exclude(country__in=countries).delete()
    existing = set(GuideCountry.objects.filter(guide=guide).values_list("country", flat=True))
    GuideCountry.objects.bulk_create([GuideCountry(guide=guide, country=c) for c in countries if c not in existing])


def _product_of(actor: User, brand: Brand, value) -> Product | None:
    if value in (None, ""):
        return None
    product = Product.objects.editable_by(actor).filter(pk=getattr(value, "pk", value), brand=brand).first()
    if product is None:
        raise ValidationError({"product": [_("Choose a product of this brand.")]})
    return product


def _category(data: dict) -> str:
    category = data.get("category") or ""
    if category and category not in Category.values:
        raise ValidationError({"category": [_("Choose one of: %(c)s.") % {"c": ", ".join(Category.values)}]})
    return category


# --------------------------------------------------------------------------- guides


@transaction.atomic
def guide_create(*, actor: User, brand: Brand, data: dict) -> Guide:
    """A new guide of `brand`, its version 1 a draft. `translation_of`: a guide it translates."""
    brand = Brand.objects.editable_by(actor).filter(pk=brand.pk).first()
    if brand is None:
        raise PermissionDenied(_("You cannot write guides for this brand."))
    title = _text(data, "title", required=True)
    summary = _text(data, "summary", max_length=MAX_TEXT)
    language = _language(data)
    visible_to_all, countries = _clean_visibility(brand, data.get("visibility"))
    guide = Guide(
        brand=brand,
        product=_product_of(actor, brand, data.get("product")),
        category=_category(data),
        language=language,
        created_by=actor,
    )
    source = data.get("translation_of")
    if source is not None:
        original = Guide.objects.editable_by(actor).filter(pk=getattr(source, "pk", source), brand=brand).first()
        if original is None:
            raise ValidationError({"translation_of": [_("Choose a guide of this brand.")]})
        if Guide.objects.filter(translation_group=original.translation_group, language=language).exists():
            raise ValidationError({"language": [_("This guide already has a version in this language.")]})
        guide.translation_group = original.translation_group
    guide.save()
    _set_visibility(guide, visible_to_all, countries)
    first = GuideVersion.objects.create(guide=guide, number=1, title=title, summary=summary, created_by=actor)
    if source is not None:
        template = original.published_version or original.latest_version()
        if template is not None:
            _copy_indicators(template, first)
    return guide


def open_version(actor: User, guide: Guide) -> GuideVersion:
    """The version being written (draft or in review), opened as a copy of the published one
    when there is none: officers keep seeing the published version meanwhile."""
    current = guide.versions.filter(status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW)).first()
    if current is not None:
        return current
    source = guide.published_version or guide.latest_version()
    number = (guide.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = GuideVersion.objects.create(
        guide=guide, number=number, title=source.title, summary=source.summary, created_by=actor
    )
    _copy_indicators(source, draft, keep_keys=True)
    return draft


def _copy_indicators(source: GuideVersion, target: GuideVersion, *, keep_keys: bool = False) -> None:
    """Start `target` with `source`'s indicators and their extra pictures: the next version of
    the same guide (same keys, so versions compare), or a new translation (new keys: texts to
    translate). Files are shared, never deleted while referred to."""
    originals = list(source.indicators.prefetch_related("extra_pictures"))
    copies = Indicator.objects.bulk_create(
        [
            Indicator(
                version=target,
                **({"key": i.key} if keep_keys else {}),
                kind=i.kind,
                title=i.title,
                description=i.description,
                location=i.location,
                importance=i.importance,
                order=i.order,
                genuine_image=i.genuine_image.name,
                counterfeit_image=i.counterfeit_image.name,
                genuine_thumb=i.genuine_thumb.name,
                counterfeit_thumb=i.counterfeit_thumb.name,
            )
            for i in originals
        ]
    )
    IndicatorPicture.objects.bulk_create(
        [
            IndicatorPicture(
                indicator=copy,
                **({"key": p.key} if keep_keys else {}),
                image=p.image.name,
                caption=p.caption,
                order=p.order,
            )
            for original, copy in zip(originals, copies, strict=True)
            for p in original.extra_pictures.all()
        ]
    )


def _thumbnails_after_commit(indicator: Indicator) -> None:
    from .tasks import make_indicator_thumbnails

    # With the broker down the pictures are saved all the same, and served full size.
    send_after_commit(make_indicator_thumbnails, indicator.pk)


@transaction.atomic
def guide_update(*, actor: User, guide: Guide, data: dict) -> Guide:
    guide = _editable_guide(actor, guide, lock=True)
    texts = {}
    if "title" in data:
        texts["title"] = _text(data, "title", required=True)
    if "summary" in data:
        texts["summary"] = _text(data, "summary", max_length=MAX_TEXT)
    current = _current_open(guide) or guide.published_version or guide.latest_version()
    if any(getattr(current, field) != value for field, value in texts.items()):
        # Only a real change opens the next draft of a published guide.
        version = open_version(actor, guide)
        for field, value in texts.items():
            setattr(version, field, value)
        version.save(update_fields=["title", "summary"])
    fields = []
    if "language" in data:
        language = _language(data)
        if (
            language != guide.language
            and Guide.objects.filter(translation_group=guide.translation_group, language=language).exists()
        ):
            raise ValidationError({"language": [_("This guide already has a version in this language.")]})
        guide.language = language
        fields.append("language")
    if "product" in data:
        guide.product = _product_of(actor, guide.brand, data["product"])
        fields.append("product")
    if "category" in data:
        guide.category = _category(data)
        fields.append("category")
    if fields:
        guide.save(update_fields=fields)
    if "visibility" in data:
        _set_visibility(guide, *_clean_visibility(guide.brand, data["visibility"]))
    return guide


@transaction.atomic
def guide_delete(*, actor: User, guide: Guide) -> None:
    guide = _editable_guide(actor, guide)
    guide.delete()


# --------------------------------------------------------------------------- indicators


def _clean_indicator(data: dict, *, partial: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        cleaned["title"] = _text(data, "title", required=True)
    if "description" in data:
        cleaned["description"] = _text(data, "description", max_length=MAX_TEXT)
    if "location" in data:
        cleaned["location"] = _text(data, "location")
    if not partial or "kind" in data:
        kind = data.get("kind") or IndicatorKind.CHECK
        if kind not in IndicatorKind.values:
            raise ValidationError({"kind": [_("Choose check or security_feature.")]})
        cleaned["kind"] = kind
    if not partial or "importance" in data:
        importance = data.get("importance") or Importance.SUPPORTING
        if importance not in Importance.values:
            raise ValidationError({"importance": [_("Choose decisive, strong or supporting.")]})
        cleaned["importance"] = importance
    if "order" in data and data["order"] not in (None, ""):
        try:
            cleaned["order"] = max(0, min(int(data["order"]), 32_000))
        except (TypeError, ValueError):
            raise ValidationError({"order": [_("Enter a whole number.")]}) from None
    return cleaned


@transaction.atomic
def indicator_add(*, actor: User, guide: Guide, data: dict, genuine_image, counterfeit_image) -> Indicator:
    """Add an indicator to the version being written. Both pictures are required: the genuine
    item's and a fake's (uploads.images.CleanImage each)."""
    guide = _editable_guide(actor, guide, lock=True)
    missing = {
        field: [_("Add a picture of the %(side)s item.") % {"side": side}]
        for field, side, image in (
            ("genuine_image", _("genuine"), genuine_image),
            ("counterfeit_image", _("counterfeit"), counterfeit_image),
        )
        if image is None
    }
    if missing:
        raise ValidationError(missing)
    cleaned = _clean_indicator(data, partial=False)
    version = open_version(actor, guide)
    if "order" not in cleaned:
        cleaned["order"] = (version.indicators.aggregate(n=Max("order"))["n"] or 0) + 1
    indicator = Indicator(version=version, **cleaned)
    indicator.genuine_image.save(genuine_image.name, genuine_image.content, save=False)
    indicator.counterfeit_image.save(counterfeit_image.name, counterfeit_image.content, save=False)
    indicator.save()
    _thumbnails_after_commit(indicator)
    return indicator


def _open_indicator(actor: User, guide: Guide, key) -> Indicator:
    version = open_version(actor, guide)
    indicator = version.indicators.filter(key=key).first()
    if indicator is None:
        raise ValidationError({"indicator": [_("This guide has no such indicator.")]})
    return indicator


@transaction.atomic
def indicator_update(*, actor: User, guide: Guide, key, data: dict, genuine_image=None, counterfeit_image=None):
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    for field, value in _clean_indicator(data, partial=True).items():
        setattr(indicator, field, value)
    if genuine_image is not None:
        indicator.genuine_image.save(genuine_image.name, genuine_image.content, save=False)
        indicator.genuine_thumb = ""
    if counterfeit_image is not None:
        indicator.counterfeit_image.save(counterfeit_image.name, counterfeit_image.content, save=False)
        indicator.counterfeit_thumb = ""
    indicator.save()
    if genuine_image is not None or counterfeit_image is not None:
        _thumbnails_after_commit(indicator)
    return indicator


@transaction.atomic
def indicator_delete(*, actor: User, guide: Guide, key) -> None:
    guide = _editable_guide(actor, guide, lock=True)
    _open_indicator(actor, guide, key).delete()


# --------------------------------------------------------------------------- workflow


def _current_open(guide: Guide) -> GuideVersion | None:
    return guide.versions.filter(status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW)).first()


@transaction.atomic
def guide_submit(*, actor: User, guide: Guide) -> Guide:
    """Ask for a review before publishing (optional)."""
    guide = _editable_guide(actor, guide, lock=True)
    version = _current_open(guide)
    if version is None or version.status != VersionStatus.DRAFT:
        raise ValidationError({"status": [_("There is no draft to submit.")]})
    version.status = VersionStatus.IN_REVIEW
    version.save(update_fields=["status"])
    if guide.status != GuideStatus.PUBLISHED:
        guide.status = GuideStatus.IN_REVIEW
        guide.save(update_fields=["status"])
    return guide


@transaction.atomic
def guide_publish(*, actor: User, guide: Guide, ip: str | None = None) -> Guide:
    """Freeze the version being written and make it what officers see, in one transaction.

    A guide unpublished by moderation goes back to officers only through a platform admin
    (its owner may edit it meanwhile); an archived one its owner may publish again."""
    moderated = Guide.objects.filter(pk=guide.pk).exclude(moderation_reason="").exists()
    if moderated:
        if not actor.is_platform_admin:
            raise PermissionDenied(
                _(
                    "A platform administrator unpublished this guide: "
                    "only a platform administrator can publish it again."
                )
            )
        guide = Guide.objects.select_for_update().get(pk=guide.pk)
    else:
        guide = _editable_guide(actor, guide, lock=True)
    version = _current_open(guide)
    if version is None and guide.published_version is not None and guide.status != GuideStatus.PUBLISHED:
        # Archived, or unpublished by moderation: publishing again restores the last version.
        return _republish(actor, guide, ip=ip)
    if version is None:
        raise ValidationError({"status": [_("There is no draft to publish: edit the guide first.")]})
    if not version.indicators.exists():
        raise ValidationError({"indicators": [_("Add at least one indicator before publishing.")]})
    GuideVersion.objects.filter(guide=guide, status=VersionStatus.PUBLISHED).update(status=VersionStatus.SUPERSEDED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    guide.status = GuideStatus.PUBLISHED
    guide.published_version = version
    guide.moderation_reason = ""
    guide.save(update_fields=["status", "published_version", "moderation_reason"])
    audit_log(
        actor=actor,
        action=AuditAction.GUIDE_PUBLISHED,
        target=guide,
        organization=guide.brand.owner,
        ip=ip,
        details={"version": version.number},
    )
    emit(
        "guide.published",
        subject=guide,
        actor=actor,
        organization=guide.brand.owner,
        data={"version": version.number, "title": version.title, "brand": guide.brand.name},
    )
    return guide


def _republish(actor: User, guide: Guide, *, ip: str | None) -> Guide:
    guide.status = GuideStatus.PUBLISHED
    guide.moderation_reason = ""
    guide.save(update_fields=["status", "moderation_reason"])
    audit_log(
        actor=actor,
        action=AuditAction.GUIDE_PUBLISHED,
        target=guide,
        organization=guide.brand.owner,
        ip=ip,
        details={"version": guide.published_version.number, "restored": True},
    )
    return guide


@transaction.atomic
def guide_archive(*, actor: User, guide: Guide, ip: str | None = None) -> Guide:
    """Withdraw the guide from officers (kept, with its history)."""
    guide = _editable_guide(actor, guide, lock=True)
    if guide.status == GuideStatus.ARCHIVED:
        raise ValidationError({"status": [_("The guide is already archived.")]})
    guide.status = GuideStatus.ARCHIVED
    guide.save(update_fields=["status"])
    audit_log(actor=actor, action=AuditAction.GUIDE_ARCHIVED, target=guide, organization=guide.brand.owner, ip=ip)
    return guide


@transaction.atomic
def guide_unpublish(*, actor: User, guide: Guide, reason: str, ip: str | None = None) -> Guide:
    """Moderation: a platform admin takes a guide away from officers, with a reason."""
    if not actor.is_platform_admin:
        raise PermissionDenied(_("Only platform administrators unpublish guides."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the brand owner is told it.")]})
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if guide.status != GuideStatus.PUBLISHED:
        raise ValidationError({"status": [_("Only a published guide can be unpublished.")]})
    guide.status = GuideStatus.DRAFT
    guide.moderation_reason = reason
    guide.save(update_fields=["status", "moderation_reason"])
    audit_log(
        actor=actor,
        action=AuditAction.GUIDE_UNPUBLISHED,
        target=guide,
        organization=guide.brand.owner,
        reason=reason,
        ip=ip,
    )
    return guide


def version_diff(older: GuideVersion, newer: GuideVersion) -> dict:
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


# --------------------------------------------------------------------------- officers' side


def _readable_published(user: User, guide: Guide) -> GuideVersion:
    """The published version of a guide `user` may read, for an enforcement officer."""
    if not user.is_enforcement:
        raise PermissionDenied(_("Inspections and feedback come from enforcement officers."))
    guide = Guide.objects.visible_to(user).select_related("published_version").filter(pk=guide.pk).first()
    if guide is None or guide.published_version is None:
        raise PermissionDenied(_("This guide is not published."))
    return guide.published_version


def conclude(results: list[dict]) -> str:
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
def checklist_record(*, actor: User, guide: Guide, results, note: str = "") -> Checklist:
    """Store an officer's inspection: a verdict per indicator of the published version (every
    indicator answered once), and its conclusion."""
    version = _readable_published(actor, guide)
    indicators = {str(i.key): i for i in version.indicators.all()}
    if not isinstance(results, (list, tuple)):
        raise ValidationError({"results": [_("Give a list of results.")]})
    answered: dict[str, dict] = {}
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
            "note": _text(result, "note", max_length=2000),
        }
    missing = [indicators[k].title for k in indicators if k not in answered]
    if missing:
        raise ValidationError({"results": [_("Answer every indicator: %(titles)s.") % {"titles": ", ".join(missing)}]})
    ordered = [answered[str(i.key)] for i in version.indicators.all()]
    return Checklist.objects.create(
        guide_id=guide.pk,
        version=version,
        organization=actor.organization,
        created_by=actor,
        results=ordered,
        conclusion=conclude(ordered),
        note=_text({"note": note}, "note", max_length=MAX_TEXT),
    )


@transaction.atomic
def feedback_send(*, actor: User, guide: Guide, kind: str, message: str, photo=None) -> Feedback:
    """An officer reports that a guide is outdated or wrong, or sends a new fake variant."""
    version = _readable_published(actor, guide)
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": [_("Choose outdated or new_variant.")]})
    message = _text({"message": message}, "message", required=True, max_length=MAX_TEXT)
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
    feedback = (
        Feedback.objects.select_for_update().filter(pk=feedback.pk, guide__in=Guide.objects.editable_by(actor)).first()
    )
    if feedback is None:
        raise PermissionDenied(_("You cannot answer this."))
    feedback.answer = _text({"answer": answer}, "answer", required=True, max_length=MAX_TEXT)
    feedback.status = FeedbackStatus.ANSWERED
    feedback.answered_by = actor
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    return feedback


def guide_view_record(*, guide: Guide, user: User) -> None:
    """Count an officer's reading of a published guide for their country and today: one UPDATE
    (an INSERT the first time of the day). Nobody's identity is kept. Owners' and admins'
    readings are not counted."""
    if not user.is_enforcement or guide.status != GuideStatus.PUBLISHED:
        return
    from django.db import IntegrityError
    from django.db.models import F

    country, day = user.organization.country.code, timezone.localdate()
    counted = GuideViewDay.objects.filter(guide_id=guide.pk, country=country, day=day)
    if counted.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            GuideViewDay.objects.create(guide_id=guide.pk, country=country, day=day, views=1)
    except IntegrityError:  # another reading created the day's row a moment ago
        counted.update(views=F("views") + 1)


def guide_usage(*, guides, days: int = 90) -> dict:
    """Views per country and per day over the last `days` days, for `guides` (a queryset the
    caller has scoped to what the person may see)."""
    from django.db.models import Sum

    since = timezone.localdate() - timezone.timedelta(days=days - 1)
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


MAX_EXTRA_PICTURES = 12


@transaction.atomic
def indicator_picture_add(*, actor: User, guide: Guide, key, image, caption: str = "") -> IndicatorPicture:
    """An extra picture of an indicator (a CleanImage), on the version being written."""
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    if indicator.extra_pictures.count() >= MAX_EXTRA_PICTURES:
        raise ValidationError(
            {"image": [_("At most %(max)d extra pictures an indicator.") % {"max": MAX_EXTRA_PICTURES}]}
        )
    order = (indicator.extra_pictures.aggregate(n=Max("order"))["n"] or 0) + 1
    picture = IndicatorPicture(indicator=indicator, caption=_text({"caption": caption}, "caption"), order=order)
    picture.image.save(image.name, image.content, save=False)
    picture.save()
    return picture


@transaction.atomic
def indicator_picture_delete(*, actor: User, guide: Guide, key, picture_key) -> None:
    guide = _editable_guide(actor, guide, lock=True)
    indicator = _open_indicator(actor, guide, key)
    deleted, _by_model = indicator.extra_pictures.filter(key=picture_key).delete()
    if not deleted:
        raise ValidationError({"picture": [_("This indicator has no such picture.")]})
