"""Every view declares its scope: pages with a decorator, API views with a base class.

- ``@scoped``: a page for signed-in people (anonymous visitors are sent to sign in); its rows
  come only through ``Model.objects.restrict(request.user, action)`` (core/scope.py), or
  ``object_or_404`` below.
- ``@public("why")``: a page anyone may open (sign-in, registration, health); it reads no
  confidential rows.
- ``ScopedAPIView`` (core/api.py): the base of every API view; ``public_api("why")`` marks the
  few endpoints open to anonymous callers.

``undeclared_views()`` walks every URL pattern and lists the views that declare nothing: the
check ``core.E001`` (``manage.py check``) and tests/test_scope_gate.py refuse them, so a new view
that forgets its scope cannot ship.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core import checks
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver

from .scope import VIEW, ScopedQuerySet

ATTRIBUTE = "scope_gate"
SCOPED = "scoped"
PUBLIC = "public"

# Views of Django and of libraries, guarded by their own rules: the admin site (staff only, its
# own permission checks), the sign-in and password views of django.contrib.auth, the language
# switch, the translation catalogue and the API schema and documentation pages.
TRUSTED_MODULES = (
    "django.contrib.admin",
    "django.contrib.auth.admin",
    "django.contrib.auth.views",
    "django.contrib.contenttypes.views",
    "django_otp.",
    "django.views.i18n",
    "django.views.generic.base",
    "drf_spectacular.",
)

_View = TypeVar("_View", bound=Callable[..., Any])


def scoped(view: _View) -> _View:
    """A page for signed-in people whose rows come through the scoping gate. On a class-based
    view (which must require sign-in itself, as Django's PasswordChangeView does) it only marks."""
    if isinstance(view, type):
        setattr(view, ATTRIBUTE, SCOPED)
        return view
    wrapped = login_required(view)
    setattr(wrapped, ATTRIBUTE, SCOPED)
    return wrapped


def public(reason: str) -> Callable[[_View], _View]:
    """A page anyone may open; `reason` says why (read by reviewers, kept on the view)."""

    def mark(view: _View) -> _View:
        setattr(view, ATTRIBUTE, PUBLIC)
        view.scope_reason = reason  # type: ignore[attr-defined]
        return view

    return mark


def object_or_404(user: Any, rows: Any, pk: Any, action: str = VIEW) -> Any:
    """The object `pk` among `rows` (a scoped model, or a queryset of one to fetch with its
    related rows) if `user` may `action` it: 404 when they may not even see it (its existence
    stays secret), 403 when they see it and the action is not theirs."""
    if isinstance(rows, type) and issubclass(rows, models.Model):
        rows = rows._default_manager.all()
    queryset = cast("ScopedQuerySet[Any]", rows)
    try:
        obj = queryset.restrict(user, VIEW).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    if action != VIEW and not may(user, action, obj):
        raise PermissionDenied
    return obj


def may(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `user` may `action` this object (one query): for buttons and links on a page."""
    rows = cast("ScopedQuerySet[Any]", type(obj)._default_manager.all())
    return rows.allows(user, action, obj)


def declaration(callback: Callable[..., Any]) -> str | None:
    """What a URL's view declares (SCOPED, PUBLIC) or None."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    for candidate in (callback, view_class):
        value = getattr(candidate, ATTRIBUTE, None)
        if value in (SCOPED, PUBLIC):
            return str(value)
    return None


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def undeclared_views(patterns: list[Any] | None = None) -> list[str]:
    """'route -> module.view' for every view that declares no scope."""
    found = []
    for route, callback in _walk(patterns if patterns is not None else get_resolver().url_patterns):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        module = (view_class or callback).__module__
        if module.startswith(TRUSTED_MODULES):
            continue
        if declaration(callback) is None:
            name = getattr(view_class or callback, "__qualname__", repr(callback))
            found.append(f"{route} -> {module}.{name}")
    return found


@checks.register(checks.Tags.security)
def every_view_declares_its_scope(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"The view of {entry} declares no scope.",
            hint="Decorate a page with core.gate.scoped or core.gate.public(...); base an API view on "
            "core.api.ScopedAPIView (or mark it public_api(...)).",
            id="core.E001",
        )
        for entry in undeclared_views()
    ]
