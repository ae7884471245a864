"""/api/v1/guides/: the guides the person may see, their workflow, history, indicators added,
inspections, feedback and usage.

Officers read the published version of the guides visible to them; the owner's members (and
platform admins) read the latest version, draft included. Writes go through the services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import ReasonSerializer
from accounts.audit import client_ip
from core.api import ScopedAPIView
from core.parsers import JSONParser
from core.permissions import allowed, require

from ... import services
from ...models import Checklist, Feedback, Guide, GuideVersion
from ...permissions import GUIDE_USAGE
from ...selectors import guide_usage, sees_drafts, version_diff
from ..serializers import (
    ChecklistSerializer,
    ChecklistWriteSerializer,
    FeedbackSerializer,
    FeedbackWriteSerializer,
    GuideSerializer,
    IndicatorSerializer,
    IndicatorWriteSerializer,
    UsageSerializer,
    VersionHistorySerializer,
)
from .indicators import indicator_body


class GuideViewSet(ScopedAPIView, viewsets.ModelViewSet):
    serializer_class = GuideSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = (
            Guide.objects.restrict(self.request.user, "view")
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
        others = Guide.objects.restrict(self.request.user, "view").filter(translation_group=guide.translation_group)
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
                    "changes": version_diff(previous, version) if previous else None,
                }
            )
        return Response(list(reversed(history)))

    @extend_schema(request={"multipart/form-data": IndicatorWriteSerializer}, responses={201: IndicatorSerializer})
    @action(detail=True, methods=["post"], url_path="indicators")
    def add_indicator(self, request, pk=None):
        guide = self.get_object()
        services._editable_guide(request.user, guide)  # before decoding two pictures
        indicator = services.indicator_add(actor=request.user, guide=guide, **indicator_body(request))
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
        checklists = Checklist.objects.restrict(request.user, "view").filter(guide=guide).select_related("version")
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
        items = Feedback.objects.restrict(request.user, "view").filter(guide=guide).select_related("version")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(FeedbackSerializer(page, many=True, context=context).data)

    @extend_schema(responses=FeedbackSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="feedback-queue")
    def feedback_queue(self, request):
        """The brand owner's queue: feedback on its guides, open first, newest first."""
        items = (
            Feedback.objects.restrict(request.user, "view")
            .select_related("version")
            .order_by("status", "-created", "-id")
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
        guide = self.get_object()  # 404 for those who cannot see it
        # Those who see the guide and may see usage figures are its owner's members.
        if not allowed(request.user, GUIDE_USAGE):
            raise PermissionDenied(_("Only the brand owner sees how a guide is used."))
        return Response(
            guide_usage(guides=Guide.objects.restrict(request.user, "view").filter(pk=guide.pk), days=_days(request))
        )

    @extend_schema(
        responses=UsageSerializer, parameters=[OpenApiParameter("days", int)], operation_id="v1_guides_usage_all"
    )
    @action(detail=False, methods=["get"], url_path="usage")
    def usage_all(self, request):
        """The dashboard: readings of all the organization's guides (platform admins: all)."""
        require(request.user, GUIDE_USAGE)
        return Response(guide_usage(guides=Guide.objects.restrict(request.user, "view"), days=_days(request)))


def _days(request) -> int:
    value = request.query_params.get("days", "90")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 730:
        raise ApiValidationError({"days": [_("Give a number of days from 1 to 730.")]})
    return int(value)
