"""API plumbing shared by every app: pagination, throttles, error bodies."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from limits import RateLimitItemPerSecond
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .cache import rate_limit_hit


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class SettingsRateMixin:
    """Read the rate from settings at request time (DRF caches it on the class at import), so a
    deployment or a test can change it; count atomically in Redis.

    DRF's own counting reads a list of times from the cache and writes it back: requests served
    at once by several processes each read the same list, and far more than the rate get through.
    Here each request is one atomic step in Redis (a moving window, by the `limits` library), and
    a per-process count while Redis does not answer (core/cache.py). The key stays DRF's
    (`get_cache_key`: scope and user or address), so a subclass with its own `scope` and
    `rate_setting` counts apart."""

    rate_setting = ""
    _wait: float | None = None

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        allowed, wait = rate_limit_hit(RateLimitItemPerSecond(self.num_requests, self.duration), key)
        self._wait = None if allowed else wait
        return allowed

    def wait(self) -> float | None:
        return self._wait


class UserThrottle(SettingsRateMixin, UserRateThrottle):
    """Per approved user: API_THROTTLE_USER (600 a minute by default)."""

    rate_setting = "API_THROTTLE_USER"


class AnonIPThrottle(SettingsRateMixin, AnonRateThrottle):
    """Per anonymous IP: API_THROTTLE_ANON (60 a minute by default)."""

    rate_setting = "API_THROTTLE_ANON"


class FormIPThrottle(SettingsRateMixin, SimpleRateThrottle):
    """Per client address, for the web forms that anyone can post (sign-in, registration,
    password reset): the same budget as the API's anonymous rate, counted apart."""

    scope = "form"
    rate_setting = "API_THROTTLE_ANON"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def exception_handler(exc, context):
    """DRF's handler, plus Django's own ValidationError and PermissionDenied raised by services,
    answered 400 with field errors and 403."""
    # Imported here: rest_framework.views reads the throttle classes defined in this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# Every ISO 3166-1 alpha-2 code with its name (in the active language).
COUNTRY_CHOICES = countries


class CountryCodeField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 code ("FR"), case-insensitive on input, upper-case on output.
    Unlike django-countries' own field, a country's name is refused: the contract takes codes."""

    default_error_messages = {"invalid_choice": _('"{input}" is not an ISO 3166-1 alpha-2 country code.')}

    def __init__(self, **kwargs):
        super().__init__(choices=list(COUNTRY_CHOICES), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)

    def to_representation(self, value):
        return str(getattr(value, "code", value) or "") or None
