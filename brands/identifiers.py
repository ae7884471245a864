"""Identifiers that are validated, not just stored: GTINs, HS codes, and a brand's visibility
(countries and agency kinds).
Country codes are core.validators' (normalize_country, normalize_countries).

Each function returns the normalized value or raises a ValidationError whose message says what
is wrong and how to fix it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from core.validators import clean_agencies, normalize_countries

GTIN_LENGTHS = (8, 12, 13, 14)
_SEPARATORS = re.compile(r"[\s\-.]")
# The code of a visibility error about agency kinds (still keyed "visibility"): forms show it on
# their agencies field.
AGENCIES_ERROR = "agencies"


def normalize_gtin(value: str) -> str:
    """A GTIN-8, -12, -13 or -14 (spaces, dashes and dots allowed) as a GTIN-14."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw:
        raise ValidationError(_("Enter a GTIN."), code="required")
    if not raw.isdigit():
        raise ValidationError(
            _("“%(value)s” is not a GTIN: only digits are allowed.") % {"value": value}, code="invalid"
        )
    if len(raw) not in GTIN_LENGTHS:
        raise ValidationError(
            _("“%(value)s” has %(count)d digits: a GTIN has 8, 12, 13 or 14.") % {"value": value, "count": len(raw)},
            code="invalid_length",
        )
    try:
        ean.validate(raw)
    except InvalidChecksum:
        expected = ean.calc_check_digit(raw[:-1])
        raise ValidationError(
            _("“%(value)s” has a wrong check digit: the last digit should be %(expected)s.")
            % {"value": value, "expected": expected},
            code="check_digit",
        ) from None
    except (InvalidFormat, InvalidLength):
        raise ValidationError(_("“%(value)s” is not a valid GTIN.") % {"value": value}, code="invalid") from None
    return raw.zfill(14)


def normalize_hs_code(value: str) -> str:
    """An HS code: 6 to 10 digits (dots and spaces allowed in input, "6109.10" → "610910")."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw.isdigit() or not 6 <= len(raw) <= 10:
        raise ValidationError(
            _("“%(value)s” is not an HS code: enter 6 to 10 digits, e.g. 6109.10 or 61091000.") % {"value": value},
            code="invalid_hs_code",
        )
    return raw


def normalize_hs_prefix(value: str) -> str:
    """An HS code prefix for filtering: 2 to 10 digits."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw.isdigit() or not 2 <= len(raw) <= 10:
        raise ValidationError(_("Enter 2 to 10 digits of an HS code."), code="invalid_hs_prefix")
    return raw


def parse_visibility(visibility, *, empty_message: str) -> tuple[bool, list[str]]:
    """{"all": true} or {"all": false, "countries": [at least one ISO code]} as (all, countries).
    "all" is required: a visibility without it must never default to everyone. Errors are keyed
    "visibility"; `empty_message` is the one for a list with no country."""
    if not isinstance(visibility, dict) or not isinstance(visibility.get("all"), bool):
        raise ValidationError({"visibility": [_('Give {"all": true} or {"all": false, "countries": [...]}.')]})
    if visibility["all"]:
        return True, []
    try:
        countries = normalize_countries(visibility.get("countries") or [])
    except ValidationError as error:
        raise ValidationError({"visibility": error.messages}) from None
    if not countries:
        raise ValidationError({"visibility": [empty_message]})
    return False, countries


def parse_agencies(agencies, *, empty_message: str) -> list[str]:
    """A non-empty list of enforcement kinds in the order forms list them (core.validators).
    Errors are keyed "visibility", with the code AGENCIES_ERROR."""
    return clean_agencies(agencies, empty_message=empty_message, error=agencies_error)


def agencies_error(message: str) -> ValidationError:
    """A visibility error about agencies (forms show it on their agencies field)."""
    return ValidationError({"visibility": [ValidationError(message, code=AGENCIES_ERROR)]})
