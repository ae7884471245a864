"""A DRF field for pictures in multipart requests: the upload is checked and re-encoded
(uploads.images.clean_image); a refused upload is a 400 with the message on the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from .images import CleanImage, clean_image


class SafeImageField(serializers.FileField):
    """Input only (write_only by default): its validated value is a CleanImage. The feature
    outputs the picture itself, as an authenticated URL (a protected view) in another field;
    this field never outputs the storage URL (MEDIA_URL is not served, and a signed URL must
    only be handed out after the permission check)."""

    def __init__(self, *, max_bytes: int | None = None, max_pixels: int | None = None, **kwargs) -> None:
        kwargs.setdefault("write_only", True)
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> CleanImage:
        uploaded = super().to_internal_value(data)  # DRF's checks: a file, with a name, not empty
        try:
            return clean_image(uploaded, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc

    def to_representation(self, value):
        raise NotImplementedError(
            "SafeImageField is input only: output an authenticated URL in another field (keep write_only=True)."
        )
