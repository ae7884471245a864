"""Guides: a brand's admins and editors create one (its version 1 a draft, or a translation of
another guide, starting with its indicators), change its texts, language, product, category and
visibility, or delete it. Changing the texts of a published guide opens its next version: officers
keep reading the published one until it is published in turn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from brands.identifiers import agencies_error, parse_agencies, parse_visibility
from brands.models import Brand, Category, Product
from core.validators import clean_text

from ..models import Guide, GuideAgency, GuideCountry, GuideVersion, Indicator, IndicatorPicture, VersionStatus
from .common import MAX_LINE, MAX_TEXT, _editable_guide

ISO_639_1 = frozenset(code for code in LANG_INFO if len(code) == 2)


def _language(data: Mapping[str, Any]) -> str:
    language = str(data.get("language") or "").strip().lower()
    if language not in ISO_639_1:
        raise ValidationError({"language": [_("Give an ISO 639-1 language code, e.g. en, fr or es.")]})
    return language


# A guide's visibility once checked: (as the brand's countries, countries, agencies), agencies
# None when the guide follows the brand's.
GuideSharing = tuple[bool, list[str], list[str] | None]


def _clean_visibility(brand: Brand, visibility: Any) -> GuideSharing:
    """A guide may narrow its brand's visibility, never widen it. Left out, "countries" (with
    "all": true) and "agencies" are the brand's, and follow its later changes."""
    if visibility is None:
        return True, [], None
    visible_to_all, countries = parse_visibility(
        visibility, empty_message=_("Choose at least one country, or keep the brand's visibility.")
    )
    agencies = None
    if visibility.get("agencies") is not None:
        agencies = parse_agencies(
            visibility["agencies"], empty_message=_("Choose at least one kind of agency, or keep the brand's.")
        )
        shared = brand.agencies
        wider = [kind for kind in agencies if kind not in shared]
        if wider:
            raise agencies_error(
                _("The brand is not shared with %(agencies)s: a guide cannot be seen wider than its brand.")
                % {"agencies": ", ".join(wider)}
            )
    if visible_to_all:
        return True, [], agencies
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
    return False, countries, agencies


def _set_visibility(guide: Guide, sharing: GuideSharing) -> None:
    visible_to_all, countries, agencies = sharing
    GuideCountry.objects.filter(guide=guide).exclude(country__in=countries).delete()
    existing = set(GuideCountry.objects.filter(guide=guide).values_list("country", flat=True))
    GuideCountry.objects.bulk_create([GuideCountry(guide=guide, country=c) for c in countries if c not in existing])
    kinds = agencies or []
    GuideAgency.objects.filter(guide=guide).exclude(kind__in=kinds).delete()
    shared = set(GuideAgency.objects.filter(guide=guide).values_list("kind", flat=True))
    GuideAgency.objects.bulk_create([GuideAgency(guide=guide, kind=k) for k in kinds if k not in shared])
    guide.visible_to_all = visible_to_all
    guide.agencies_as_brand = agencies is None
    # Saved in any case and last: the save tells the search app that what officers see may have
    # changed, and what the search reads then is the new sharing.
    guide.save(update_fields=["visible_to_all", "agencies_as_brand"])


def _product_of(actor: User, brand: Brand, value: Any) -> Product | None:
    if value in (None, ""):
        return None
    product = Product.objects.restrict(actor, "change").filter(pk=getattr(value, "pk", value), brand=brand).first()
    if product is None:
        raise ValidationError({"product": [_("Choose a product of this brand.")]})
    return product


def _category(data: Mapping[str, Any]) -> str:
    category = data.get("category") or ""
    if category and category not in Category.values:
        raise ValidationError({"category": [_("Choose one of: %(c)s.") % {"c": ", ".join(Category.values)}]})
    return category


@transaction.atomic
def guide_create(*, actor: User, brand: Brand, data: Mapping[str, Any]) -> Guide:
    """A new guide of `brand`, its version 1 a draft. `translation_of`: a guide it translates."""
    editable = Brand.objects.restrict(actor, "change").filter(pk=brand.pk).first()
    if editable is None:
        raise PermissionDenied(_("You cannot write guides for this brand."))
    brand = editable
    title = clean_text(data, "title", required=True, max_length=MAX_LINE)
    summary = clean_text(data, "summary", max_length=MAX_TEXT)
    language = _language(data)
    sharing = _clean_visibility(brand, data.get("visibility"))
    guide = Guide(
        brand=brand,
        product=_product_of(actor, brand, data.get("product")),
        category=_category(data),
        language=language,
        created_by=actor,
    )
    source = data.get("translation_of")
    if source is not None:
        original = (
            Guide.objects.restrict(actor, "change").filter(pk=getattr(source, "pk", source), brand=brand).first()
        )
        if original is None:
            raise ValidationError({"translation_of": [_("Choose a guide of this brand.")]})
        if Guide.objects.filter(translation_group=original.translation_group, language=language).exists():
            raise ValidationError({"language": [_("This guide already has a version in this language.")]})
        guide.translation_group = original.translation_group
    guide.save()
    _set_visibility(guide, sharing)
    first = GuideVersion.objects.create(guide=guide, number=1, title=title, summary=summary, created_by=actor)
    if source is not None:
        assert original is not None  # found above, or refused
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
    assert source is not None  # every guide has its version 1 (guide_create)
    number = (guide.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = GuideVersion.objects.create(
        guide=guide, number=number, title=source.title, summary=source.summary, created_by=actor
    )
    _copy_indicators(source, draft, keep_keys=True)
    return draft


def _current_open(guide: Guide) -> GuideVersion | None:
    """The version being written (draft or in review), if there is one."""
    return guide.versions.filter(status__in=(VersionStatus.DRAFT, VersionStatus.IN_REVIEW)).first()


def _copy_indicators(source: GuideVersion, target: GuideVersion, *, keep_keys: bool = False) -> None:
    """Start `target` with `source`'s indicators and their extra pictures: the next version of
    the same guide (same keys, so versions compare), or a new translation (new keys: texts to
    translate). Files are shared, never deleted while referred to."""
    originals = list(source.indicators.prefetch_related("extra_pictures"))
    language = source.guide.language
    copies = Indicator.objects.bulk_create(
        [
            Indicator(
                version=target,
                **(
                    {"key": i.key, "translated": i.translated, "source_language": i.source_language}
                    if keep_keys
                    # A translation: the texts stay in the language they are really in.
                    else {"translated": False, "source_language": i.source_language if not i.translated else language}
                ),
                source_key=i.source_key if keep_keys or not i.translated else i.key,
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


@transaction.atomic
def guide_update(*, actor: User, guide: Guide, data: Mapping[str, Any]) -> Guide:
    guide = _editable_guide(actor, guide, lock=True)
    texts = {}
    if "title" in data:
        texts["title"] = clean_text(data, "title", required=True, max_length=MAX_LINE)
    if "summary" in data:
        texts["summary"] = clean_text(data, "summary", max_length=MAX_TEXT)
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
        _set_visibility(guide, _clean_visibility(guide.brand, data["visibility"]))
    return guide


@transaction.atomic
def guide_delete(*, actor: User, guide: Guide) -> None:
    guide = _editable_guide(actor, guide)
    guide.delete()
