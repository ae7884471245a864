"""The uploads settings (defaults from the environment) and their system checks."""

from __future__ import annotations

from django.conf import settings as django_settings

from uploads.checks import check_protected_media_settings


def test_defaults():
    assert django_settings.UPLOAD_MAX_BYTES == 15 * 1024 * 1024
    assert django_settings.UPLOAD_MAX_PIXELS == 50_000_000
    assert django_settings.MEDIA_ACCEL_REDIRECT_PREFIX == ""
    assert django_settings.MEDIA_SENDFILE_HEADER == ""
    assert django_settings.THUMBNAIL_SIZES == (320, 1280)
    assert 10 <= django_settings.DATA_UPLOAD_MAX_NUMBER_FILES < 100


def test_app_is_installed_right_after_accounts():
    apps = django_settings.INSTALLED_APPS
    assert apps[apps.index("accounts") + 1] == "uploads"


def test_no_errors_by_default():
    assert check_protected_media_settings() == []


def test_accel_prefix_needs_slashes(settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "protected-media"
    assert [e.id for e in check_protected_media_settings()] == ["uploads.E001"]
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    assert check_protected_media_settings() == []


def test_accel_and_sendfile_are_exclusive(settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    settings.MEDIA_SENDFILE_HEADER = "X-Sendfile"
    assert [e.id for e in check_protected_media_settings()] == ["uploads.E002"]
