"""uploads.images.make_thumbnail: WebP, aspect ratio kept, never enlarged, from a stored file."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.fields.files import FieldFile
from PIL import Image

from uploads.images import make_thumbnail
from uploads.testing import image_bytes, jpeg_with_exif, picture, png_bomb


def opened(thumbnail: ContentFile) -> Image.Image:
    return Image.open(io.BytesIO(thumbnail.read()))


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [((2000, 1000), 320, (320, 160)), ((900, 1200), 320, (240, 320)), ((2000, 1000), 1280, (1280, 640))],
)
def test_thumbnail_fits_the_box_and_keeps_the_aspect_ratio(size, max_side, expected):
    thumbnail = make_thumbnail(io.BytesIO(image_bytes("JPEG", image=picture(size=size))), max_side=max_side)
    image = opened(thumbnail)
    assert (image.format, image.size) == ("WEBP", expected)
    assert thumbnail.name.endswith(".webp") and len(thumbnail.name) == 37


def test_small_pictures_are_not_enlarged():
    image = opened(make_thumbnail(io.BytesIO(image_bytes("PNG")), max_side=1280))
    assert image.size == (64, 48)


def test_transparency_is_kept():
    source = picture("RGBA", size=(400, 400))
    source.paste((0, 0, 0, 0), (0, 0, 200, 200))
    image = opened(make_thumbnail(io.BytesIO(image_bytes("PNG", image=source)), max_side=100))
    assert image.mode == "RGBA" and image.getpixel((10, 10))[3] == 0 and image.getpixel((90, 90))[3] == 255


def test_thumbnail_has_no_metadata_and_follows_the_orientation():
    image = opened(make_thumbnail(io.BytesIO(jpeg_with_exif(orientation=6)), max_side=320))
    assert image.size == (48, 64)
    assert "exif" not in image.info and len(image.getexif()) == 0


def test_from_a_stored_field_file(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("products/x.jpg", ContentFile(image_bytes("JPEG", image=picture(size=(1000, 500)))))
    field_file = FieldFile(instance=None, field=models.FileField(storage=storage), name=name)
    assert opened(make_thumbnail(field_file, max_side=320)).size == (320, 160)
    assert getattr(field_file, "_file", None) is None  # read through the storage: the field is left as it was


def test_missing_stored_file_raises_file_not_found(tmp_path):
    field = models.FileField(storage=FileSystemStorage(location=tmp_path))
    with pytest.raises(FileNotFoundError):
        make_thumbnail(FieldFile(instance=None, field=field, name="products/gone.jpg"), max_side=320)
    with pytest.raises(FileNotFoundError):
        make_thumbnail(FieldFile(instance=None, field=field, name=""), max_side=320)


def test_a_bomb_is_refused_here_too():
    with pytest.raises(ValidationError) as caught:
        make_thumbnail(io.BytesIO(png_bomb()), max_side=320)
    assert caught.value.code == "too_many_pixels"


def test_max_side_must_be_positive():
    with pytest.raises(ValueError):
        make_thumbnail(io.BytesIO(image_bytes("PNG")), max_side=0)
