"""Case subjects and their normal form: what deconfliction compares (DESIGN.md, "Coordination").

Two officers write the same company, website or phone number differently; the normal form is
what both spellings become, so that a match is one equality on an index:

- names, addresses, tracking numbers, vehicles, shops: case and accents folded, spaces and
  punctuation dropped ("ACME Trading Co., Ltd." and "acme trading co ltd" → "acmetradingcoltd");
- websites (and shops given as an address): host and path, without scheme, `www.`, query,
  fragment or trailing slash ("https://www.shop.example/store/123" → "shop.example/store/123");
- e-mail addresses: trimmed and lower-cased;
- phones: E.164 by the `phonenumbers` library, a number without `+` or `00` read in the case's
  country ("+33 6 12 34 56 78", "0033612345678" and, in France, "06 12 34 56 78" →
  "+33612345678");
- containers: ISO 6346 (owner code, category, serial number and a valid check digit, by
  python-stdnum), "CSQU 305438-3" → "CSQU3054383".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import iso6346

MAX_SUBJECTS = 50
MAX_VALUE_LENGTH = 300
# Folding decomposes some characters into several (NFKD): the normal form gets its own limit,
# the column's (CaseSubject.normal).
MAX_NORMAL_LENGTH = 400


class SubjectKind(models.TextChoices):
    COMPANY = "company", gettext_lazy("Company")
    PERSON = "person", gettext_lazy("Person")
    ADDRESS = "address", gettext_lazy("Address")
    WEBSITE = "website", gettext_lazy("Website")
    MARKETPLACE_SHOP = "marketplace_shop", gettext_lazy("Marketplace shop")
    PHONE = "phone", gettext_lazy("Phone number")
    EMAIL = "email", gettext_lazy("E-mail address")
    CONTAINER = "container", gettext_lazy("Container number")
    TRACKING_NUMBER = "tracking_number", gettext_lazy("Tracking number")
    VEHICLE = "vehicle", gettext_lazy("Vehicle")


@dataclass(frozen=True)
class Subject:
    kind: str
    value: str  # as the officer wrote it
    normal: str  # what is compared


def fold(value: str) -> str:
    """Case and accents folded, everything but letters and digits dropped (any script)."""
    # Decomposed first ("㎒" is "MHz"), then folded: compatibility forms meet their plain spelling.
    decomposed = unicodedata.normalize("NFKD", value).casefold()
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _url(value: str) -> str:
    text = value.strip()
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except (ValueError, UnicodeError):  # UnicodeError: a label IDNA cannot encode (empty, too long)
        return ""
    host = host.lower().removeprefix("www.")
    path = unquote(parts.path).rstrip("/")
    decomposed = unicodedata.normalize("NFKD", path).casefold()
    path = "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace())
    return f"{host}{path}" if host else ""


def _looks_like_url(value: str) -> bool:
    text = value.strip().lower()
    if "://" in text or text.startswith("www."):
        return True
    head = text.split("/", 1)[0]
    return " " not in head and "." in head and head.rsplit(".", 1)[-1].isalpha()


def _phone(value: str, country: str) -> str:
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else (country or None))
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _container(value: str) -> str:
    code = iso6346.compact(value).replace("-", "").replace(".", "")
    return code if iso6346.is_valid(code) else ""


def normal_form(kind: str, value: str, country: str = "") -> str:
    """The form `value` of `kind` is compared in ("" when it cannot be read as one)."""
    if kind == SubjectKind.WEBSITE:
        return _url(value)
    if kind == SubjectKind.MARKETPLACE_SHOP:
        return _url(value) if _looks_like_url(value) else fold(value)
    if kind == SubjectKind.EMAIL:
        text = "".join(value.split()).lower()
        return text if text.count("@") == 1 and not text.startswith("@") and not text.endswith("@") else ""
    if kind == SubjectKind.PHONE:
        return _phone(value, country)
    if kind == SubjectKind.CONTAINER:
        return _container(value)
    return fold(value)


_UNREADABLE = {
    SubjectKind.WEBSITE: gettext_lazy("“%(value)s” is not a web address."),
    SubjectKind.MARKETPLACE_SHOP: gettext_lazy("“%(value)s” is neither a shop's name nor its web address."),
    SubjectKind.EMAIL: gettext_lazy("“%(value)s” is not an e-mail address."),
    SubjectKind.PHONE: gettext_lazy(
        "“%(value)s” is not a phone number (give it with + and the country code, or as dialled in the case's country)."
    ),
    SubjectKind.CONTAINER: gettext_lazy(
        "“%(value)s” is not an ISO 6346 container number (4 letters, 6 digits and the check digit)."
    ),
}


def clean_subjects(raw: Any, country: str, *, field: str = "subjects") -> list[Subject]:
    """`raw` (a list of {kind, value}) as subjects with their normal form, in order, each
    (kind, normal form) once; a ValidationError naming `field` for anything else."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, (list, tuple)):
        raise ValidationError({field: [_("Give a list of subjects, each {kind, value}.")]})
    if len(raw) > MAX_SUBJECTS:
        raise ValidationError({field: [_("At most %(max)d subjects a case.") % {"max": MAX_SUBJECTS}]})
    subjects: list[Subject] = []
    seen: set[tuple[str, str]] = set()
    for item in raw:
        if not isinstance(item, dict):
            raise ValidationError({field: [_("Give each subject as {kind, value}.")]})
        kind, value = item.get("kind"), item.get("value")
        if not isinstance(kind, str) or kind not in SubjectKind.values:
            choices = ", ".join(SubjectKind.values)
            message = _("Unknown subject kind “%(kind)s”: choose one of %(choices)s.")
            raise ValidationError({field: [message % {"kind": str(kind)[:40], "choices": choices}]})
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a phone or tracking number given as a JSON number
        if not isinstance(value, str) or not value.strip():
            raise ValidationError({field: [_("Give a value for each subject, as text.")]})
        value = value.strip()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            raise ValidationError({field: [_("A subject's value is not valid text.")]}) from None
        if len(value) > MAX_VALUE_LENGTH or "\x00" in value:
            message = _("A subject's value has at most %(max)d characters.")
            raise ValidationError({field: [message % {"max": MAX_VALUE_LENGTH}]})
        normal = normal_form(kind, value, country)
        if len(normal) > MAX_NORMAL_LENGTH:
            message = _("“%(value)s” is too long once its special characters are spelled out: shorten it.")
            raise ValidationError({field: [message % {"value": value[:40]}]})
        if not normal:
            message = _UNREADABLE.get(kind) or gettext_lazy("“%(value)s” has no letters or digits.")
            raise ValidationError({field: [str(message) % {"value": value[:80]}]})
        if (kind, normal) not in seen:
            seen.add((kind, normal))
            subjects.append(Subject(kind=kind, value=value, normal=normal))
    return subjects


def kind_label(kind: str) -> str:
    return str(dict(SubjectKind.choices).get(kind, kind))
