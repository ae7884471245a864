"""Shapes of the catalogue API. Serializers check types and sizes; the services check the rules
(GTIN check digits and uniqueness, HS codes, visibility) and write."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CountryCodeField
from core.roles import AGENCY_CHOICES
from uploads.serializers import SafeImageField

from ..models import (
    Brand,
    Category,
    Contact,
    ImageCaption,
    Product,
    ProductImage,
    SupplyChainEntry,
    SupplyChainRole,
    TrademarkRegistration,
    TransportMode,
)

ShortText = lambda **kw: serializers.CharField(max_length=200, **kw)  # noqa: E731


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to an object the requester may edit; anything else (invisible, another
    organization's, not editable) is an ordinary 400 field error."""

    default_error_messages = {
        "does_not_exist": _("No such object that you can edit: {pk_value}."),
        "incorrect_type": _("Give the id (a number)."),
    }

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.model.objects.restrict(user, "change")


def agencies_field(help_text) -> serializers.ListField:
    """A non-empty list of enforcement kinds; left out, the current value stays (or the default)."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=AGENCY_CHOICES),
        required=False,
        allow_empty=False,
        max_length=len(AGENCY_CHOICES),
        help_text=help_text,
    )


class VisibilitySerializer(serializers.Serializer):
    all = serializers.BooleanField(help_text=_("Visible in every country (true), or only in those listed."))
    countries = serializers.ListField(child=CountryCodeField(), required=False, default=list, max_length=250)
    agencies = agencies_field(
        _("The kinds of enforcement agency that see the brand. Left out: unchanged (all five for a new brand).")
    )


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BrandSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True)
    aliases = serializers.ListField(child=ShortText(), required=False, max_length=100)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), required=False, max_length=len(Category.values)
    )
    visibility = VisibilitySerializer(required=False)
    logo = serializers.SerializerMethodField()

    class Meta:
        model = Brand
        fields = [
            "id",
            "name",
            "aliases",
            "description",
            "categories",
            "owner",
            "visibility",
            "logo",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "owner", "logo", "created", "updated"]
        extra_kwargs = {"description": {"max_length": 20_000}}

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_logo(self, brand: Brand) -> str | None:
        if not brand.logo:
            return None
        return self.context["request"].build_absolute_uri(reverse("brands-api:brand-logo", args=[brand.pk]))


class GtinListField(serializers.ListField):
    child = serializers.CharField(max_length=32)
    max_length = 50


class ProductImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "caption", "kind", "order", "width", "height", "thumbnails"]
        read_only_fields = ["id", "url", "width", "height", "thumbnails"]
        extra_kwargs = {"kind": {"required": False}}

    def _url(self, picture: ProductImage, size: str) -> str:
        path = reverse("brands-api:product-image-file", args=[picture.product_id, picture.pk])
        return self.context["request"].build_absolute_uri(f"{path}?size={size}")

    @extend_schema_field(serializers.URLField())
    def get_url(self, picture: ProductImage) -> str:
        return self._url(picture, "original")

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_thumbnails(self, picture: ProductImage) -> dict:
        """Until the thumbnails exist, every size answers with the original."""
        return {"small": self._url(picture, "small"), "large": self._url(picture, "large")}


class CodeSerializer(serializers.Serializer):
    """What a scanned code says (brands.codes): read only."""

    format = serializers.CharField()
    text = serializers.CharField()
    gtin = serializers.CharField(allow_null=True, help_text=_("As GTIN-14."))
    serial = serializers.CharField(allow_null=True)
    batch = serializers.CharField(allow_null=True)
    expiry = serializers.DateField(allow_null=True, help_text=_("Expiry (AI 17), or best before (AI 15)."))
    production_date = serializers.DateField(allow_null=True)
    sscc = serializers.CharField(allow_null=True, help_text=_("The logistic unit's SSCC (AI 00)."))


class ProductSerializer(serializers.ModelSerializer):
    brand = ScopedPrimaryKeyField(Brand)
    gtins = GtinListField(required=False)
    hs_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    sold_in = serializers.ListField(child=CountryCodeField(), required=False, max_length=250)
    # Amounts as text: "129.90", and "129,90" as written in French or Spanish (the service parses).
    price_min = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    price_max = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    images = ProductImageSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "brand",
            "name",
            "sku",
            "gtins",
            "hs_code",
            "category",
            "description",
            "packaging_notes",
            "price_min",
            "price_max",
            "price_currency",
            "sold_in",
            "images",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "images", "created", "updated"]
        extra_kwargs = {
            "description": {"max_length": 20_000},
            "packaging_notes": {"max_length": 20_000},
            "category": {"required": False},
        }

    def to_representation(self, product: Product) -> dict:
        data = super().to_representation(product)
        data["brand"] = product.brand_id
        # Facts a higher app annotated for this reader (brands.extensions), e.g.
        # application_for_action for customs readers.
        for name in self.context.get("product_facts", ()):
            data[name] = getattr(product, name, None)
        return data


class ProductUpdateSerializer(ProductSerializer):
    """A product does not move to another brand."""

    brand = serializers.PrimaryKeyRelatedField(read_only=True)

    def validate(self, attrs):
        if "brand" in self.initial_data:
            raise serializers.ValidationError(
                {"brand": [_("A product stays with its brand: create it in the other.")]}
            )
        return attrs


class TrademarkSerializer(serializers.ModelSerializer):
    nice_classes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=45), required=False, max_length=45
    )
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = TrademarkRegistration
        fields = ["id", "office", "number", "nice_classes", "expiry_date", "expired", "created"]
        read_only_fields = ["id", "expired", "created"]


class ContactSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(
        child=CountryCodeField(), required=False, max_length=250, help_text=_("Countries covered; empty for all.")
    )
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False, max_length=50)

    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "email", "countries", "languages", "hours", "notes", "order"]
        read_only_fields = ["id"]
        extra_kwargs = {"notes": {"max_length": 5000}}


class SupplyChainSerializer(serializers.ModelSerializer):
    product = ScopedPrimaryKeyField(Product, required=False, allow_null=True)
    role = serializers.ChoiceField(choices=SupplyChainRole.choices)
    country = CountryCodeField(required=False, allow_blank=True)
    origin_countries = serializers.ListField(child=CountryCodeField(), required=False, max_length=250)
    ports = serializers.ListField(child=ShortText(), required=False, max_length=100)
    transport_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransportMode.choices),
        required=False,
        max_length=len(TransportMode.values),
    )

    class Meta:
        model = SupplyChainEntry
        fields = [
            "id",
            "role",
            "product",
            "name",
            "country",
            "address",
            "origin_countries",
            "ports",
            "transport_modes",
            "notes",
            "created",
        ]
        read_only_fields = ["id", "created"]
        extra_kwargs = {"address": {"max_length": 2000}, "notes": {"max_length": 5000}}

    def to_representation(self, entry: SupplyChainEntry) -> dict:
        data = super().to_representation(entry)
        data["product"] = entry.product_id
        return data


class ImageUploadSerializer(serializers.Serializer):
    image = SafeImageField(help_text=_("A JPEG, PNG or WebP picture (checked, re-encoded, metadata removed)."))
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ImageCaption.choices, required=False, default=ImageCaption.OTHER)


class LogoUploadSerializer(serializers.Serializer):
    image = SafeImageField(help_text=_("A JPEG, PNG or WebP picture."))
