"""The French and Spanish catalogs: complete, well-formed, compiled, and used by Django.

No database. msgfmt (GNU gettext) is needed for the checks that call it: without it they skip
locally and fail under CI (the CI environment variable is set).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

# Looked up under other names so that makemessages does not extract this file's strings.
translate = translation.gettext
translate_plural = translation.ngettext

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
SOURCE_LANGUAGE = "en"
TRANSLATED = ("fr", "es")
ALL_LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATED)

# Translations deliberately identical to the English msgid, per language. Keep this short and
# reviewed: everything else must differ from the English, so a forgotten copy-paste shows up.
ALLOWED_IDENTICAL = {
    "fr": frozenset(
        {
            "IPM Portal",  # product name
            "E-mail",  # the usual French UI term, as chosen for this product
            "Action",  # same word in French (audit log column, filter)
            "action",  # model field verbose name
            "Actions",  # token table column
            "Permissions",  # Django admin fieldset
            "Dates",  # Django admin fieldset
            "Catalogue",  # same word in French (the brand catalogue)
            "Menu",  # same word in French (the phone header's button)
            "Description",  # same word in French (brand and product field)
            "description",  # model field verbose name
            "Logo",  # same word in French (brand field)
            "logo",  # model field verbose name
            "contact",  # same word in French (model verbose name)
            "contacts",  # same word in French (model verbose name plural)
            "GTIN",  # GS1 identifier, not translated
            "GTIN-14",  # GS1 identifier, not translated
            "SSCC",  # GS1 identifier (serial shipping container code), not translated
            "Guides",  # same word in French (authentication guides, main navigation)
            "%(counter)s guide",  # same word in French (the plural is "guides" too)
            "message",  # same word in French (guide feedback field)
            "conclusion",  # same word in French (inspection checklist field)
            "Message",  # same word in French (case thread, guide feedback, job errors)
            "Messages",  # same word in French (case thread heading)
            "Photo",  # same word in French (case photo field)
            "Participants",  # same word in French (a joint operation's organizations)
            "Clients",  # same word in French (the right holders a representative acts for)
            "Verdicts",  # same word in French (an operation's results)
            "Photos",  # same word in French (case photos heading)
            "Notification",  # same word in French (inbox column)
            "Notifications",  # same word in French (app name, settings panel)
            "notification",  # model verbose name
            "notifications",  # model verbose name plural
            "Webhooks",  # technical term used as is in French (page title)
        }
    ),
    "es": frozenset(
        {
            "Demo",  # the usual Spanish word too (the phone header's badge)
            "IPM Portal",  # product name
            "Editor",  # role name, same word in Spanish
            "Token",  # API token: "token" is the Spanish term chosen for this product
            "%(counter)s error",  # "error" is the same word in Spanish (the plural differs)
            "No",  # same word in Spanish (yes/no answer)
            "Webhooks",  # technical term used as is in Spanish (page title)
            "GTIN",  # GS1 identifier, not translated
            "GTIN-14",  # GS1 identifier, not translated
            "SSCC",  # GS1 identifier (serial shipping container code), not translated
        }
    ),
}

PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


# --------------------------------------------------------------------------- a small .po parser

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(literal: str) -> str:
    """The value of one C-style quoted PO string, e.g. '"a\\"b\\n"' -> 'a"b\n'."""
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ValueError(f"not a quoted PO string: {literal!r}")
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            escaped = body[i + 1 : i + 2]
            if escaped not in _ESCAPES:
                raise ValueError(f"unknown escape \\{escaped} in {literal!r}")
            out.append(_ESCAPES[escaped])
            i += 2
        elif char == '"':
            raise ValueError(f"unescaped quote in {literal!r}")
        else:
            out.append(char)
            i += 1
    return "".join(out)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def where(self) -> str:
        return " ".join(self.references) or f"line {self.line}"


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file, header included, in file order. Obsolete entries (#~)
    are dropped; multi-line strings are joined; plural forms are keyed by their index (a
    singular entry's msgstr is form 0)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field a continuation line extends
    seen_keyword = False

    def flush():
        nonlocal current, target, seen_keyword
        if current is not None and seen_keyword:
            entries.append(current)
        current, target, seen_keyword = None, None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            # An obsolete entry: ignored. If it follows a live entry without a blank line,
            # that entry is complete.
            if seen_keyword:
                flush()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                flush()  # a comment after a msgstr starts the next entry
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                current.references.extend(line[2:].split())
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"line {number}: continuation line outside an entry")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"line {number}: cannot parse {raw!r}")
        keyword, index, literal = match.group(1), match.group(2), _unquote(match.group(3))
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            flush()  # a new entry without a blank line before it
        if current is None:
            current = Entry(line=number)
        seen_keyword = True
        if keyword.startswith("msgstr"):
            position = int(index) if index is not None else 0
            current.msgstr[position] = literal
            target = ("msgstr", position)
        else:
            setattr(current, keyword, literal)
            target = (keyword, 0)
    flush()
    return entries


def load_catalog(language: str) -> list[Entry]:
    return parse_po(po_path(language).read_text(encoding="utf-8"))


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next(entry for entry in entries if entry.is_header)
    return dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)


def expected_mo_catalog(entries: list[Entry]) -> dict:
    """What msgfmt puts in a .mo for these entries: the header, and every translated, non-fuzzy
    message (plural forms keyed by (singular msgid, index), as gettext.GNUTranslations does)."""
    catalog: dict = {}
    for entry in entries:
        if "fuzzy" in entry.flags and not entry.is_header:
            continue
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                catalog[entry.key] = entry.msgstr[0]
        elif any(entry.msgstr.values()):
            for index, text in entry.msgstr.items():
                catalog[(entry.key, index)] = text
    return catalog


def without_pot_date(catalog: dict) -> dict:
    """msgfmt leaves POT-Creation-Date out of a .mo's header: compare the rest."""
    header = "".join(
        line for line in catalog.get("", "").splitlines(True) if not line.startswith("POT-Creation-Date:")
    )
    return {**catalog, "": header}


def mo_catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return without_pot_date(dict(gettext.GNUTranslations(handle)._catalog))


# --------------------------------------------------------------------------- msgfmt


def msgfmt() -> str:
    """The msgfmt executable; skips the test without it, except under CI where it fails."""
    executable = shutil.which("msgfmt")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (GNU gettext) is required under CI")
        pytest.skip("msgfmt (GNU gettext) is not installed")
    return executable


def run_msgfmt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([msgfmt(), *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_msgfmt_accepts_the_catalog(language):
    result = run_msgfmt("--check-format", "-o", os.devnull, str(po_path(language)))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_committed_mo_is_what_msgfmt_builds_from_the_po(language, tmp_path):
    built = tmp_path / "django.mo"
    result = run_msgfmt("--check-format", "-o", str(built), str(po_path(language)))
    assert result.returncode == 0, result.stderr
    assert mo_path(language).exists(), f"{mo_path(language)} is missing: run `make messages`"
    assert mo_catalog(mo_path(language)) == mo_catalog(built), (
        f"{mo_path(language)} is out of date with its .po: run `make messages`"
    )


# --------------------------------------------------------------------------- the catalogs themselves


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_committed_mo_matches_the_po(language):
    """Without msgfmt too: the .mo holds exactly the .po's translations (this also checks the
    parser above against gettext's own reader)."""
    assert mo_path(language).exists(), f"{mo_path(language)} is missing: run `make messages`"
    assert mo_catalog(mo_path(language)) == without_pot_date(expected_mo_catalog(load_catalog(language)))


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_header(language):
    entries = load_catalog(language)
    header = next(entry for entry in entries if entry.is_header)
    assert "fuzzy" not in header.flags
    fields = header_fields(entries)
    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == PLURAL_FORMS[language]


def test_every_language_has_the_same_messages():
    def ids(language):
        return {(e.key, e.msgid_plural) for e in load_catalog(language) if not e.is_header}

    source = ids(SOURCE_LANGUAGE)
    assert source, "no messages in the English catalog"
    for language in TRANSLATED:
        assert ids(language) == source, f"{language} and {SOURCE_LANGUAGE} differ: run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    problems = []
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))
    for entry in load_catalog(language):
        if entry.is_header:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r} ({entry.where})")
        expected_forms = range(nplurals) if entry.msgid_plural is not None else range(1)
        if sorted(entry.msgstr) != list(expected_forms) or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.msgid!r} ({entry.where})")
            continue
        english = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        identical = entry.msgstr[0] == english[0] or (
            entry.msgid_plural is not None and entry.msgstr[nplurals - 1] == english[1]
        )
        if identical and entry.msgid not in ALLOWED_IDENTICAL[language]:
            problems.append(f"same as the English: {entry.msgid!r} ({entry.where})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_allowed_identical_entries_exist(language):
    """A stale allow-list entry would hide nothing today and something tomorrow."""
    msgids = {entry.msgid for entry in load_catalog(language)}
    assert ALLOWED_IDENTICAL[language] <= msgids, ALLOWED_IDENTICAL[language] - msgids


def test_french_punctuation_is_consistent():
    """A non-breaking space before : ; ? ! and inside « »; never an ordinary space."""
    problems = []
    for entry in load_catalog("fr"):
        for text in entry.msgstr.values():
            if entry.is_header:
                continue
            if re.search(r"[^\u00a0\u202f][:;?!](\s|$)", text) or re.search(r" [:;?!]", text):
                problems.append(f"{entry.msgid!r}: {text!r}")
            if re.search(r"«[^\u00a0\u202f]|[^\u00a0\u202f]»", text):
                problems.append(f"{entry.msgid!r}: {text!r}")
    assert not problems, "\n".join(problems)


def test_spanish_questions_open_with_inverted_marks():
    problems = []
    for entry in load_catalog("es"):
        for text in entry.msgstr.values():
            if entry.is_header:
                continue
            if text.count("?") != text.count("¿") or text.count("!") != text.count("¡"):
                problems.append(f"{entry.msgid!r}: {text!r}")
    assert not problems, "\n".join(problems)


def test_parser_handles_multiline_plural_obsolete_and_fuzzy():
    text = r"""
# comment
#, fuzzy
msgid ""
msgstr ""
"Language: fr\n"

#: a.py:1
#, python-format
msgid ""
"Two "
"lines %(x)s"
msgstr "Deux \"lignes\" %(x)s"
#: b.py:2
msgid "one"
msgid_plural "many"
msgstr[0] "un"
msgstr[1] ""
"plusieurs"

#~ msgid "old"
#~ msgstr "vieux"

#, fuzzy
msgctxt "menu"
msgid "File"
msgstr "Fichier"
"""
    header, multi, plural, fuzzy = parse_po(text)
    assert header.is_header and header.msgstr == {0: "Language: fr\n"} and "fuzzy" in header.flags
    assert (multi.msgid, multi.msgstr) == ("Two lines %(x)s", {0: 'Deux "lignes" %(x)s'})
    assert multi.flags == {"python-format"} and multi.references == ["a.py:1"]
    assert (plural.msgid, plural.msgid_plural, plural.msgstr) == ("one", "many", {0: "un", 1: "plusieurs"})
    assert fuzzy.key == "menu\x04File" and "fuzzy" in fuzzy.flags
    assert expected_mo_catalog([header, multi, plural, fuzzy]) == {
        "": "Language: fr\n",
        "Two lines %(x)s": 'Deux "lignes" %(x)s',
        ("one", 0): "un",
        ("one", 1): "plusieurs",
    }


# --------------------------------------------------------------------------- Django uses them


@pytest.mark.parametrize(
    ("language", "sign_in", "french", "forgotten"),
    [
        ("fr", "Se connecter", "Français", "Mot de passe oublié\u00a0?"),
        ("es", "Iniciar sesión", "Francés", "¿Ha olvidado su contraseña?"),
        ("en", "Sign in", "French", "Forgotten your password?"),
    ],
)
def test_django_translates(language, sign_in, french, forgotten):
    with translation.override(language):
        assert translate("Sign in") == sign_in
        assert translate("French") == french
        assert translate("Forgotten your password?") == forgotten


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("fr", {0: "0 entrée", 1: "1 entrée", 2: "2 entrées"}),
        ("es", {0: "0 entradas", 1: "1 entrada", 2: "2 entradas"}),
    ],
)
def test_django_plurals(language, counts):
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} entry"
        "{% plural %}{{ counter }} entries{% endblocktranslate %}"
    )
    with translation.override(language):
        for n, expected in counts.items():
            assert translate_plural("%(counter)s entry", "%(counter)s entries", n) % {"counter": n} == expected
            assert template.render(Context({"n": n})) == expected


def test_django_keeps_placeholders():
    with translation.override("fr"):
        assert translate("Page %(number)s of %(total)s") % {"number": 2, "total": 5} == "Page 2 sur 5"
    with translation.override("es"):
        assert translate("The token “%(name)s” is revoked.") % {"name": "ci"} == "El token «ci» ha sido revocado."
