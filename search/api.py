"""Search endpoints: GET /api/v1/search/ (ranked full text) and POST /api/v1/search/photo/."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.api.serializers import CodeSerializer, ProductSerializer
from brands.identifiers import normalize_hs_prefix
from brands.models import Category
from core.api import CountryCodeField, ScopedAPIView

from . import services
from .barcodes import open_photo
from .models import ResultType
from .pagination import SearchPagination
from .photo import PhotoSearchThrottle, decode_photo, products_with_codes


class SearchParameters(serializers.Serializer):
    q = serializers.CharField(
        max_length=services.MAX_QUERY_LENGTH,
        help_text=_("What to look for: a brand, product, GTIN, HS code, trade-mark number or words of a guide."),
        error_messages={"blank": _("Type what you are looking for."), "required": _("Type what you are looking for.")},
    )
    type = serializers.ChoiceField(choices=ResultType.choices, required=False)
    hs_code = serializers.CharField(required=False, help_text=_("An HS code prefix, 2 to 10 digits."))
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    origin = CountryCodeField(required=False, help_text=_("An expected origin country of the products."))

    def validate_hs_code(self, value):
        try:
            return normalize_hs_prefix(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ResultType.choices)
    id = serializers.IntegerField()
    title = serializers.CharField()
    brand = serializers.IntegerField()
    brand_name = serializers.CharField()
    snippet = serializers.CharField(help_text=_("An extract with the matching words in <mark>, HTML-escaped."))
    score = serializers.FloatField()
    link = serializers.CharField(help_text=_("The page of the result on the portal."))


class SearchView(ScopedAPIView, GenericAPIView):
    """Ranked search over what the person may see: exact brand, alias, GTIN, SKU or trade-mark
    number first, then products by name, then text. Accent- and case-insensitive, prefix
    matching on every word; typo tolerant on PostgreSQL."""

    pagination_class = SearchPagination
    serializer_class = HitSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("type", str, enum=ResultType.values),
            OpenApiParameter("hs_code", str),
            OpenApiParameter("category", str, enum=Category.values),
            OpenApiParameter("origin", str),
        ]
    )
    def get(self, request):
        params = SearchParameters(data=request.query_params)
        params.is_valid(raise_exception=True)
        text = params.validated_data.pop("q")
        documents = services.search(request.user, text, **params.validated_data)
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(HitSerializer(services.hits(page, text), many=True).data)


class PhotoField(serializers.FileField):
    """A photo to search with (input only): its validated value is the picture reduced for
    reading (search.barcodes.open_photo); a refused upload is a 400 with the message here."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("write_only", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        uploaded = super().to_internal_value(data)  # DRF's checks: a file, with a name, not empty
        try:
            return open_photo(uploaded)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc


class PhotoSerializer(serializers.Serializer):
    image = PhotoField(
        help_text=_(
            "A photo of the item or its label (JPEG, PNG or WebP). PNG and WebP pictures larger than "
            "PHOTO_SEARCH_MAX_PIXELS (16 million pixels by default) are refused: send photos as JPEG."
        )
    )


class PhotoResultSerializer(serializers.Serializer):
    codes = CodeSerializer(many=True)
    products = ProductSerializer(many=True)


class PhotoSearchView(ScopedAPIView, APIView):
    """Decode EAN-13, EAN-8, UPC-A/E, QR and DataMatrix codes in the photo (GS1 Digital Link and
    element strings give the GTIN, serial and batch) and answer the products, among those the
    person may see, that carry those GTINs. The photo is checked like every upload, read at a
    bounded size and kept nowhere; each person may send API_THROTTLE_PHOTO photos (30 a minute
    by default, 429 with Retry-After past it)."""

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [*APIView.throttle_classes, PhotoSearchThrottle]

    @extend_schema(request={"multipart/form-data": PhotoSerializer}, responses=PhotoResultSerializer)
    def post(self, request):
        body = PhotoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        codes = decode_photo(body.validated_data["image"])
        products = products_with_codes(request.user, codes)
        context = {"request": request}
        return Response(
            {
                "codes": [code.as_dict() for code in codes],
                "products": ProductSerializer(products, many=True, context=context).data,
            }
        )
