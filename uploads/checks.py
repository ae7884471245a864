"""System checks for the protected-media settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_protected_media_settings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    sendfile = getattr(settings, "MEDIA_SENDFILE_HEADER", "")
    if prefix and not (prefix.startswith("/") and prefix.endswith("/")):
        errors.append(
            Error(
                "MEDIA_ACCEL_REDIRECT_PREFIX must start and end with '/', e.g. '/protected-media/'.",
                id="uploads.E001",
            )
        )
    if prefix and sendfile:
        errors.append(
            Error(
                "Set MEDIA_ACCEL_REDIRECT_PREFIX (nginx) or MEDIA_SENDFILE_HEADER (Apache, lighttpd), not both.",
                id="uploads.E002",
            )
        )
    return errors
