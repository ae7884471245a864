"""uploads.paths.private_upload_to: stored names nobody can guess, never the client's name, and
an upload_to that migrations can write down."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db.migrations.writer import MigrationWriter
from django.utils import timezone

from uploads.paths import PrivateUploadTo, private_upload_to


@pytest.fixture
def june_2025(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 6, 30, 23, 59, tzinfo=UTC))


def test_name_is_prefix_year_month_and_a_random_hex(june_2025):
    name = private_upload_to("products/images")(None, "0123.jpg")
    assert re.fullmatch(r"products/images/2025/06/[0-9a-f]{32}\.jpg", name)


def test_two_uploads_of_the_same_file_get_different_names():
    upload_to = private_upload_to("products")
    assert upload_to(None, "a.png") != upload_to(None, "a.png")


@pytest.mark.parametrize(
    ("client_name", "extension"),
    [
        ("../../etc/passwd.jpg", ".jpg"),
        ("Photo Secrète.JPEG", ".jpg"),
        ("shell.php.png", ".png"),
        ("image.webp", ".webp"),
        ("no-extension", ""),
        ("odd.j p g", ""),
        ("x.verylongextension", ""),
    ],
)
def test_only_a_clean_extension_is_kept_from_the_given_name(client_name, extension):
    name = private_upload_to("cases/photos")(None, client_name)
    assert re.fullmatch(r"cases/photos/\d{4}/\d{2}/[0-9a-f]{32}" + re.escape(extension), name)


@pytest.mark.parametrize("prefix", ["", "/products", "products/", "a/../b", "Products", "a//b", "a b"])
def test_prefix_must_be_plain_lower_case_segments(prefix):
    with pytest.raises(ValueError):
        private_upload_to(prefix)


def test_upload_to_can_be_written_in_a_migration():
    upload_to = private_upload_to("brands/logos")
    code, imports = MigrationWriter.serialize(upload_to)
    assert code == "uploads.paths.PrivateUploadTo('brands/logos')"
    assert imports == {"import uploads.paths"}
    assert upload_to == PrivateUploadTo("brands/logos") != PrivateUploadTo("products")
    assert hash(upload_to) == hash(PrivateUploadTo("brands/logos"))
