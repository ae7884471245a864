"""Checking and re-encoding uploaded pictures, and making their thumbnails.

`clean_image()` is the one gate every uploaded picture passes before it is stored. It trusts
nothing the client says (file name, content type): the type is sniffed from the content, the
pixel count is checked from the header before any pixel is decoded, the whole picture is then
decoded (so a truncated file is caught), and what gets stored is a fresh encoding of the pixels
alone. It never writes to storage: the feature's service saves `CleanImage.content`.

Decisions:

- Accepted: JPEG (including MPO, the multi-picture JPEG some phones write), PNG and WebP. Not
  GIF, SVG, HEIC, TIFF, BMP or anything else.
- The stored format keeps the family of the upload: JPEG as JPEG (quality 85, progressive),
  PNG as PNG (lossless: labels, logos and screenshots keep sharp edges), WebP as WebP
  (quality 85).
- No metadata at all is stored: no EXIF (GPS, camera, date), no XMP, no comments or text
  chunks, and no ICC profile: an embedded profile is applied first (the pixels are converted
  to sRGB, so colours stay right, which matters when comparing packaging), then dropped.
- Orientation: the EXIF orientation is applied to the pixels before EXIF is dropped.
- Alpha: kept (RGBA) when some pixel is actually transparent, in PNG and WebP; a fully opaque
  alpha channel is dropped. JPEG has no alpha.
- Modes: CMYK, palette, 1-bit and 16-bit grey become RGB, RGBA or L (8-bit grey).
- Animated PNG or WebP and MPO: the first frame only.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import uuid
import warnings
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageFile, ImageOps

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000

# What the browser's file picker offers (a hint only: the content decides).
ACCEPT = "image/jpeg,image/png,image/webp"

# Pillow's name of an accepted upload -> the format it is stored in.
_STORED_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# Only these Pillow plugins ever look at an upload: less parsing code exposed to hostile files.
_PILLOW_PLUGINS = ("JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {},
    "WEBP": {"quality": 85, "method": 4},
}
THUMBNAIL_QUALITY = 80

# Decoding hostile data can fail in many ways; each of these means "not a valid picture".
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error, zlib.error)

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The file is too large: at most %(limit)s."),
    "unsupported_type": _("This file is not a JPEG, PNG or WebP picture. Upload a picture in one of these formats."),
    "vector": _("Vector (SVG) images are not accepted. Upload a JPEG, PNG or WebP picture."),
    "too_many_pixels": _(
        "The picture has too many pixels: at most %(limit)s million. Reduce its size and upload it again."
    ),
    "corrupt": _("The picture is damaged or incomplete. Upload the original file again."),
    "too_many_pixels_to_read": _(
        "This picture has too many pixels to be read as PNG or WebP: at most %(limit)s million. "
        "Send it as a JPEG photo, or reduce its size."
    ),
}


@dataclass(frozen=True, slots=True)
class CleanImage:
    """A checked, re-encoded picture, ready to be saved by the feature's service:
    `instance.image.save(clean.name, clean.content)`."""

    content: ContentFile
    name: str  # random and unguessable: "<uuid4 hex>.<ext>"
    format: str  # "JPEG", "PNG" or "WEBP"
    width: int
    height: int
    size: int  # bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def configure_pillow() -> None:
    """Process-wide Pillow limits, set once at start-up (UploadsConfig.ready): Pillow warns above
    MAX_IMAGE_PIXELS and refuses above twice that, for every use of Pillow in the process; we
    also refuse above it (see _open_checked). Truncated files always fail to load."""
    Image.MAX_IMAGE_PIXELS = _max_pixels(None)
    ImageFile.LOAD_TRUNCATED_IMAGES = False


def clean_image(uploaded: IO[bytes], *, max_bytes: int | None = None, max_pixels: int | None = None) -> CleanImage:
    """Check an uploaded picture and re-encode it without metadata, or raise ValidationError.

    Checks, in order, each with its error `code`: "empty"; "too_large" (more than `max_bytes`,
    default settings.UPLOAD_MAX_BYTES; `uploaded.size` is checked before anything is read, and
    at most max_bytes + 1 bytes are ever read); "unsupported_type" (the content is not JPEG,
    PNG or WebP, whatever the name says); "too_many_pixels" (more than `max_pixels`, default
    settings.UPLOAD_MAX_PIXELS, read from the header before decoding; Pillow's process-wide
    MAX_IMAGE_PIXELS also applies, so max_pixels can only lower the limit); "corrupt" (the
    pixels do not decode completely). Nothing is written to storage.
    """
    data = _read_limited(uploaded, _max_bytes(max_bytes))
    image = _open_checked(io.BytesIO(data), _max_pixels(max_pixels))
    stored_format = _STORED_FORMAT[image.format]
    try:
        _decode(image)
        pixels = _upright_plain_srgb(image)
        if stored_format == "WEBP" and pixels.mode == "L":
            pixels = pixels.convert("RGB")
        encoded = _encode(pixels, stored_format, **_SAVE_OPTIONS[stored_format])
    finally:
        image.close()
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[stored_format]}"
    return CleanImage(
        content=ContentFile(encoded, name=name),
        name=name,
        format=stored_format,
        width=pixels.width,
        height=pixels.height,
        size=len(encoded),
    )


def open_reduced(
    uploaded: IO[bytes],
    *,
    max_side: int,
    max_unscaled_pixels: int,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> Image.Image:
    """A picture to read (a barcode in a photo), not to store: checked as by clean_image() (the
    same errors, the pixels decoded completely), then returned upright, in 8-bit grey (transparent
    parts on white), at most `max_side` pixels wide and high. Nothing is written anywhere.

    What it costs follows the reduced size, not the upload's: a JPEG is decoded at 1/2, 1/4 or
    1/8 scale (libjpeg's DCT scaling, Pillow's draft mode), never below `max_side`. PNG and WebP
    cannot be decoded at a reduced scale, so above `max_unscaled_pixels` they are refused from
    the header ("too_many_pixels"), before any pixel is decoded: a 50-megapixel PNG fits in 50 KB.
    """
    if max_side < 1:
        raise ValueError("max_side must be a positive number of pixels")
    data = _read_limited(uploaded, _max_bytes(max_bytes))
    image = _open_checked(io.BytesIO(data), _max_pixels(max_pixels))
    try:
        if image.format in ("JPEG", "MPO"):
            ratio = max_side / max(image.size)
            if ratio < 1:
                # Grey straight from the luminance, at the smallest scale still above the box.
                image.draft("L", (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
        elif image.width * image.height > max_unscaled_pixels:
            raise _error("too_many_pixels_to_read", limit=f"{max_unscaled_pixels / 1_000_000:g}")
        _decode(image)
        try:
            ImageOps.exif_transpose(image, in_place=True)
            return _grey_on_white(_fit(_plain(image), max_side))
        except _DECODE_ERRORS as exc:  # e.g. malformed EXIF
            raise _error("corrupt") from exc
    finally:
        image.close()


def make_thumbnail(source: IO[bytes] | FieldFile, *, max_side: int) -> ContentFile:
    """A WebP copy of a stored picture, at most `max_side` pixels wide and high, aspect ratio
    kept, never enlarged. `source` is a FieldFile or an open binary file. The same pixel and
    decoding checks as clean_image() apply (ValidationError); a missing file raises
    FileNotFoundError. Nothing is written to storage."""
    if max_side < 1:
        raise ValueError("max_side must be a positive number of pixels")
    if isinstance(source, FieldFile):
        if not source:
            raise FileNotFoundError("The field has no file.")
        with source.storage.open(source.name, "rb") as fp:
            return _thumbnail(fp, max_side)
    with contextlib.suppress(AttributeError, OSError):
        source.seek(0)
    return _thumbnail(source, max_side)


def _thumbnail(fp: IO[bytes], max_side: int) -> ContentFile:
    image = _open_checked(fp, _max_pixels(None))
    try:
        # JPEG only: let the decoder scale down by 1/2 to 1/8 (never below the box): much faster.
        image.draft(None, (max_side, max_side))
        _decode(image)
        pixels = _upright_plain_srgb(image)
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if pixels.mode == "L":
            pixels = pixels.convert("RGB")
        encoded = _encode(pixels, "WEBP", quality=THUMBNAIL_QUALITY, method=4)
    finally:
        image.close()
    return ContentFile(encoded, name=f"{uuid.uuid4().hex}.webp")


# --------------------------------------------------------------------------- the checks


def _error(message: str, **params) -> ValidationError:
    # A vector image gets its own message, under the same code as any other refused type.
    code = "unsupported_type" if message == "vector" else message
    return ValidationError(MESSAGES[message], code=code, params=params)


def _max_bytes(value: int | None) -> int:
    return value if value is not None else getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def _max_pixels(value: int | None) -> int:
    return value if value is not None else getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def _too_many_pixels(max_pixels: int) -> ValidationError:
    return _error("too_many_pixels", limit=f"{max_pixels / 1_000_000:g}")


def _read_limited(uploaded: IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes, refused as too large from its declared size before reading, and
    never reading more than max_bytes + 1 bytes whatever it declares."""
    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > max_bytes:
        raise _error("too_large", limit=filesizeformat(max_bytes))
    with contextlib.suppress(AttributeError, OSError):
        uploaded.seek(0)
    chunks, remaining = [], max_bytes + 1
    while remaining > 0:
        chunk = uploaded.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise _error("too_large", limit=filesizeformat(max_bytes))
    if not data:
        raise _error("empty")
    return data


def _looks_like_svg(head: bytes) -> bool:
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _open_checked(fp: IO[bytes], max_pixels: int) -> ImageFile.ImageFile:
    """Open the picture (its header only: no pixel is decoded) and check its type and size."""
    try:
        with warnings.catch_warnings():
            # Inside this check a "possible decompression bomb" warning is a refusal. (The filter
            # is process-global and so not thread-safe; the explicit pixel check below does not
            # depend on it.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fp, formats=_PILLOW_PLUGINS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)) from exc
    except Image.UnidentifiedImageError as exc:
        fp.seek(0)
        raise _error("vector" if _looks_like_svg(fp.read(4096)) else "unsupported_type") from exc
    except _DECODE_ERRORS as exc:  # a header one of our plugins claimed but cannot parse
        raise _error("corrupt") from exc
    if image.format not in _STORED_FORMAT:
        image.close()
        raise _error("unsupported_type")
    if image.width * image.height > max_pixels:
        image.close()
        raise _too_many_pixels(max_pixels)
    return image


def _decode(image: ImageFile.ImageFile) -> None:
    """Decode every pixel of the first frame: a truncated or corrupt file fails here."""
    try:
        image.seek(0)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(Image.MAX_IMAGE_PIXELS or 0) from exc
    except _DECODE_ERRORS as exc:
        raise _error("corrupt") from exc


# --------------------------------------------------------------------------- pixels and encoding

_GREY_16 = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def _upright_plain_srgb(image: ImageFile.ImageFile) -> Image.Image:
    """The decoded pixels turned upright by their EXIF orientation (in place: a 50-megapixel
    picture is not copied for nothing), then made plain sRGB. The result may be `image` itself."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
        return _plain_srgb(image)
    except _DECODE_ERRORS as exc:  # e.g. malformed EXIF
        raise _error("corrupt") from exc


# The colour space an ICC profile must describe to apply to pixels in this mode.
_ICC_SPACE = {"RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK"}


def _plain_srgb(image: Image.Image) -> Image.Image:
    """The pixels as 8-bit L, RGB or RGBA in sRGB: any ICC profile applied, alpha kept only if
    some pixel is transparent. (Its metadata is dropped when it is encoded.)"""
    icc = image.info.get("icc_profile")
    if image.mode in _GREY_16:
        # 16-bit grey PNG: scale to 8 bits, where convert("L") would clip everything above 255.
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode == "CMYK":
        target = "CMYK"  # converted through its profile below when it has one
    elif image.has_transparency_data:
        target = "RGBA"
    elif image.mode in ("1", "L"):
        target = "L"
    else:
        target = "RGB"
    if image.mode != target:
        image = image.convert(target)
    if icc:
        image = _apply_icc(image, icc)
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    return image


def _plain(image: Image.Image) -> Image.Image:
    """L, RGB or RGBA pixels (what resizing handles well), without colour management: for
    reading, not for storing."""
    if image.mode in _GREY_16:
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    if image.has_transparency_data:
        return image.convert("RGBA")
    return image.convert("L" if image.mode == "1" else "RGB")


def _fit(image: Image.Image, max_side: int) -> Image.Image:
    """A new image at most `max_side` pixels wide and high, aspect ratio kept, never enlarged
    (never `image` itself: the caller closes that)."""
    if max(image.size) <= max_side:
        return image.copy()
    ratio = max_side / max(image.size)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _grey_on_white(image: Image.Image) -> Image.Image:
    if image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        white.alpha_composite(image)
        image = white
    return image if image.mode == "L" else image.convert("L")


_srgb_profile = None


def _apply_icc(image: Image.Image, icc: bytes) -> Image.Image:
    """The pixels converted from the embedded profile to sRGB; unchanged if the profile is
    unreadable or does not describe this kind of pixels (grey profiles are ignored)."""
    global _srgb_profile
    expected = _ICC_SPACE.get(image.mode)
    if expected is None:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if profile.profile.xcolor_space.strip() != expected:
            return image
        if _srgb_profile is None:
            _srgb_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, profile, _srgb_profile, outputMode=output_mode)
    except (ImageCms.PyCMSError, *_DECODE_ERRORS):
        return image
    return converted if converted is not None else image


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    image.info = {}  # nothing of the upload's metadata may reach the writer
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
