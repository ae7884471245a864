"""The form field and the DRF field for pictures: a good upload becomes a CleanImage, a bad one a
field error (400 in the API). No database."""

from __future__ import annotations

import pytest
from django import forms
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from uploads import forms as upload_forms
from uploads import serializers as upload_serializers
from uploads.images import CleanImage
from uploads.testing import SVG_WITH_SCRIPT, image_bytes, png_bomb, truncated_jpeg, upload


class PictureForm(forms.Form):
    picture = upload_forms.SafeImageField()
    optional = upload_forms.SafeImageField(required=False)


class PictureSerializer(serializers.Serializer):
    image = upload_serializers.SafeImageField()


class UploadView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def post(self, request):
        body = PictureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        image = body.validated_data["image"]
        return Response({"format": image.format, "width": image.width}, status=201)


def post_picture(data: bytes, name: str = "photo.jpg"):
    request = APIRequestFactory().post("/upload/", {"image": upload(data, name)}, format="multipart")
    return UploadView.as_view()(request)


# --------------------------------------------------------------------------- form field


def test_form_field_cleans_to_a_clean_image():
    form = PictureForm(data={}, files={"picture": upload(image_bytes("JPEG"))})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["picture"], CleanImage)
    assert form.cleaned_data["picture"].format == "JPEG"
    assert form.cleaned_data["optional"] is None


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"plain text\n" * 10, "unsupported_type", "JPEG, PNG or WebP"),
        (SVG_WITH_SCRIPT, "unsupported_type", "SVG"),
        (truncated_jpeg(), "corrupt", "damaged"),
        (png_bomb(), "too_many_pixels", "too many pixels"),
    ],
)
def test_form_field_refuses_bad_uploads_with_a_clear_message(data, code, words):
    form = PictureForm(data={}, files={"picture": upload(data, "photo.png", "image/png")})
    assert not form.is_valid()
    assert form.errors.as_data()["picture"][0].code == code
    assert words in form.errors["picture"][0]


def test_form_field_is_still_required():
    form = PictureForm(data={}, files={})
    assert not form.is_valid()
    assert form.errors.as_data()["picture"][0].code == "required"


def test_form_field_keeps_the_stored_file_when_nothing_new_is_sent():
    stored = object()
    field = upload_forms.SafeImageField()
    assert field.clean(None, initial=stored) is stored


def test_form_field_offers_only_accepted_types_to_the_file_picker():
    html = str(PictureForm()["picture"])
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'type="file"' in html


def test_form_field_max_pixels_argument():
    field = upload_forms.SafeImageField(max_pixels=10)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(upload(image_bytes("PNG")))
    assert caught.value.code == "too_many_pixels"


# --------------------------------------------------------------------------- DRF field


def test_serializer_field_validates_to_a_clean_image():
    body = PictureSerializer(data={"image": upload(image_bytes("WEBP"), "p.webp")})
    assert body.is_valid(), body.errors
    assert isinstance(body.validated_data["image"], CleanImage)
    assert body.validated_data["image"].format == "WEBP"


def test_serializer_field_errors_keep_their_code():
    body = PictureSerializer(data={"image": upload(SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml")})
    assert not body.is_valid()
    assert body.errors["image"][0].code == "unsupported_type"
    assert "SVG" in str(body.errors["image"][0])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"plain text\n" * 10, "JPEG, PNG or WebP"),
        (SVG_WITH_SCRIPT, "SVG"),
        (truncated_jpeg(), "damaged"),
        (png_bomb(), "too many pixels"),
        (b"", "empty"),
    ],
)
def test_api_answers_400_with_the_message_on_the_field(data, words):
    response = post_picture(data, "photo.png")
    assert response.status_code == 400
    assert list(response.data) == ["image"]
    assert words in str(response.data["image"][0])


def test_api_accepts_a_good_picture():
    response = post_picture(image_bytes("PNG"), "p.png")
    assert response.status_code == 201
    assert response.data == {"format": "PNG", "width": 64}


def test_api_refuses_a_file_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = post_picture(image_bytes("JPEG"))
    assert response.status_code == 400
    assert response.data["image"][0].code == "too_large"


def test_serializer_field_is_input_only():
    field = upload_serializers.SafeImageField()
    assert field.write_only
    with pytest.raises(NotImplementedError):
        field.to_representation("products/2025/01/x.jpg")
