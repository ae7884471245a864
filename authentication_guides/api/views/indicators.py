"""An indicator changed or deleted, its pictures served, and its extra pictures added or deleted.
Changes apply to the version being written; the files are served for the version asked for among
those the person may read."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ScopedAPIView
from core.parsers import JSONParser

from ... import services
from ...models import Guide, GuideVersion, IndicatorPicture
from ...selectors import sees_drafts, version_for
from ..serializers import (
    ExtraPictureSerializer,
    ExtraPictureUploadSerializer,
    IndicatorSerializer,
    IndicatorWriteSerializer,
)


def indicator_body(request, *, partial: bool = False) -> dict:
    """The indicator sent (fields and pictures, validated) as the services take it: `data`, and
    `genuine_image` and `counterfeit_image` (None for a side not sent)."""
    body = IndicatorWriteSerializer(data=request.data, partial=partial)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    pictures = {side: data.pop(side, None) for side in ("genuine_image", "counterfeit_image")}
    return {"data": data, **pictures}


class IndicatorView(ScopedAPIView, APIView):
    """PATCH or DELETE /api/v1/guides/{id}/indicators/{indicator_id}/ (on the version being
    written: editing a published guide opens its next version)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _guide(self, request, pk) -> Guide:
        guide = get_object_or_404(Guide.objects.restrict(request.user, "view"), pk=pk)
        services._editable_guide(request.user, guide)
        return guide

    @extend_schema(request={"multipart/form-data": IndicatorWriteSerializer}, responses=IndicatorSerializer)
    def patch(self, request, pk, key):
        guide = self._guide(request, pk)
        indicator = services.indicator_update(
            actor=request.user, guide=guide, key=key, **indicator_body(request, partial=True)
        )
        return Response(IndicatorSerializer(indicator, context={"request": request}).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, key):
        services.indicator_delete(actor=request.user, guide=self._guide(request, pk), key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorImageView(ScopedAPIView, APIView):
    """The genuine or counterfeit picture of an indicator, to people who may read that version."""

    @extend_schema(
        parameters=[OpenApiParameter("version", int), OpenApiParameter("size", str, enum=["large", "original"])],
        responses={(200, "image/*"): bytes},
    )
    def get(self, request, pk, key, side):
        from django.http import Http404

        from uploads.serving import protected_file_response

        guide = get_object_or_404(Guide.objects.restrict(request.user, "view"), pk=pk)
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


class IndicatorPicturesView(ScopedAPIView, APIView):
    """POST /api/v1/guides/{id}/indicators/{indicator_id}/pictures/: an extra picture (multipart
    `image`, optional `caption`), on the version being written."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ExtraPictureUploadSerializer}, responses={201: ExtraPictureSerializer}
    )
    def post(self, request, pk, key):
        guide = get_object_or_404(Guide.objects.restrict(request.user, "view"), pk=pk)
        services._editable_guide(request.user, guide)  # before decoding the picture
        body = ExtraPictureUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        picture = services.indicator_picture_add(actor=request.user, guide=guide, key=key, **body.validated_data)
        return Response(ExtraPictureSerializer(picture, context={"request": request}).data, status=201)


class IndicatorPictureView(ScopedAPIView, APIView):
    """DELETE an extra picture (on the version being written); GET its file (?version=N)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, key, picture_key):
        guide = get_object_or_404(Guide.objects.restrict(request.user, "view"), pk=pk)
        services.indicator_picture_delete(actor=request.user, guide=guide, key=key, picture_key=picture_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorPictureFileView(ScopedAPIView, APIView):
    @extend_schema(parameters=[OpenApiParameter("version", int)], responses={(200, "image/*"): bytes})
    def get(self, request, pk, key, picture_key):
        from django.http import Http404

        from uploads.serving import protected_file_response

        guide = get_object_or_404(Guide.objects.restrict(request.user, "view"), pk=pk)
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
