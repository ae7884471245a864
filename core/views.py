"""What every app's pages share: paging a list, binding a form to a POST, following a safe
`next` address, and the names the templates show for stored country and language codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf.locale import LANG_INFO
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django_countries import countries

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet[Any] | Sequence[Any], *, param: str = "page") -> Page[Any]:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def posted(request: HttpRequest) -> tuple[QueryDict, MultiValueDict[str, Any]] | tuple[None, None]:
    """(data, files) to bind a form to on a POST, even an empty one (so that a POST with nothing
    in it shows "this field is required", not a blank form); (None, None) otherwise."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address given with the request if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def country_names(codes: Iterable[str]) -> list[str]:
    return [countries.name(code) or code for code in codes]


def language_names(codes: Iterable[str]) -> list[str]:
    names = []
    for code in codes:
        info = LANG_INFO.get(code, {})
        names.append(gettext(info["name"]) if "name" in info else code)
    return names
