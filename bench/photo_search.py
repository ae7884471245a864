"""Benchmark: what one photo search costs a worker, before and after the photo-search limits.

    .venv/bin/python bench/photo_search.py [REPEATS]

No database or Redis: it times the part of POST /api/v1/search/photo/ that depends on the
picture, from the uploaded bytes to the codes read, in one process and one run:

- before: the upload checked and re-encoded at full size like every stored picture
  (uploads.serializers.SafeImageField, clean_image), opened again, made RGB and given to
  zxing-cpp at full size (search/api.py as it was);
- after: search.api.PhotoSerializer (search.barcodes.open_photo: a JPEG decoded at a reduced
  scale, a PNG or WebP above PHOTO_SEARCH_MAX_PIXELS refused from its header) and codes read on
  a picture at most DECODE_MAX_SIDE pixels wide and high.

Pictures: a 7070 x 7070 PNG of a few dozen kilobytes (50 megapixels, under UPLOAD_MAX_PIXELS),
a 12-megapixel phone photo of an EAN-13 as JPEG and as PNG, a 50-megapixel one as JPEG, and a
blank 7070 x 7070 progressive JPEG of a few hundred kilobytes (the costliest JPEG to decode). Each is
timed REPEATS times (default 5), before and after alternately; the median is reported, with
the ratio before / after and what each answered.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipm_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.pop("REDIS_URL", None)

import django

django.setup()

import zxingcpp  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402
from rest_framework import serializers  # noqa: E402

from search.api import PhotoSerializer, decode_photo  # noqa: E402
from search.barcodes import read_codes  # noqa: E402
from uploads.serializers import SafeImageField  # noqa: E402

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
GTIN = "4006381333931"


class BeforeSerializer(serializers.Serializer):
    image = SafeImageField()


def before(data: bytes, name: str) -> str:
    body = BeforeSerializer(data={"image": SimpleUploadedFile(name, data)})
    if not body.is_valid():
        return "400"
    clean = body.validated_data["image"]
    with Image.open(io.BytesIO(clean.content.read())) as picture:
        codes = read_codes(picture.convert("RGB"))
    return f"200, {len(codes)} code(s)"


def after(data: bytes, name: str) -> str:
    body = PhotoSerializer(data={"image": SimpleUploadedFile(name, data)})
    if not body.is_valid():
        return "400"
    return f"200, {len(decode_photo(body.validated_data['image']))} code(s)"


def phone_photo(width: int, height: int) -> Image.Image:
    """A textured background with a white label carrying an EAN-13 a quarter of the width wide."""
    background = Image.merge("RGB", [Image.effect_noise((width, height), 24).point(lambda v: v // 2 + 60)] * 3)
    barcode = zxingcpp.create_barcode(GTIN, zxingcpp.BarcodeFormat.EAN13)
    code = Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=max(2, width // 450)))
    label = Image.new("RGB", (code.width + 160, code.height + 160), "white")
    label.paste(code.convert("RGB"), (80, 80))
    background.paste(label.rotate(3, expand=True, fillcolor=(200, 200, 200)), (width // 3, height // 3))
    return background


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def pictures() -> list[tuple[str, str, bytes]]:
    phone = phone_photo(4032, 3024)
    return [
        ("7070x7070 PNG (50 MP)", "big.png", encode(Image.new("L", (7070, 7070), 255), "PNG", optimize=True)),
        ("12 MP phone photo, JPEG", "phone.jpg", encode(phone, "JPEG", quality=88)),
        ("12 MP phone photo, PNG", "phone.png", encode(phone.convert("L"), "PNG", compress_level=1)),
        ("50 MP phone photo, JPEG", "big.jpg", encode(phone_photo(7070, 7070), "JPEG", quality=60)),
        (
            "7070x7070 progressive JPEG",
            "bomb.jpg",
            encode(Image.new("RGB", (7070, 7070), "white"), "JPEG", quality=90, progressive=True),
        ),
    ]


def timed(function, data: bytes, name: str) -> tuple[float, str]:
    start = time.perf_counter()
    answer = function(data, name)
    return time.perf_counter() - start, answer


def main() -> None:
    print(f"Photo search, {REPEATS} runs each, median seconds (Pillow {Image.__version__}, zxing-cpp)")
    print(f"{'picture':<27} {'size':>9} {'before':>8} {'after':>8} {'ratio':>7}  answers (before → after)")
    for label, name, data in pictures():
        times = {"before": [], "after": []}
        answers = {}
        for _ in range(REPEATS):
            for key, function in (("before", before), ("after", after)):
                seconds, answers[key] = timed(function, data, name)
                times[key].append(seconds)
        old, new = statistics.median(times["before"]), statistics.median(times["after"])
        print(
            f"{label:<27} {len(data) / 1024:>7.0f}KB {old:>8.3f} {new:>8.3f} {old / new:>6.1f}x"
            f"  {answers['before']} → {answers['after']}"
        )


if __name__ == "__main__":
    main()
