"""What a scanned code says (issue 17): the GTIN that finds the product, and the rest of what
the code carries that an officer can use (batch, serial, expiry and production dates, the
SSCC of a logistic unit).

Read by biip (a well-kept GS1 library, MIT): EAN/UPC (UPC-E expanded), GS1 element strings with
every application identifier (raw with GS separators, with a symbology identifier such as
``]d2``, or in the printed form "(01)…(17)…"), GS1 Digital Link URIs and SSCCs. The hand-written
table it replaces stopped at the first identifier it did not know (3103, a net weight), losing
the batch and expiry that followed.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from biip import ParseError, ParseResult
from biip import parse as biip_parse
from biip.gs1_messages import GS1Message
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .identifiers import normalize_gtin

MAX_CODE_LENGTH = 500
RETAIL_FORMATS = ("EAN13", "EAN8", "UPCA", "UPCE")
# GS1 application identifiers read here: what the officer is shown beside the product.
SERIAL, BATCH, EXPIRY, BEST_BEFORE, PRODUCTION_DATE = "21", "10", "17", "15", "11"


@dataclass
class Code:
    format: str
    text: str
    gtin: str | None = None  # as GTIN-14
    serial: str | None = None
    batch: str | None = None
    expiry: datetime.date | None = None  # AI 17, or 15 (best before) without one
    production_date: datetime.date | None = None  # AI 11
    sscc: str | None = None

    def as_dict(self) -> dict:
        found = asdict(self)
        for name in ("expiry", "production_date"):
            found[name] = found[name].isoformat() if found[name] else None
        return found

    @property
    def expired(self) -> bool:
        """An expiry date already past: on goods in transit, itself a clue."""
        return self.expiry is not None and self.expiry < datetime.date.today()


def _parse(text: str) -> ParseResult | None:
    try:
        return biip_parse(text)
    except (ParseError, ValueError):
        return None


def _element_strings(result: ParseResult | None, text: str) -> list:
    if text.startswith("("):  # the printed form: "(01)09506000134352(17)201225"
        try:
            return list(GS1Message.parse_hri(text).element_strings)
        except (ParseError, ValueError):
            return []
    if result is None:
        return []
    message = result.gs1_message or result.gs1_digital_link_uri
    return list(message.element_strings) if message is not None else []


def interpret(format_name: str, text: str) -> Code:
    """A code as read (zxing-cpp's format name, or "" when unknown, and its text)."""
    text = str(text or "")[:MAX_CODE_LENGTH]
    code = Code(format=format_name, text=text)
    result = _parse(text)
    elements = {element.ai.ai: element for element in _element_strings(result, text)}
    gtin = None
    if format_name == "UPCE" and result is not None and result.upc is not None:
        gtin = result.upc.as_gtin_12()  # UPC-E carries a UPC-A with its zeros suppressed
    elif "01" in elements:
        gtin = elements["01"].value
    elif result is not None and result.gtin is not None and (format_name in RETAIL_FORMATS or text.isdigit()):
        gtin = result.gtin.value
    if gtin:
        try:
            code.gtin = normalize_gtin(gtin)
        except ValidationError:
            code.gtin = None
    code.serial = _value(elements, SERIAL)
    code.batch = _value(elements, BATCH)
    code.expiry = _date(elements, EXPIRY) or _date(elements, BEST_BEFORE)
    code.production_date = _date(elements, PRODUCTION_DATE)
    if "00" in elements:
        code.sscc = elements["00"].value
    elif result is not None and result.sscc is not None and format_name not in RETAIL_FORMATS:
        code.sscc = result.sscc.value
    return code


def _value(elements: dict, ai: str) -> str | None:
    element = elements.get(ai)
    return (element.value or None) if element is not None else None


def _date(elements: dict, ai: str) -> datetime.date | None:
    element = elements.get(ai)
    return element.date if element is not None else None


def describe(code: Code) -> str:
    """What the code says besides its GTIN, in a sentence for the officer ("" when nothing)."""
    parts = []
    if code.batch:
        parts.append(_("batch %(batch)s") % {"batch": code.batch})
    if code.serial:
        parts.append(_("serial %(serial)s") % {"serial": code.serial})
    if code.production_date:
        parts.append(_("produced %(date)s") % {"date": date_format(code.production_date, "SHORT_DATE_FORMAT")})
    if code.expiry:
        expiry = date_format(code.expiry, "SHORT_DATE_FORMAT")
        if code.expired:
            parts.append(_("expiry %(date)s (expired: a clue on goods in transit)") % {"date": expiry})
        else:
            parts.append(_("expiry %(date)s") % {"date": expiry})
    return ", ".join(parts)
