"""The catalogue API. Reads go through `restrict(request.user, "view")` (an invisible object is a 404);
writes go through the services, which allow the owner's admins and editors only (403 for a
visible object the person may not change)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ScopedAPIView
from core.gate import object_or_404
from core.parsers import JSONParser
from core.permissions import require
from jobs.api.serializers import JobSerializer

from .. import services
from ..codes import MAX_CODE_LENGTH, interpret
from ..extensions import with_product_facts
from ..identifiers import normalize_gtin, normalize_hs_prefix
from ..models import Brand, Category, Contact, Product, ProductImage, SupplyChainEntry, TrademarkRegistration
from ..permissions import CATALOGUE_EXPORT
from .serializers import (
    BrandSerializer,
    CodeSerializer,
    ContactSerializer,
    ImageUploadSerializer,
    LogoUploadSerializer,
    ProductImageSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    SupplyChainSerializer,
    TrademarkSerializer,
)

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


def _data_without(validated: dict, *fields: str) -> dict:
    return {k: v for k, v in validated.items() if k not in fields}


class PatchIsPartial:
    """PATCH validates only the fields it sends."""

    def get_serializer(self, *args, **kwargs):
        if self.action == "partial_update":
            kwargs["partial"] = True
        return super().get_serializer(*args, **kwargs)


class NestedRows:
    """The rows of one parent the person may see (a brand's trade marks, a product's pictures):
    the parent through the gate (404 when out of sight), fetched once per request."""

    model = None
    parent_model = None
    parent_kwarg = ""
    parent_field = ""

    def parent(self):
        if not hasattr(self, "_parent"):
            self._parent = object_or_404(self.request.user, self.parent_model, self.kwargs[self.parent_kwarg])
        return self._parent

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.restrict(self.request.user, "view").filter(**{self.parent_field: self.parent()})


# --------------------------------------------------------------------------- brands


class BrandFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", help_text=_("Part of the name."))
    category = filters.ChoiceFilter(choices=Category.choices, method="filter_category")

    class Meta:
        model = Brand
        fields = ["q", "category"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    def filter_category(self, queryset, name, value):
        # JSON containment is not portable to SQLite: filter through the products' categories or
        # the brand's list by a text match on the stored JSON array.
        return queryset.filter(Q(categories__icontains=f'"{value}"') | Q(products__category=value)).distinct()


class BrandViewSet(ScopedAPIView, PatchIsPartial, viewsets.ModelViewSet):
    serializer_class = BrandSerializer
    filterset_class = BrandFilter
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        return (
            Brand.objects.restrict(self.request.user, "view")
            .select_related("owner")
            .prefetch_related("visibility_countries", "visibility_agencies")
            .order_by("-created", "-id")
        )

    def perform_create(self, serializer):
        serializer.instance = services.brand_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.brand_update(
            actor=self.request.user, brand=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.brand_delete(actor=self.request.user, brand=instance)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data = self.get_serializer(self._fresh(response.data["id"])).data
        return response

    def partial_update(self, request, *args, **kwargs):
        super().partial_update(request, *args, **kwargs)
        return Response(self.get_serializer(self._fresh(kwargs["pk"])).data)

    def _fresh(self, pk):
        return self.get_queryset().get(pk=pk)


# --------------------------------------------------------------------------- brand items


class BrandItemViewSet(
    ScopedAPIView,
    NestedRows,
    PatchIsPartial,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Trade marks, contacts and supply-chain entries of one brand: /api/v1/brands/{id}/<kind>/."""

    kind = ""
    parent_model, parent_kwarg, parent_field = Brand, "brand_pk", "brand"
    http_method_names = WRITE_METHODS

    def perform_create(self, serializer):
        serializer.instance = services.brand_item_create(
            actor=self.request.user, brand=self.parent(), kind=self.kind, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.brand_item_update(
            actor=self.request.user, item=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.brand_item_delete(actor=self.request.user, item=instance)


_BRAND_PK = OpenApiParameter("brand_pk", int, OpenApiParameter.PATH, description="The brand's id.")


@extend_schema(parameters=[_BRAND_PK])
class TrademarkViewSet(BrandItemViewSet):
    kind, model, serializer_class = "trademarks", TrademarkRegistration, TrademarkSerializer


@extend_schema(parameters=[_BRAND_PK])
class ContactViewSet(BrandItemViewSet):
    kind, model, serializer_class = "contacts", Contact, ContactSerializer


@extend_schema(parameters=[_BRAND_PK])
class SupplyChainViewSet(BrandItemViewSet):
    kind, model, serializer_class = "supply-chain", SupplyChainEntry, SupplyChainSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("product")


# --------------------------------------------------------------------------- products


class ProductFilter(filters.FilterSet):
    brand = filters.NumberFilter(field_name="brand_id")
    category = filters.ChoiceFilter(choices=Category.choices)
    hs_code = filters.CharFilter(method="filter_hs_code", help_text=_("An HS code or its first digits."))
    gtin = filters.CharFilter(method="filter_gtin", help_text=_("A GTIN-8, -12, -13 or -14."))
    q = filters.CharFilter(method="filter_q", help_text=_("Part of the name or the SKU."))

    class Meta:
        model = Product
        fields = ["brand", "category", "hs_code", "gtin", "q"]

    def filter_hs_code(self, queryset, name, value):
        try:
            return queryset.filter(hs_code__startswith=normalize_hs_prefix(value))
        except ValidationError as error:
            raise ApiValidationError({"hs_code": error.messages}) from None

    def filter_gtin(self, queryset, name, value):
        try:
            return queryset.filter(gtin_set__gtin=normalize_gtin(value))
        except ValidationError as error:
            raise ApiValidationError({"gtin": error.messages}) from None

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))


class ProductViewSet(ScopedAPIView, PatchIsPartial, viewsets.ModelViewSet):
    filterset_class = ProductFilter
    http_method_names = WRITE_METHODS

    def get_queryset(self):
        products = Product.objects.restrict(self.request.user, "view").with_details().order_by("-created", "-id")
        # What higher apps tell this reader about each product (brands.extensions), same query.
        products, self.product_facts = with_product_facts(products, self.request.user)
        return products

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "product_facts": getattr(self, "product_facts", ())}

    def get_serializer_class(self):
        return ProductUpdateSerializer if self.action == "partial_update" else ProductSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.product_create(
            actor=self.request.user, brand=data["brand"], data=_data_without(data, "brand")
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            actor=self.request.user, product=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.product_delete(actor=self.request.user, product=instance)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.data = ProductSerializer(self._fresh(response.data["id"]), context=self.get_serializer_context()).data
        return response

    def partial_update(self, request, *args, **kwargs):
        super().partial_update(request, *args, **kwargs)
        return Response(ProductSerializer(self._fresh(kwargs["pk"]), context=self.get_serializer_context()).data)

    def _fresh(self, pk):
        return self.get_queryset().get(pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("gtin", str, description=_("A GTIN-8, -12, -13 or -14.")),
            OpenApiParameter(
                "code",
                str,
                description=_(
                    "A scanned code's text as read (EAN/UPC, GS1 element string, GS1 Digital Link), instead "
                    "of gtin; with symbology, the reader's name for the kind of code (e.g. UPCE: an "
                    "8-digit UPC-E is then expanded, not read as an EAN-8)."
                ),
            ),
            OpenApiParameter("symbology", str),
        ],
        responses=ProductSerializer,
    )
    @action(detail=False, methods=["get"])
    def lookup(self, request):
        """The one visible product that carries this GTIN: 200, 404 if none is visible, 400 for a
        GTIN that is not one (with what is wrong, e.g. the expected check digit). With `code`,
        the answer adds `codes`: what the code says (batch, serial, dates)."""
        params = request.query_params
        codes = []
        if "code" in params:
            text = params.get("code", "")
            if not text.strip() or len(text) > MAX_CODE_LENGTH or "\x00" in text:
                raise ApiValidationError({"code": [_("Send the text of a scanned code.")]})
            code = interpret(params.get("symbology", "")[:40], text)
            if code.gtin is None:
                raise ApiValidationError({"code": [_("This code carries no valid GTIN.")]})
            gtin, codes = code.gtin, [code.as_dict()]
        else:
            try:
                gtin = normalize_gtin(params.get("gtin", ""))
            except ValidationError as error:
                raise ApiValidationError({"gtin": error.messages}) from None
        product = get_object_or_404(self.get_queryset(), gtin_set__gtin=gtin)
        data = ProductSerializer(product, context=self.get_serializer_context()).data
        if codes:
            data["codes"] = CodeSerializer(codes, many=True).data
        return Response(data)


class ProductImageUploadMixin:
    """POST /api/v1/products/{id}/images/ (multipart `image`, optional `caption`, `kind`)."""

    @extend_schema(request={"multipart/form-data": ImageUploadSerializer}, responses={201: ProductImageSerializer})
    def create(self, request, *args, **kwargs):
        product = self.parent()
        # Who may add pictures is settled before the picture is decoded (it may be 50 MP).
        services.require_editable(request.user, Product.objects, product)
        body = ImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        picture = services.product_image_add(
            actor=request.user,
            product=product,
            image=body.validated_data["image"],
            caption=body.validated_data["caption"],
            kind=body.validated_data["kind"],
        )
        return _status_created(self.get_serializer(picture).data)

    @extend_schema(
        parameters=[OpenApiParameter("size", str, enum=["original", "small", "large"])],
        responses={(200, "image/*"): bytes},
    )
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        """The picture itself, to people who may see the product (token or session)."""
        from uploads.serving import protected_file_response

        picture = self.get_object()
        size = request.query_params.get("size", "original")
        if size not in ("original", "small", "large"):
            raise ApiValidationError({"size": [_("Choose original, small or large.")]})
        field = {"small": picture.thumb_small, "large": picture.thumb_large}.get(size) or picture.image
        return protected_file_response(request, field)


class ProductImageViewSet(
    ScopedAPIView,
    ProductImageUploadMixin,
    NestedRows,
    PatchIsPartial,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Pictures of one product: /api/v1/products/{id}/images/. Uploading is multipart `image`."""

    serializer_class = ProductImageSerializer
    model, parent_model, parent_kwarg, parent_field = ProductImage, Product, "product_pk", "product"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = WRITE_METHODS

    def perform_update(self, serializer):
        serializer.instance = services.product_image_update(
            actor=self.request.user, picture=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.product_image_delete(actor=self.request.user, picture=instance)


def _status_created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


class BrandLogoView(ScopedAPIView, APIView):
    """GET the brand's logo (people who may see the brand); POST multipart `image` to set it
    (the owner's editors)."""

    parser_classes = [MultiPartParser, FormParser]

    def _brand(self, request, brand_pk) -> Brand:
        return get_object_or_404(Brand.objects.restrict(request.user, "view"), pk=brand_pk)

    @extend_schema(responses={(200, "image/*"): bytes})
    def get(self, request, brand_pk):
        from uploads.serving import protected_file_response

        brand = self._brand(request, brand_pk)
        if not brand.logo:
            raise Http404
        return protected_file_response(request, brand.logo)

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"image": {"type": "string", "format": "binary"}}}
        },
        responses=BrandSerializer,
    )
    def post(self, request, brand_pk):
        brand = self._brand(request, brand_pk)
        services.require_editable(request.user, Brand.objects, brand)  # before decoding the picture
        body = LogoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brand = services.brand_set_logo(actor=request.user, brand=brand, image=body.validated_data["image"])
        return Response(BrandSerializer(brand, context={"request": request}).data)


class ProductImportSerializer(drf_serializers.Serializer):
    brand = drf_serializers.IntegerField(help_text=_("The brand the products belong to."))
    file = drf_serializers.FileField(help_text=_("CSV (UTF-8) or XLSX; the first row names the columns."))


class ProductImportView(ScopedAPIView, APIView):
    """POST /api/v1/products/import/: start a background import of a CSV or XLSX file into one
    brand (all rows or none). Answers 201 with the job; follow it at /api/v1/jobs/{id}/."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ProductImportSerializer}, responses={201: JobSerializer})
    def post(self, request):
        from jobs.readers import detect_format

        from ..job_handlers import products_import_start

        body = ProductImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        brand = Brand.objects.restrict(request.user, "change").filter(pk=body.validated_data["brand"]).first()
        if brand is None:
            raise ApiValidationError({"brand": [_("No such brand that you can edit.")]})
        upload = body.validated_data["file"]
        try:  # refuse a file that is neither CSV nor XLSX now, not in the background
            detect_format(upload, upload.name)
        except ValidationError as error:
            raise ApiValidationError({"file": error.messages}) from None
        upload.seek(0)
        job = products_import_start(actor=request.user, brand=brand, file=upload)
        job.refresh_from_db()  # run in-process (no broker), it may already have finished
        return _status_created(JobSerializer(job, context={"request": request}).data)


class ProductExportView(ScopedAPIView, APIView):
    """GET /api/v1/products/export/?brand=: the visible products as CSV (streamed)."""

    @extend_schema(
        parameters=[OpenApiParameter("brand", int, description=_("Only this brand's products."))],
        responses={(200, "text/csv"): bytes},
    )
    def get(self, request):
        from jobs.writers import stream_csv

        from ..importing import EXPORT_COLUMNS, export_rows

        require(request.user, CATALOGUE_EXPORT)  # the page refuses it too
        products = Product.objects.restrict(request.user, "view").select_related("brand").prefetch_related("gtin_set")
        brand = request.query_params.get("brand")
        if brand:
            if not (brand.isascii() and brand.isdigit()):
                raise ApiValidationError({"brand": [_("Give the brand's id (a number).")]})
            products = products.filter(brand_id=int(brand))
        rows = export_rows(products.order_by("brand_id", "id").iterator(chunk_size=2000))
        return stream_csv(rows, EXPORT_COLUMNS, filename="products.csv")
