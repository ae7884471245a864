"""Reading barcodes from a photo (zxing-cpp) and what they identify: a GTIN, with the serial and
batch when a GS1 Digital Link or a GS1 element string carries them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from brands.identifiers import normalize_gtin
from uploads.images import open_reduced

FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE", "QRCode", "DataMatrix")
# Codes are read on the photo reduced to at most this many pixels wide and high: an EAN-13 that
# covers a quarter of a 12-megapixel photo keeps 5 pixels a bar, and zxing-cpp needs 2 or so.
DECODE_MAX_SIDE = 2000
GS = "\x1d"
# GS1 application identifiers: fixed lengths of the data after the AI, or None (up to a GS).
FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6, "20": 2}
VARIABLE_AIS = (
    "10",
    "21",
    "22",
    "240",
    "241",
    "250",
    "251",
    "30",
    "37",
    "90",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
    "97",
    "98",
    "99",
)
DIGITAL_LINK_KEYS = {"01": "gtin", "21": "serial", "10": "batch"}


@dataclass
class Code:
    format: str
    text: str
    gtin: str | None = None  # as GTIN-14
    serial: str | None = None
    batch: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def parse_element_string(text: str) -> dict[str, str]:
    """GS1 element string, as "(01)…(21)…" or raw with GS separators, into {AI: value}."""
    if text.startswith("("):
        return dict(re.findall(r"\((\d{2,4})\)([^(]*)", text))
    data, found = text.lstrip(GS), {}
    while data:
        ai = next((a for a in FIXED if data.startswith(a)), None)
        if ai is not None:
            found[ai], data = data[len(ai) : len(ai) + FIXED[ai]], data[len(ai) + FIXED[ai] :].lstrip(GS)
            continue
        ai = next((a for a in sorted(VARIABLE_AIS, key=len, reverse=True) if data.startswith(a)), None)
        if ai is None:
            break  # an AI we do not know: stop rather than guess
        value, _sep, data = data[len(ai) :].partition(GS)
        found[ai] = value
    return found


def parse_digital_link(url: str) -> dict[str, str]:
    """A GS1 Digital Link URL (https://…/01/<gtin>/21/<serial>?10=<batch>) into {AI: value}."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    found = {}
    for index, segment in enumerate(segments[:-1]):
        if segment in DIGITAL_LINK_KEYS and segment not in found:
            found[segment] = segments[index + 1]
    for key, values in parse_qs(parts.query).items():
        if key in DIGITAL_LINK_KEYS and values:
            found.setdefault(key, values[0])
    return found


def interpret(format_name: str, text: str) -> Code:
    code = Code(format=format_name, text=text)
    if format_name in ("EAN13", "EAN8", "UPCA", "UPCE"):
        values = {"01": text}
    elif text.lower().startswith(("http://", "https://")):
        values = parse_digital_link(text)
    elif text.startswith(("(01)", GS + "01", "01")) and len(text) >= 16:
        values = parse_element_string(text)
    else:
        values = {}
    if "01" in values:
        try:
            code.gtin = normalize_gtin(values["01"])
        except ValidationError:
            code.gtin = None
    code.serial = values.get("21") or None
    code.batch = values.get("10") or None
    return code


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
