"""What the alert and case pages share: a filtered list, a POST on one object, and a button's
outcome told as a message."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from core.forms import ServiceForm
from core.gate import scoped
from core.permissions import Permission, require
from core.views import paginate


def list_page(
    request: HttpRequest,
    read: Permission,
    form_class: type[ServiceForm],
    rows_for: Callable[[Any], QuerySet[Any]],
    **form_options: Any,
) -> tuple[Any, Page[Any]]:
    """A list page's filter form and page of rows (`rows_for(user)`, narrowed by the form when it
    is sent), for the people `read` admits (403 for anyone else)."""
    require(request.user, read)
    form: Any = form_class(request.GET or None, **form_options)
    return form, paginate(request, form.filter(rows_for(request.user)))


def press(request: HttpRequest, service_call: Callable[[], Any], done: Any) -> None:
    """A button's service call: its refusals, or `done`, are the messages the next page shows."""
    try:
        service_call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


def post_on(
    fetch: Callable[[Any, Any], Any], handle: Callable[[HttpRequest, Any], HttpResponse]
) -> Callable[..., HttpResponse]:
    """A signed-in POST view of `<pk>` that answers `handle(request, obj)`, the object being
    `fetch(user, pk)` (through the gate: 404 for someone who does not see it). The view is named
    after `handle`."""

    @scoped
    @require_POST
    @functools.wraps(handle)
    def view(request: HttpRequest, pk: Any) -> HttpResponse:
        return handle(request, fetch(request.user, pk))

    return view
