"""What the guide services share: a submitted text cleaned, and the guide fetched for writing
through the person's scope (PermissionDenied outside it)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import Guide

MAX_TEXT = 20_000


def _text(data: dict, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = data.get(field, "")
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": max_length}]})
    return value


def _editable_guide(actor: User, guide: Guide, *, lock: bool = False) -> Guide:
    queryset = Guide.objects.restrict(actor, "change")
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.filter(pk=guide.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this guide."))
    return found
