"""The guides API: /api/v1/guides/, indicators, the workflow and the history.

Officers read the published version of the guides visible to them; the owner's members (and
platform admins) read the latest version, draft included. Writes go through the services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import ReasonSerializer
from accounts.audit import client_ip
from brands.api.serializers import ScopedPrimaryKeyField
from brands.models import Brand, Category, Product
from core.api import CountryCodeField
from core.parsers import JSONParser
from uploads.serializers import SafeImageField

from .. import services
from ..models import (
    Checklist,
    Feedback,
    FeedbackKind,
    Guide,
    GuideVersion,
    Importance,
    Indicator,
    IndicatorKind,
    IndicatorPicture,
    Verdict,
)


def sees_drafts(user, guide: Guide) -> bool:
    """The owner's members and platform admins read the latest version; others the published."""
    return user.is_platform_admin or (user.organization is not None and user.organization.pk == guide.brand.owner_id)


def version_for(user, guide: Guide) -> GuideVersion | None:
    if sees_drafts(user, guide):
        versions = getattr(guide, "ordered_versions", None)
        return versions[0] if versions else guide.latest_version()
    return guide.published_version


class GuideVisibilitySerializer(serializers.Serializer):
    all = serializers.BooleanField(help_text=_("As visible as the brand (true), or only the listed countries."))
    countries = serializers.ListField(child=CountryCodeField(), required=False, default=list, max_length=250)


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
        ]

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["translation_of"].queryset = Guide.objects.editable_by(request.user)

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
            "visibility": {"all": guide.visible_to_all, "countries": [] if guide.visible_to_all else countries},
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


class GuideViewSet(viewsets.ModelViewSet):
    serializer_class = GuideSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = (
            Guide.objects.visible_to(self.request.user)
            .select_related("brand", "published_version")
            .prefetch_related(
                "visibility_countries",
                Prefetch("versions", queryset=GuideVersion.objects.order_by("-number"), to_attr="ordered_versions"),
            )
            .order_by("-created", "-id")
        )
        brand = self.request.query_params.get("brand")
        if brand:
            if not (brand.isascii() and brand.isdigit()):
                raise ApiValidationError({"brand": [_("Give the brand's id (a number).")]})
            queryset = queryset.filter(brand_id=int(brand))
        if self.action == "list" and self.request.query_params.get("all_languages") != "true":
            queryset = queryset.in_language_of(self.request.user)
        product = self.request.query_params.get("product")
        if product:
            if not (product.isascii() and product.isdigit()):
                raise ApiValidationError({"product": [_("Give the product's id (a number).")]})
            queryset = queryset.filter(product_id=int(product))
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["with_indicators"] = self.action != "list"
        return context

    def retrieve(self, request, *args, **kwargs):
        guide = self.get_object()
        services.guide_view_record(guide=guide, user=request.user)
        return Response(self.get_serializer(guide).data)

    def get_object(self):
        guide = super().get_object()
        others = Guide.objects.visible_to(self.request.user).filter(translation_group=guide.translation_group)
        guide.translation_list = list(others.exclude(pk=guide.pk).order_by("language"))
        return guide

    def _answer(self, guide: Guide, code=status.HTTP_200_OK) -> Response:
        guide = self.get_queryset().get(pk=guide.pk)
        return Response(self.get_serializer(guide).data, status=code)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        guide = services.guide_create(actor=request.user, brand=data.pop("brand"), data=data)
        return self._answer(guide, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        guide = self.get_object()
        body = self.get_serializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        if "brand" in request.data:
            raise ApiValidationError({"brand": [_("A guide stays with its brand.")]})
        services.guide_update(actor=request.user, guide=guide, data=dict(body.validated_data))
        return self._answer(guide)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": _("Use PATCH.")}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        return super().update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.guide_delete(actor=self.request.user, guide=instance)

    @extend_schema(request=None, responses=GuideSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.guide_submit(actor=request.user, guide=self.get_object()))

    @extend_schema(request=None, responses=GuideSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        guide = services.guide_publish(actor=request.user, guide=self.get_object(), ip=client_ip(request))
        return self._answer(guide)

    @extend_schema(request=None, responses=GuideSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        guide = services.guide_archive(actor=request.user, guide=self.get_object(), ip=client_ip(request))
        return self._answer(guide)

    @extend_schema(request=ReasonSerializer, responses=GuideSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        guide = services.guide_unpublish(
            actor=request.user, guide=self.get_object(), reason=body.validated_data["reason"], ip=client_ip(request)
        )
        return self._answer(guide)

    @extend_schema(responses=VersionHistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        """The history: each version with who published it when, and what changed since the
        one before. Officers see the published versions only."""
        guide = self.get_object()
        versions = guide.versions.select_related("published_by").prefetch_related("indicators").order_by("number")
        owner_view = sees_drafts(request.user, guide)
        if not owner_view:
            versions = versions.filter(published_at__isnull=False)
        versions = list(versions)
        history = []
        for previous, version in zip([None, *versions], versions, strict=False):
            history.append(
                {
                    "version": version.number,
                    "status": version.status,
                    "title": version.title,
                    "published_at": version.published_at,
                    # Officers need not know which of the owner's people published it.
                    "published_by": version.published_by.full_name if owner_view and version.published_by else None,
                    "changes": services.version_diff(previous, version) if previous else None,
                }
            )
        return Response(list(reversed(history)))

    @extend_schema(request={"multipart/form-data": IndicatorWriteSerializer}, responses={201: IndicatorSerializer})
    @action(detail=True, methods=["post"], url_path="indicators")
    def add_indicator(self, request, pk=None):
        guide = self.get_object()
        services._editable_guide(request.user, guide)  # before decoding two pictures
        body = IndicatorWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        indicator = services.indicator_add(
            actor=request.user,
            guide=guide,
            data=data,
            genuine_image=data.pop("genuine_image", None),
            counterfeit_image=data.pop("counterfeit_image", None),
        )
        return Response(IndicatorSerializer(indicator, context={"request": request}).data, status=201)

    @extend_schema(
        request=ChecklistWriteSerializer, responses={200: ChecklistSerializer(many=True), 201: ChecklistSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def checklists(self, request, pk=None):
        """POST: an officer's inspection (a verdict per indicator of the published version);
        GET: the inspections of this guide by the person's administration."""
        guide = self.get_object()
        if request.method == "POST":
            body = ChecklistWriteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            results = [{**r, "indicator": str(r["indicator"])} for r in body.validated_data["results"]]
            checklist = services.checklist_record(
                actor=request.user, guide=guide, results=results, note=body.validated_data["note"]
            )
            return Response(ChecklistSerializer(checklist).data, status=status.HTTP_201_CREATED)
        checklists = Checklist.objects.visible_to(request.user).filter(guide=guide).select_related("version")
        page = self.paginate_queryset(checklists)
        return self.get_paginated_response(ChecklistSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": FeedbackWriteSerializer},
        responses={200: FeedbackSerializer(many=True), 201: FeedbackSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def feedback(self, request, pk=None):
        """POST (officers): "this guide is outdated or wrong", or a new fake variant with a photo.
        GET: the feedback the person may see (their administration's, or all, for the owner)."""
        guide = self.get_object()
        context = {"request": request}
        if request.method == "POST":
            body = FeedbackWriteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            feedback = services.feedback_send(actor=request.user, guide=guide, **body.validated_data)
            return Response(FeedbackSerializer(feedback, context=context).data, status=status.HTTP_201_CREATED)
        items = Feedback.objects.visible_to(request.user).filter(guide=guide).select_related("version")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(FeedbackSerializer(page, many=True, context=context).data)

    @extend_schema(responses=FeedbackSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="feedback-queue")
    def feedback_queue(self, request):
        """The brand owner's queue: feedback on its guides, open first, newest first."""
        items = (
            Feedback.objects.visible_to(request.user).select_related("version").order_by("status", "-created", "-id")
        )
        state = request.query_params.get("status")
        if state:
            items = items.filter(status=state)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(FeedbackSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(responses=UsageSerializer, parameters=[OpenApiParameter("days", int)])
    @action(detail=True, methods=["get"])
    def usage(self, request, pk=None):
        """Officers' readings of this guide per country and per day (no names)."""
        guide = self.get_object()
        if not sees_drafts(request.user, guide):
            raise PermissionDenied(_("Only the brand owner sees how a guide is used."))
        return Response(services.guide_usage(guides=Guide.objects.filter(pk=guide.pk), days=_days(request)))

    @extend_schema(
        responses=UsageSerializer, parameters=[OpenApiParameter("days", int)], operation_id="v1_guides_usage_all"
    )
    @action(detail=False, methods=["get"], url_path="usage")
    def usage_all(self, request):
        """The dashboard: readings of all the organization's guides (platform admins: all)."""
        user = request.user
        if not (user.is_right_holder or user.is_platform_admin):
            raise PermissionDenied(_("Only brand owners see how their guides are used."))
        return Response(services.guide_usage(guides=Guide.objects.visible_to(user), days=_days(request)))


def _days(request) -> int:
    value = request.query_params.get("days", "90")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 730:
        raise ApiValidationError({"days": [_("Give a number of days from 1 to 730.")]})
    return int(value)


class FeedbackAnswerView(APIView):
    """POST /api/v1/guides/{id}/feedback/{feedback_id}/answer/ (the brand's admins and editors)."""

    @extend_schema(request=AnswerSerializer, responses=FeedbackSerializer)
    def post(self, request, pk, feedback_pk):
        feedback = get_object_or_404(Feedback.objects.visible_to(request.user), pk=feedback_pk, guide_id=pk)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = services.feedback_answer(
            actor=request.user, feedback=feedback, answer=body.validated_data["answer"]
        )
        return Response(FeedbackSerializer(feedback, context={"request": request}).data)


class FeedbackPhotoView(APIView):
    @extend_schema(responses={(200, "image/*"): bytes})
    def get(self, request, pk, feedback_pk):
        from django.http import Http404

        from uploads.serving import protected_file_response

        feedback = get_object_or_404(Feedback.objects.visible_to(request.user), pk=feedback_pk, guide_id=pk)
        if not feedback.photo:
            raise Http404
        return protected_file_response(request, feedback.photo)


class IndicatorView(APIView):
    """PATCH or DELETE /api/v1/guides/{id}/indicators/{indicator_id}/ (on the version being
    written: editing a published guide opens its next version)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _guide(self, request, pk) -> Guide:
        guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
        services._editable_guide(request.user, guide)
        return guide

    @extend_schema(request={"multipart/form-data": IndicatorWriteSerializer}, responses=IndicatorSerializer)
    def patch(self, request, pk, key):
        guide = self._guide(request, pk)
        body = IndicatorWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        indicator = services.indicator_update(
            actor=request.user,
            guide=guide,
            key=key,
            data=data,
            genuine_image=data.pop("genuine_image", None),
            counterfeit_image=data.pop("counterfeit_image", None),
        )
        return Response(IndicatorSerializer(indicator, context={"request": request}).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, key):
        services.indicator_delete(actor=request.user, guide=self._guide(request, pk), key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorImageView(APIView):
    """The genuine or counterfeit picture of an indicator, to people who may read that version."""

    @extend_schema(
        parameters=[OpenApiParameter("version", int), OpenApiParameter("size", str, enum=["large", "original"])],
        responses={(200, "image/*"): bytes},
    )
    def get(self, request, pk, key, side):
        from django.http import Http404

        from uploads.serving import protected_file_response

        guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
        version = _readable_version(request, guide)
        indicator = version.indicators.filter(key=key).first() if version else None
        if indicator is None or side not in ("genuine", "counterfeit"):
            raise Http404
        # The phone-sized copy by default (the original until it exists); ?size=original for the
        # full picture.
        image = getattr(indicator, f"{side}_image")
        if request.query_params.get("size") != "original":
            image = getattr(indicator, f"{side}_thumb") or image
        return protected_file_response(request, image)


class ExtraPictureUploadSerializer(serializers.Serializer):
    image = SafeImageField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IndicatorPicturesView(APIView):
    """POST /api/v1/guides/{id}/indicators/{indicator_id}/pictures/: an extra picture (multipart
    `image`, optional `caption`), on the version being written."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ExtraPictureUploadSerializer}, responses={201: ExtraPictureSerializer}
    )
    def post(self, request, pk, key):
        guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
        services._editable_guide(request.user, guide)  # before decoding the picture
        body = ExtraPictureUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        picture = services.indicator_picture_add(actor=request.user, guide=guide, key=key, **body.validated_data)
        return Response(ExtraPictureSerializer(picture, context={"request": request}).data, status=201)


class IndicatorPictureView(APIView):
    """DELETE an extra picture (on the version being written); GET its file (?version=N)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, key, picture_key):
        guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
        services.indicator_picture_delete(actor=request.user, guide=guide, key=key, picture_key=picture_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorPictureFileView(APIView):
    @extend_schema(parameters=[OpenApiParameter("version", int)], responses={(200, "image/*"): bytes})
    def get(self, request, pk, key, picture_key):
        from django.http import Http404

        from uploads.serving import protected_file_response

        guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
        version = _readable_version(request, guide)
        picture = (
            IndicatorPicture.objects.filter(indicator__version=version, indicator__key=key, key=picture_key).first()
            if version
            else None
        )
        if picture is None:
            raise Http404
        return protected_file_response(request, picture.image)


def _readable_version(request, guide: Guide) -> GuideVersion | None:
    """The version asked for with ?version=N among those the person may read (the published
    ones for officers), or the one they read by default."""
    versions = guide.versions.all()
    if not sees_drafts(request.user, guide):
        versions = versions.filter(published_at__isnull=False)
    number = request.query_params.get("version", "")
    if number.isascii() and number.isdigit():
        return versions.filter(number=int(number)).first()
    return version_for(request.user, guide)
