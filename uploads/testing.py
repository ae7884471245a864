"""Pictures made in memory for tests (of this app and of every feature with pictures), including
hostile ones: a decompression bomb, a truncated JPEG, an SVG with a script."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

EXIF_GPS_IFD = 0x8825
EXIF_ORIENTATION = 0x0112
EXIF_MAKE = 0x010F

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def picture(mode: str = "RGB", size: tuple[int, int] = (64, 48), color=None) -> Image.Image:
    """A picture whose four quadrants differ, so that rotations and flips can be told apart."""
    image = Image.new("RGB", size, (200, 30, 30))
    width, height = size
    image.paste((30, 200, 30), (width // 2, 0, width, height // 2))
    image.paste((30, 30, 200), (0, height // 2, width // 2, height))
    image.paste((240, 240, 240), (width // 2, height // 2, width, height))
    if color is not None:
        image.paste(color, (0, 0, width, height))
    if mode == "P":
        return image.convert("P", palette=Image.Palette.ADAPTIVE)
    return image if mode == "RGB" else image.convert(mode)


def image_bytes(fmt: str = "JPEG", *, image: Image.Image | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    (image if image is not None else picture()).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """What Django hands a view for an uploaded file (the name and type are the client's claims)."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_exif(*, orientation: int | None = None, gps: bool = True, image: Image.Image | None = None) -> bytes:
    """A JPEG with camera EXIF: GPS position (IFD 0x8825), maker and, if given, orientation."""
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SpyCam"
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    if gps:
        exif[EXIF_GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 8.0)}
    return image_bytes("JPEG", image=image, exif=exif.tobytes())


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", image=Image.effect_noise((256, 256), 64).convert("RGB"), quality=95)
    return data[: len(data) // 2]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes whose header announces width x height RGB pixels (30 GB at the
    default size), with a little compressed data behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to announce width x height pixels."""
    data = bytearray(image_bytes("JPEG", image=picture(size=(16, 16))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def animated(fmt: str, frames: int = 3) -> bytes:
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    images = [picture(size=(20, 20), color=colors[i % len(colors)]) for i in range(frames)]
    return image_bytes(fmt, image=images[0], save_all=True, append_images=images[1:], duration=100, loop=0)


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def icc_profile_red_blue_swapped() -> bytes:
    """A minimal RGB display profile (ICC v2) with sRGB's red and blue primaries swapped: pixels
    tagged with it that are pure red are really blue. Shows whether a profile is applied."""
    # sRGB primaries adapted to D50 (the PCS white), red and blue exchanged.
    primaries = {
        b"rXYZ": (0.1431, 0.0606, 0.7141),
        b"gXYZ": (0.3851, 0.7169, 0.0971),
        b"bXYZ": (0.4361, 0.2225, 0.0139),
        b"wtpt": (0.9642, 1.0, 0.8249),
    }
    tags = {sig: b"XYZ \0\0\0\0" + b"".join(_s15f16(v) for v in xyz) for sig, xyz in primaries.items()}
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2, padded to 4 bytes
    tags.update({b"rTRC": gamma, b"gTRC": gamma, b"bTRC": gamma})
    table_size = 4 + 12 * len(tags)
    offset, entries, body = 128 + table_size, b"", b""
    for sig, data in tags.items():
        entries += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"  # preferred CMM
        + struct.pack(">I", 0x02100000)  # version 2.1
        + b"mntrRGB XYZ "
        + b"\0" * 12  # date
        + b"acsp"
        + b"\0" * 24  # platform, flags, manufacturer, model, attributes
        + b"\0\0\0\0"  # rendering intent
        + b"".join(_s15f16(v) for v in primaries[b"wtpt"])
        + b"\0" * 4  # creator
        + b"\0" * 44  # profile id, reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + body
