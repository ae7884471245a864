"""What every write on the catalogue shares: the edit scope check (`require_editable`), cleaning
a code, applying cleaned values, and removing stored files once the rows that named them are gone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from accounts.models import User
from core.validators import clean_text

_M = TypeVar("_M", bound=Model)
_M_co = TypeVar("_M_co", bound=Model, covariant=True)


class Restrictable(Protocol[_M_co]):
    """A scoped model's manager or queryset (core.scope.ScopedQuerySet)."""

    def restrict(self, user: Any, action: str = ...) -> QuerySet[_M_co]: ...


def require_editable(actor: User, queryset: Restrictable[_M], obj: _M) -> _M:
    """`obj` again, fetched through the `restrict(actor, "change")` scope (PermissionDenied if out
    of it). Every write starts with it; the API also calls it before decoding an upload."""
    found = queryset.restrict(actor, "change").filter(pk=obj.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot edit this."))
    return found


def _clean_code(data: Mapping[str, Any], field: str, normalize: Callable[[str], str]) -> str:
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
    # A FieldFile is true when it names a file (bool(f) is bool(f.name)).
    names = [(f.storage, f.name) for f in fields if f.name]

    def delete_files() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
