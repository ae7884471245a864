"""What every write on the catalogue shares: the edit scope check (`require_editable`), cleaning
a code, applying cleaned values, and removing stored files once the rows that named them are gone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import User
from core.validators import clean_text


def require_editable(actor: User, queryset, obj):
    """`obj` again, fetched through the `restrict(actor, "change")` scope (PermissionDenied if out
    of it). Every write starts with it; the API also calls it before decoding an upload."""
    found = queryset.restrict(actor, "change").filter(pk=obj.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this."))
    return found


def _clean_code(data: dict, field: str, normalize: Callable[[str], str]) -> str:
    """The field's text as `normalize` (an HS code, a country code) returns it, "" when empty;
    its error is keyed by the field."""
    raw = clean_text(data, field)
    if not raw:
        return ""
    try:
        return normalize(raw)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _apply(obj: Model, values: dict[str, Any]) -> None:
    for field, value in values.items():
        setattr(obj, field, value)


def _delete_files_after_commit(fields: Iterable[FieldFile]) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    names = [(f.storage, f.name) for f in fields if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
