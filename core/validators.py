"""Cleaning the fields of a write: the checks every app's services run on the data they are given
(a form's cleaned data, an API body, a row of an import).

Each ``clean_*`` function reads one field of ``data``, answers its cleaned value, or raises a
django ValidationError keyed by the field, which the API answers with 400 and the pages show
next to the field. A string where a list is expected is split on commas and new lines, as typed
in a text area or a spreadsheet cell.

Nothing here knows the portal's models: core is the lowest layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils.translation import gettext as _
from django_countries import countries

from .roles import AGENCY_VALUES, in_agency_order

MAX_LIST_ITEMS = 100


def clean_text(data: Mapping[str, Any], field: str, *, required: bool = False, max_length: int | None = None) -> str:
    """The field as a stripped string ("" when absent or None); null characters are refused."""
    value = data.get(field, "")
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if max_length and len(value) > max_length:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": max_length}]})
    return value


def clean_string_list(data: Mapping[str, Any], field: str, *, max_length: int = 200) -> list[str]:
    """The field as a list of distinct stripped strings (compared without case, the first spelling
    kept), blanks dropped; at most MAX_LIST_ITEMS entries of at most `max_length` characters."""
    values = data.get(field) or []
    if isinstance(values, str):
        values = values.replace("\n", ",").split(",")
    if not isinstance(values, (list, tuple)):
        raise ValidationError({field: [_("Give a list.")]})
    cleaned: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if len(value) > max_length or "\x00" in value:
            raise ValidationError({field: [_("Each entry has at most %(max)d characters.") % {"max": max_length}]})
        if value.casefold() not in seen:
            seen.add(value.casefold())
            cleaned.append(value)
            if len(cleaned) > MAX_LIST_ITEMS:
                raise ValidationError({field: [_("At most %(max)d entries.") % {"max": MAX_LIST_ITEMS}]})
    return cleaned


def clean_countries(data: Mapping[str, Any], field: str) -> list[str]:
    """The field as a list of distinct ISO 3166-1 alpha-2 codes, upper case, in the order given."""
    values = data.get(field) or []
    if isinstance(values, str):
        values = [v for v in values.replace("\n", ",").split(",") if v.strip()]
    try:
        return normalize_countries(values)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def clean_choices(data: Mapping[str, Any], field: str, options: type[Choices]) -> list[str]:
    """The field as a list of distinct values of `options` (a TextChoices); an unknown value is
    refused with the list of the allowed ones."""
    values = clean_string_list(data, field, max_length=64)
    allowed = set(options.values)
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ValidationError(
            {
                field: [
                    _("Unknown value: %(values)s. Choose from %(allowed)s.")
                    % {"values": ", ".join(wrong), "allowed": ", ".join(sorted(allowed))}
                ]
            }
        )
    return values


def normalize_country(value: Any) -> str:
    """An ISO 3166-1 alpha-2 code, upper case."""
    code = str(value or "").strip().upper()
    if code not in countries:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166-1 alpha-2 country code.") % {"value": value}, code="invalid_country"
        )
    return code


def normalize_countries(values: Any) -> list[str]:
    """A list of distinct country codes, in the order given."""
    if not isinstance(values, (list, tuple)):
        raise ValidationError(_("Give a list of country codes."), code="invalid")
    seen: list[str] = []
    for value in values:
        code = normalize_country(value)
        if code not in seen:
            seen.append(code)
    return seen


def clean_agencies(value: Any, *, empty_message: str, error: Callable[[str], ValidationError]) -> list[str]:
    """A non-empty list of enforcement kinds (core.roles.AGENCY_KINDS), without repeats, in the
    order forms list them. `error(message)` builds the ValidationError, so that each caller names
    its own field (a brand's `visibility`, an alert's `target_agencies`)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(kind, str) for kind in value):
        raise error(_('Give the agencies as a list, e.g. ["customs", "police"].'))
    unknown = sorted({kind for kind in value if kind not in AGENCY_VALUES})
    if unknown:
        raise error(
            _("Unknown agency: %(unknown)s. Choose among %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(AGENCY_VALUES)}
        )
    if not value:
        raise error(empty_message)
    return in_agency_order(value)
