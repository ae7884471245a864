"""Request body parsers for the API."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Far more than any body of the contract needs (visibility objects are three levels deep). Python's
# json module recurses once per level: about 1,000 levels end in a RecursionError, a 500.
MAX_DEPTH = 64

# A whole string literal (escapes included), or one bracket outside strings. An unclosed string
# runs to the end of the text (`\Z`): were it left unmatched, the scan would start again at every
# later quote, and a body of quotes would cost the square of its length (64 KB took 12 s).
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[\[\]{}]', re.DOTALL)


def nesting_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when arrays and objects in `text` nest deeper than `limit`, counted without recursion.
    Brackets inside strings do not count. Malformed text is left to the JSON parser."""
    depth = 0
    for match in _TOKENS.finditer(text):
        first = match.group()[0]
        if first == "[" or first == "{":
            depth += 1
            if depth > limit:
                return True
        elif first == "]" or first == "}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_DEPTH with a 400 before parsing."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        if nesting_exceeds(text):
            raise ParseError(_("JSON nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH})
        return super().parse(io.BytesIO(raw), media_type, parser_context)
