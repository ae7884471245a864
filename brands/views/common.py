"""What the catalogue pages share: fetching an object through the person's scope, and the few
labels the templates show for stored codes (countries, languages, transport modes)."""

from __future__ import annotations

from django.conf.locale import LANG_INFO
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django_countries import countries

from accounts.models import User

from ..models import WRITER_ROLES, TransportMode


def posted(request) -> tuple:
    """(data, files) to bind a form to on a POST, even an empty one (so that a POST with nothing
    in it shows "this field is required", not a blank form); (None, None) otherwise."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def visible_or_404(user: User, queryset, pk: int):
    """The object if `user` may see it; 404 otherwise (never 403: its existence stays secret)."""
    return get_object_or_404(queryset.visible_to(user), pk=pk)


def editable_or_refuse(user: User, queryset, pk: int):
    """The object if `user` may edit it. 404 if they cannot even see it; 403 if they can see it
    but not edit it (a viewer, an officer, a platform admin)."""
    obj = visible_or_404(user, queryset, pk)
    if not queryset.model.objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def can_edit(user: User, queryset, obj) -> bool:
    return queryset.model.objects.editable_by(user).filter(pk=obj.pk).exists()


def can_create_brands(user: User) -> bool:
    """A right holder's admins and editors create their organization's brands (as the service
    requires); nobody else sees the button or the page."""
    return bool(user.has_access and user.is_right_holder and user.role in WRITER_ROLES)


def country_names(codes) -> list[str]:
    return [countries.name(code) or code for code in codes]


def language_names(codes) -> list[str]:
    names = []
    for code in codes:
        info = LANG_INFO.get(code, {})
        names.append(gettext(info["name"]) if "name" in info else code)
    return names


def transport_labels(values) -> list[str]:
    labels = dict(TransportMode.choices)
    return [str(labels.get(value, value)) for value in values]
