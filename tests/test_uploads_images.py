"""uploads.images.clean_image: hostile and odd uploads refused with a clear code, good pictures
re-encoded without metadata. No database; every picture is made in memory."""

from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from uploads.images import CleanImage, clean_image
from uploads.testing import (
    EXIF_GPS_IFD,
    SVG_WITH_SCRIPT,
    animated,
    icc_profile_red_blue_swapped,
    image_bytes,
    jpeg_bomb,
    jpeg_with_exif,
    picture,
    png_bomb,
    truncated_jpeg,
    upload,
)

MB = 1024 * 1024


def refused(data_or_file, **kwargs) -> ValidationError:
    uploaded = upload(data_or_file) if isinstance(data_or_file, bytes) else data_or_file
    with pytest.raises(ValidationError) as caught:
        clean_image(uploaded, **kwargs)
    return caught.value


def reopened(result: CleanImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content.read()))
    result.content.seek(0)
    return image


def close_to(actual, expected, tolerance=12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any pixel gets decoded."""

    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --------------------------------------------------------------------------- type, from the content


def test_text_file_named_png_is_refused():
    error = refused(upload(b"just some text, not a picture\n" * 20, "label.png", "image/png"))
    assert error.code == "unsupported_type"
    assert "JPEG, PNG or WebP" in error.messages[0]


def test_svg_with_a_script_is_refused_as_a_vector_image():
    error = refused(upload(SVG_WITH_SCRIPT, "logo.png", "image/png"))
    assert error.code == "unsupported_type"
    assert "SVG" in error.messages[0]


def test_svg_without_xml_declaration_is_refused_as_a_vector_image():
    error = refused(upload(b"\n  <svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>", "a.jpg"))
    assert error.code == "unsupported_type"
    assert "SVG" in error.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", id="pdf"),
        pytest.param(image_bytes("GIF"), id="gif"),
        pytest.param(image_bytes("BMP"), id="bmp"),
        pytest.param(image_bytes("TIFF"), id="tiff"),
    ],
)
def test_other_types_are_refused_whatever_the_name(data):
    error = refused(upload(data, "photo.jpg", "image/jpeg"))
    assert error.code == "unsupported_type"
    assert "SVG" not in error.messages[0]


def test_hostile_files_only_ever_reach_the_jpeg_png_and_webp_parsers(monkeypatch):
    from PIL import GifImagePlugin

    def parse(self):
        raise AssertionError("the GIF parser ran")

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_open", parse)
    assert refused(upload(image_bytes("GIF"), "a.png")).code == "unsupported_type"


def test_animated_gif_is_refused():
    assert refused(upload(animated("GIF"), "anim.gif", "image/gif")).code == "unsupported_type"


@pytest.mark.parametrize(
    ("fmt", "expected_format", "extension"),
    [("JPEG", "JPEG", "jpg"), ("PNG", "PNG", "png"), ("WEBP", "WEBP", "webp")],
)
def test_accepted_types_keep_their_family(fmt, expected_format, extension):
    result = clean_image(upload(image_bytes(fmt), "whatever.gif", "application/octet-stream"))
    assert (result.format, result.width, result.height) == (expected_format, 64, 48)
    assert reopened(result).format == expected_format
    assert result.name.endswith(f".{extension}") and result.content.name == result.name
    assert result.content_type == f"image/{extension.replace('jpg', 'jpeg')}"
    assert result.size == result.content.size


def test_file_name_is_random_and_not_the_clients():
    first = clean_image(upload(image_bytes("PNG"), "secret-plan.png"))
    second = clean_image(upload(image_bytes("PNG"), "secret-plan.png"))
    assert first.name != second.name
    assert "secret" not in first.name
    stem, extension = first.name.split(".")
    assert len(stem) == 32 and int(stem, 16) >= 0 and extension == "png"


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg():
    second = picture(color=(0, 0, 255))
    data = image_bytes("MPO", image=picture(color=(255, 0, 0)), save_all=True, append_images=[second])
    result = clean_image(upload(data))
    image = reopened(result)
    assert result.format == "JPEG" and image.format == "JPEG"
    assert close_to(image.getpixel((5, 5)), (255, 0, 0), tolerance=20)


# --------------------------------------------------------------------------- size, before reading


class DeclaresSize(io.BytesIO):
    """An upload that declares a size and must not be read."""

    def __init__(self, size: int):
        super().__init__(b"")
        self.size = size

    def read(self, *args):
        raise AssertionError("the file was read")


def test_20_mb_file_is_refused_on_its_declared_size_before_reading():
    error = refused(DeclaresSize(20 * MB))
    assert error.code == "too_large"
    assert "15.0" in error.messages[0]  # the limit, in MB


def test_20_mb_file_is_refused_before_decoding(no_decoding):
    data = image_bytes("JPEG") + b"\0" * (20 * MB)
    assert refused(upload(data)).code == "too_large"


class EndlessStream(io.RawIOBase):
    """A stream with no declared size and no end; counts what was read."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"\0" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_never_reads_more_than_the_limit_plus_one_byte():
    stream = EndlessStream()
    assert refused(stream, max_bytes=3 * MB).code == "too_large"
    assert stream.read_bytes == 3 * MB + 1


def test_limit_comes_from_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    data = image_bytes("PNG", image=Image.effect_noise((64, 64), 90).convert("RGB"))
    assert len(data) > 1000
    assert refused(data).code == "too_large"
    assert clean_image(upload(data), max_bytes=len(data)).format == "PNG"


def test_empty_file_is_refused():
    assert refused(upload(b"", "x.jpg")).code == "empty"


# --------------------------------------------------------------------------- pixels, from the header


@pytest.mark.parametrize("bomb", [png_bomb, jpeg_bomb], ids=["png-100000x100000", "jpeg-60000x60000"])
def test_decompression_bomb_is_refused_fast_without_decoding(bomb, no_decoding):
    data = bomb()
    assert len(data) < 2000
    started = time.monotonic()
    error = refused(data)
    assert time.monotonic() - started < 0.5
    assert error.code == "too_many_pixels"
    assert "50 million" in error.messages[0]


def test_pixels_over_the_setting_are_refused_from_the_header(settings, no_decoding):
    settings.UPLOAD_MAX_PIXELS = 64 * 48 - 1
    assert refused(image_bytes("PNG")).code == "too_many_pixels"


def test_pixels_at_the_limit_are_accepted(settings):
    settings.UPLOAD_MAX_PIXELS = 64 * 48
    assert clean_image(upload(image_bytes("PNG"))).width == 64


def test_max_pixels_argument_lowers_the_limit(no_decoding):
    assert refused(image_bytes("WEBP"), max_pixels=100).code == "too_many_pixels"


def test_pillow_decompression_bomb_warning_is_a_refusal(monkeypatch, no_decoding):
    # Between Pillow's limit and twice it Pillow only warns; inside the check that is a refusal,
    # even when the caller's own limit is higher.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48 - 100)
    assert refused(image_bytes("PNG"), max_pixels=10**9).code == "too_many_pixels"


def test_pillow_limits_are_configured_at_start_up(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.UPLOAD_MAX_PIXELS == 50_000_000
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --------------------------------------------------------------------------- decoding


def test_truncated_jpeg_is_refused_as_corrupt():
    error = refused(truncated_jpeg())
    assert error.code == "corrupt"
    assert "damaged or incomplete" in error.messages[0]


def test_png_with_its_pixel_data_cut_is_refused_as_corrupt():
    data = image_bytes("PNG", image=Image.effect_noise((128, 128), 64).convert("RGB"))
    assert refused(data[: len(data) // 2]).code == "corrupt"


# --------------------------------------------------------------------------- re-encoding


def test_exif_with_gps_is_removed_entirely():
    original = jpeg_with_exif(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(EXIF_GPS_IFD)  # the test file has GPS
    result = clean_image(upload(original))
    data = result.content.read()
    image = Image.open(io.BytesIO(data))
    assert "exif" not in image.info
    assert len(image.getexif()) == 0
    assert b"Exif\0\0" not in data and b"SpyCam" not in data


def test_exif_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; the picture must be turned 90 degrees clockwise.
    result = clean_image(upload(jpeg_with_exif(orientation=6, gps=False)))
    image = reopened(result)
    assert (result.width, result.height) == (48, 64) == image.size
    # The source's bottom-left quadrant (blue) is now at the top left, its top-left (red) at the top right.
    assert close_to(image.getpixel((5, 5)), (30, 30, 200))
    assert close_to(image.getpixel((42, 5)), (200, 30, 30))
    assert len(image.getexif()) == 0


def test_xmp_comments_and_text_chunks_are_removed():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Spy")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 48.85N</x:xmpmeta>")
    png = clean_image(upload(image_bytes("PNG", pnginfo=text))).content.read()
    jpeg = clean_image(upload(image_bytes("JPEG", comment=b"Jane Spy", xmp=b"<x:xmpmeta>GPS</x:xmpmeta>")))
    jpeg = jpeg.content.read()
    for data in (png, jpeg):
        assert b"Jane Spy" not in data and b"xmpmeta" not in data
        assert not {"comment", "xmp", "XML:com.adobe.xmp", "Author"} & set(Image.open(io.BytesIO(data)).info)


def test_icc_profile_is_applied_then_dropped():
    # Pure red pixels tagged with a profile whose "red" is really blue come out blue, in sRGB.
    icc = icc_profile_red_blue_swapped()
    result = clean_image(upload(image_bytes("PNG", image=picture(color=(255, 0, 0)), icc_profile=icc)))
    image = reopened(result)
    assert "icc_profile" not in image.info
    assert close_to(image.getpixel((3, 3)), (0, 0, 255), tolerance=3)


def test_png_with_transparency_stays_png_with_alpha():
    image = picture("RGBA")
    image.putpixel((0, 0), (10, 20, 30, 0))
    image.putpixel((1, 0), (10, 20, 30, 128))
    result = clean_image(upload(image_bytes("PNG", image=image), "logo.png"))
    out = reopened(result)
    assert (result.format, out.mode) == ("PNG", "RGBA")
    assert out.getpixel((0, 0))[3] == 0 and out.getpixel((1, 0))[3] == 128


def test_palette_png_with_transparency_keeps_it():
    image = picture("P")
    image.info["transparency"] = image.getpixel((0, 0))
    out = reopened(clean_image(upload(image_bytes("PNG", image=image, transparency=image.getpixel((0, 0))))))
    assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 0


def test_opaque_alpha_channel_is_dropped():
    out = reopened(clean_image(upload(image_bytes("PNG", image=picture("RGBA")))))
    assert out.format == "PNG" and out.mode == "RGB"


def test_webp_is_accepted_and_keeps_its_alpha():
    image = picture("RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 8, 8))
    result = clean_image(upload(image_bytes("WEBP", image=image, lossless=True), "p.webp", "image/webp"))
    out = reopened(result)
    assert (result.format, out.format, out.mode) == ("WEBP", "WEBP", "RGBA")
    assert out.getpixel((2, 2))[3] == 0


def test_cmyk_jpeg_becomes_an_rgb_jpeg():
    cmyk = Image.new("CMYK", (40, 30), (0, 255, 255, 0))  # red ink
    result = clean_image(upload(image_bytes("JPEG", image=cmyk)))
    out = reopened(result)
    assert (result.format, out.mode) == ("JPEG", "RGB")
    assert close_to(out.getpixel((20, 15)), (255, 0, 0), tolerance=20)


def test_palette_png_becomes_rgb():
    out = reopened(clean_image(upload(image_bytes("PNG", image=picture("P")))))
    assert out.mode == "RGB"
    assert close_to(out.getpixel((60, 44)), (240, 240, 240))


def test_grey_pictures_stay_grey_and_16_bit_is_scaled_not_clipped():
    grey = reopened(clean_image(upload(image_bytes("JPEG", image=picture("L")))))
    assert grey.mode == "L"
    deep = Image.new("I;16", (8, 8), 40000)  # 40000 / 65535 of white: a mid grey, not white
    out = reopened(clean_image(upload(image_bytes("PNG", image=deep))))
    assert out.mode == "L" and out.getpixel((0, 0)) == 40000 // 256


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_pictures_keep_only_the_first_frame(fmt):
    data = animated(fmt)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    result = clean_image(upload(data))
    out = reopened(result)
    assert getattr(out, "n_frames", 1) == 1 and not getattr(out, "is_animated", False)
    assert close_to(out.convert("RGB").getpixel((10, 10)), (255, 0, 0), tolerance=20)


def test_nothing_is_written_to_storage(monkeypatch):
    from django.core.files.storage import Storage

    def save(*args, **kwargs):
        raise AssertionError("clean_image wrote to storage")

    monkeypatch.setattr(Storage, "save", save)
    assert clean_image(upload(image_bytes("JPEG"))).size > 0
