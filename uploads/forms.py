"""A form field for pictures: the upload is checked and re-encoded (uploads.images.clean_image)."""

from __future__ import annotations

from django import forms

from .images import ACCEPT, CleanImage, clean_image


class SafeImageField(forms.FileField):
    """A picture upload. Its cleaned value is a CleanImage for a new upload; like FileField, it
    is `initial` (the stored FieldFile) when nothing new was sent, False when the clearable
    widget's "clear" box was ticked on an optional field, and None when empty. The feature's
    service saves a CleanImage with `instance.image.save(clean.name, clean.content)`."""

    def __init__(self, *, max_bytes: int | None = None, max_pixels: int | None = None, **kwargs) -> None:
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs

    def to_python(self, data) -> CleanImage | None:
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        return clean_image(uploaded, max_bytes=self.max_bytes, max_pixels=self.max_pixels)
