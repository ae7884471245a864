"""Refusals at start-up: a process that serves requests or runs tasks never starts with a
configuration it must not run with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET = "SECRET_KEY must be set when DEBUG is off."


def require_secret_key() -> None:
    if settings.SECRET_KEY_MISSING:
        raise ImproperlyConfigured(MISSING_SECRET)


@checks.register(checks.Tags.security, deploy=True)
def secret_key_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SECRET_KEY_MISSING:
        return [checks.Error(MISSING_SECRET, hint="Set SECRET_KEY (or SECRET_KEY_FILE).", id="ipm.E001")]
    return []
