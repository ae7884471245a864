"""API plumbing shared by every app: pagination, throttles, error bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from limits import RateLimitItemPerSecond
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.serializers import as_serializer_error
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .cache import rate_limit_hit
from .gate import PUBLIC, SCOPED
from .scope import VIEW, ScopedQuerySet


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads the throttle classes defined in this module.
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    # What the mixin is mixed into, for the type checker only (at run time the throttle class
    # follows it in the bases, so that the mixin's methods come before DRF's).
    _Throttle = SimpleRateThrottle
else:
    _Throttle = object


class SettingsRateMixin(_Throttle):
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
    # Set by SimpleRateThrottle.__init__ from the rate (not in djangorestframework-stubs).
    num_requests: int
    duration: int

    def get_rate(self) -> str:
        rate: str = getattr(settings, self.rate_setting)
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
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

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(COUNTRY_CHOICES), **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)

    # None for a blank code, where DRF's ChoiceField (and django-stubs' type of it) answers a str.
    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return str(getattr(value, "code", value) or "") or None


class ScopedAPIView:
    """First base of every API view (core/gate.py): it declares that the view's rows come only
    through the scoping gate. `scoped(model, action)` is the way to them: the model's rows that
    the caller may `action` (core.scope.ScopedQuerySet.restrict). Anonymous callers are refused
    by the default permission (accounts.permissions.IsApprovedUser) before any of this runs."""

    scope_gate = SCOPED
    request: Request  # APIView's

    def scoped(self, model: type[Model], action: str = VIEW) -> QuerySet[Any]:
        rows = cast("ScopedQuerySet[Any]", model._default_manager.all())
        return rows.restrict(self.request.user, action)


_APIClass = TypeVar("_APIClass", bound=type)


def public_api(reason: str) -> Callable[[_APIClass], _APIClass]:
    """Mark an API view open to anonymous callers (registration, sign-in); `reason` says why."""

    def mark(view_class: _APIClass) -> _APIClass:
        view_class.scope_gate = PUBLIC  # type: ignore[attr-defined]
        view_class.scope_reason = reason  # type: ignore[attr-defined]
        return view_class

    return mark
