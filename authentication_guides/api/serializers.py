"""The guides API's serializers: a guide as the person reads it (the version `version_for` gives
them), its indicators and their pictures (links to the files, never the files), the history,
inspections, feedback and usage; and the bodies the writes accept."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brands.api.serializers import ScopedPrimaryKeyField, agencies_field
from brands.models import Brand, Category, Product
from core.api import CountryCodeField
from uploads.serializers import SafeImageField

from ..models import (
    Checklist,
    Feedback,
    FeedbackKind,
    Guide,
    Importance,
    Indicator,
    IndicatorKind,
    IndicatorPicture,
    Verdict,
)
from ..selectors import sees_drafts, version_for


class GuideVisibilitySerializer(serializers.Serializer):
    all = serializers.BooleanField(help_text=_("As visible as the brand (true), or only the listed countries."))
    countries = serializers.ListField(child=CountryCodeField(), required=False, default=list, max_length=250)
    agencies = agencies_field(
        _(
            "The kinds of enforcement agency that see the guide, among the brand's. Left out: as the brand, "
            "following its changes. Read: the kinds that see it now."
        )
    )


class GuideListSerializer(serializers.ListSerializer):
    """A page of guides: their agency rows and their brands' fetched once for the page."""

    def to_representation(self, data):
        guides = list(data.all() if hasattr(data, "all") else data)
        prefetch_related_objects(guides, "visibility_agencies", "brand__visibility_agencies")
        return super().to_representation(guides)


class ExtraPictureSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorPicture
        fields = ["id", "url", "caption", "order"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, picture: IndicatorPicture) -> str:
        indicator = picture.indicator
        path_ = reverse(
            "guides-api:indicator-picture-file", args=[indicator.version.guide_id, indicator.key, picture.key]
        )
        return self.context["request"].build_absolute_uri(f"{path_}?version={indicator.version.number}")


class IndicatorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    genuine_image = serializers.SerializerMethodField()
    counterfeit_image = serializers.SerializerMethodField()
    extra_pictures = ExtraPictureSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "location",
            "importance",
            "order",
            "genuine_image",
            "counterfeit_image",
            "extra_pictures",
            "translated",
            "source_language",
        ]
        read_only_fields = ["translated", "source_language"]

    def _url(self, indicator: Indicator, side: str) -> str:
        path_ = reverse("guides-api:indicator-image", args=[indicator.version.guide_id, indicator.key, side])
        return self.context["request"].build_absolute_uri(f"{path_}?version={indicator.version.number}")

    @extend_schema_field(serializers.URLField())
    def get_genuine_image(self, indicator: Indicator) -> str:
        return self._url(indicator, "genuine")

    @extend_schema_field(serializers.URLField())
    def get_counterfeit_image(self, indicator: Indicator) -> str:
        return self._url(indicator, "counterfeit")


class GuideSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    brand = ScopedPrimaryKeyField(Brand)
    product = ScopedPrimaryKeyField(Product, required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    language = serializers.CharField(max_length=8)
    visibility = GuideVisibilitySerializer(required=False)
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Guide.objects.none(), required=False, write_only=True, help_text=_("A guide this one translates.")
    )
    status = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    translations = serializers.ListField(child=serializers.DictField(), read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        list_serializer_class = GuideListSerializer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["translation_of"].queryset = Guide.objects.restrict(request.user, "change")

    def to_representation(self, guide: Guide) -> dict:
        user = self.context["request"].user
        version = version_for(user, guide)
        countries = sorted(c.country.code for c in guide.visibility_countries.all())
        data = {
            "id": guide.pk,
            "brand": guide.brand_id,
            "product": guide.product_id,
            "category": guide.category,
            "title": version.title if version else "",
            "summary": version.summary if version else "",
            "language": guide.language,
            "visibility": {
                "all": guide.visible_to_all,
                "countries": [] if guide.visible_to_all else countries,
                "agencies": guide.agencies,
            },
            "status": guide.status if sees_drafts(user, guide) else "published",
            "version": version.number if version else None,
            "published_at": version.published_at if version else None,
            "translations": [
                {"id": other.pk, "language": other.language} for other in getattr(guide, "translation_list", [])
            ],
        }
        if self.context.get("with_indicators", True) and version is not None:
            indicators = version.indicators.select_related("version").prefetch_related("extra_pictures")
            data["indicators"] = IndicatorSerializer(indicators, many=True, context=self.context).data
        if sees_drafts(user, guide) and guide.moderation_reason:
            data["moderation_reason"] = guide.moderation_reason
        return data


class IndicatorWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IndicatorKind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    importance = serializers.ChoiceField(choices=Importance.choices, required=False)
    order = serializers.IntegerField(min_value=0, max_value=32_000, required=False)
    genuine_image = SafeImageField(required=False)
    counterfeit_image = SafeImageField(required=False)


class VersionChangesSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
    title = serializers.DictField(allow_null=True)
    summary_changed = serializers.BooleanField()


class VersionHistorySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.CharField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.CharField(allow_null=True)
    changes = VersionChangesSerializer(allow_null=True, help_text=_("What changed since the version before."))


class ChecklistResultSerializer(serializers.Serializer):
    indicator = serializers.UUIDField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ChecklistWriteSerializer(serializers.Serializer):
    results = ChecklistResultSerializer(many=True, max_length=500)
    note = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class ChecklistSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "guide", "version", "results", "counts", "conclusion", "note", "created"]


class FeedbackWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    message = serializers.CharField(max_length=20_000)
    photo = SafeImageField(required=False)


class FeedbackSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    photo = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "guide", "version", "kind", "message", "photo", "status", "answer", "answered_at", "created"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, feedback: Feedback) -> str | None:
        if not feedback.photo:
            return None
        url = reverse("guides-api:feedback-photo", args=[feedback.guide_id, feedback.pk])
        return self.context["request"].build_absolute_uri(url)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20_000)


class UsageSerializer(serializers.Serializer):
    since = serializers.DateField()
    total = serializers.IntegerField()
    by_country = serializers.ListField(child=serializers.DictField())
    by_day = serializers.ListField(child=serializers.DictField())
    by_guide = serializers.ListField(child=serializers.DictField())


class ExtraPictureUploadSerializer(serializers.Serializer):
    image = SafeImageField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
