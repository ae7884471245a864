"""Reading barcodes from a photo (zxing-cpp); what each code says is read by brands.codes (biip):
the GTIN, and the serial, batch, dates and SSCC a GS1 code carries."""

from __future__ import annotations

from django.conf import settings

from brands.codes import Code, interpret
from uploads.images import open_reduced

FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE", "QRCode", "DataMatrix")
# Codes are read on the photo reduced to at most this many pixels wide and high: an EAN-13 that
# covers a quarter of a 12-megapixel photo keeps 5 pixels a bar, and zxing-cpp needs 2 or so.
DECODE_MAX_SIDE = 2000

__all__ = ["DECODE_MAX_SIDE", "FORMATS", "Code", "interpret", "open_photo", "read_codes"]


def open_photo(uploaded):
    """The uploaded photo as a grey Pillow image at most DECODE_MAX_SIDE pixels wide and high,
    checked like every upload (ValidationError) and decoded at a reduced scale where the format
    allows it; a PNG or WebP above settings.PHOTO_SEARCH_MAX_PIXELS is refused from its header."""
    return open_reduced(uploaded, max_side=DECODE_MAX_SIDE, max_unscaled_pixels=settings.PHOTO_SEARCH_MAX_PIXELS)


def read_codes(image) -> list[Code]:
    """The codes zxing-cpp finds in a Pillow image, interpreted."""
    import zxingcpp

    formats = zxingcpp.barcode_formats_from_str(",".join(FORMATS))
    results = zxingcpp.read_barcodes(image, formats=formats, text_mode=zxingcpp.TextMode.Plain)
    return [interpret(result.format.name, result.text) for result in results]
