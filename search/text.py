"""Text normalization shared by the index and the queries, on every backend.

Both sides of a match go through `normalize`, in Python, so PostgreSQL and SQLite see the same
words: compatibility forms folded (NFKD: "ﬁ" → "fi", Arabic presentation forms → letters),
accents and other combining marks removed ("Lancôme" → "lancome", Arabic short vowels dropped),
case folded ("Straße" → "strasse"). Scripts without case or marks (Chinese, Japanese) pass
through unchanged.
"""

from __future__ import annotations

import html
import re
import unicodedata

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 12
# A query that is only digits and separators may be a GTIN or a trade-mark number.
NUMBERISH = re.compile(r"^[\d\s./-]+$")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and not _is_surrogate(ch))
    return " ".join(kept.casefold().split())


def _is_surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def words(text: str) -> list[str]:
    """The words of normalized text, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text):
        seen.setdefault(word, None)
    return list(seen)


def key(text: str) -> str:
    """An exact-match key: normalized, separators removed for codes ("018 234 567" → "018234567")."""
    norm = normalize(text)
    return "".join(WORD.findall(norm)) if NUMBERISH.match(norm or "x") else norm


def highlight(text: str, terms: list[str], length: int = 180) -> str:
    """An HTML-escaped extract of `text` around its first word starting with one of `terms`,
    each such word in <mark>. Matching is accent- and case-insensitive like the search."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    spans = []
    for match in WORD.finditer(text):
        norm = normalize(match.group())
        if any(norm.startswith(term) for term in terms):
            spans.append(match.span())
    start = 0
    if spans and spans[0][0] > length // 3:
        start = text.rfind(" ", 0, spans[0][0] - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    out, cursor = [], start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        out.append(html.escape(text[cursor:begin]))
        out.append("<mark>" + html.escape(text[begin:finish]) + "</mark>")
        cursor = finish
    out.append(html.escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + "".join(out) + suffix
