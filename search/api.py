"""POST /api/v1/search/photo/: barcodes in a photo, and the visible products they identify."""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from PIL import Image
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.api.serializers import ProductSerializer
from brands.models import Product
from uploads.serializers import SafeImageField

from .barcodes import read_codes


class PhotoSerializer(serializers.Serializer):
    image = SafeImageField(help_text=_("A photo of the item or its label (JPEG, PNG or WebP)."))


class CodeSerializer(serializers.Serializer):
    format = serializers.CharField()
    text = serializers.CharField()
    gtin = serializers.CharField(allow_null=True)
    serial = serializers.CharField(allow_null=True)
    batch = serializers.CharField(allow_null=True)


class PhotoResultSerializer(serializers.Serializer):
    codes = CodeSerializer(many=True)
    products = ProductSerializer(many=True)


class PhotoSearchView(APIView):
    """Decode EAN-13, EAN-8, UPC-A/E, QR and DataMatrix codes in the photo (GS1 Digital Link and
    element strings give the GTIN, serial and batch) and answer the products, among those the
    person may see, that carry those GTINs. The photo is checked like every upload and kept
    nowhere."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": PhotoSerializer}, responses=PhotoResultSerializer)
    def post(self, request):
        body = PhotoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clean = body.validated_data["image"]  # checked and re-encoded: no metadata, bounded size
        with Image.open(io.BytesIO(clean.content.read())) as picture:
            codes = read_codes(picture.convert("RGB"))
        gtins = {code.gtin for code in codes if code.gtin}
        products = (
            Product.objects.visible_to(request.user).filter(gtin_set__gtin__in=gtins).with_details().distinct()
            if gtins
            else Product.objects.none()
        )
        context = {"request": request}
        return Response(
            {
                "codes": [code.as_dict() for code in codes],
                "products": ProductSerializer(products, many=True, context=context).data,
            }
        )
