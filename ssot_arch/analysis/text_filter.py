"""Which files `check` must parse: those whose text could import a restricted module.

A direct violation is an import statement naming a restricted module (or a module
inside it). Such a statement spells out one name component of that module, so a file
whose text does not contain it cannot hold a violation, and `check` need not parse it
("cleared by text"). The test is a necessary condition, never a guess:

* A restricted module outside the roots (`logging`, `loguru.logger`) can only be named
  by an absolute import, which starts with its top-level name right after `import`,
  `from`, or the comma of `import a, b` (with spaces or backslash continuations between).
  So the top-level name must occur there: `from shared.logging import x` does not clear
  the file of suspicion by containing `logging`, and is not a candidate for `logging`.
* A first-party restricted module can also be named relatively (`from . import log`,
  `from .log import x`, `from .. import log`), which omits everything above it. Every
  form still spells its last component, so that must occur anywhere in the text. (A
  first-party top-level package cannot be reached relatively from outside itself, so it
  is treated as in the first case.)
* Python normalises identifiers to NFKC: `import ｌｏｇｇｉｎｇ` imports `logging`. Text
  that is not pure ASCII is searched in its NFKC form, which spells every identifier as
  Python reads it. (Identifiers are maximal runs of identifier characters, and NFKC
  composes only with combining characters, which are identifier characters too, so
  normalising the whole text cannot hide one.) Text is searched after decoding, so a
  declared encoding (`# coding: utf-7`) cannot hide a name either.

The test over-approximates (`print(a, logging)` is a candidate; so is a comment reading
`# import logging`): a candidate is simply parsed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

_KEYWORDS = ("import", "from")
_SPACE = " \t\f"


@dataclass(frozen=True)
class ImportNeedles:
    """What a file's text must contain to possibly import one of the restricted modules."""

    in_import: frozenset[str]  # top-level names, only in import position
    anywhere: frozenset[str]  # last components of first-party modules, anywhere
    # Whether a dynamic import counts too: then a file that may hold one is parsed
    # (`may_import_dynamically` in dynamic.py: the strings naming a module can be spelt
    # in escapes, so only the import functions' names are searched for).
    dynamic: bool = False


def needles_for(
    restricted: Iterable[str], first_party: Collection[str], dynamic: bool = False
) -> ImportNeedles:
    """The needles for `restricted` modules, given the repository's top-level names;
    `dynamic` when literal dynamic imports count as imports."""
    in_import, anywhere = set(), set()
    for name in restricted:
        parts = name.split(".")
        if parts[0] in first_party and len(parts) > 1:
            anywhere.add(parts[-1])
        else:
            in_import.add(parts[0])
    return ImportNeedles(frozenset(in_import), frozenset(anywhere), dynamic)


_ASCII = bytes(range(128))


def _stable(non_ascii: str) -> bool:
    """Whether text whose non-ASCII characters are these is searched as it is.

    If they are in NFKC, so is the text, but for compositions of an ASCII letter with a
    combining mark that follows it (`e` + U+0301); composing never makes an ASCII
    character, so it can only remove a match: at worst one more file is parsed. (Checking
    only the non-ASCII characters costs a tenth of checking the whole text: most
    non-ASCII text is a few emoji in strings, already in NFKC.)
    """
    return unicodedata.is_normalized("NFKC", non_ascii)


def normalised(text: str) -> str:
    """`text` with identifiers spelt as Python reads them, for the search (NFKC)."""
    if text.isascii():
        return text
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII)
    if _stable(others.decode("utf-8", "surrogatepass")):
        return text
    return unicodedata.normalize("NFKC", text)


def utf8_searchable(data: bytes) -> str | None:
    """UTF-8 source `data` as text that `may_import` can search like its decoded and
    normalised form; None when it must be decoded and normalised first (it is not UTF-8,
    or holds characters that NFKC changes).

    The text is `data` read as Latin-1: one character per byte, so decoding costs a copy.
    The needles, and everything `may_import` looks at around them, are ASCII, and in UTF-8
    an ASCII byte is always that character, never part of another.
    """
    if not data.isascii():
        try:
            others = data.translate(None, _ASCII).decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not _stable(others):
            return None
    return data.decode("latin-1")


def may_import(text: str, needles: ImportNeedles) -> bool:
    """Whether `text` (decoded, normalised) could hold an import of a restricted module."""
    if any(needle in text for needle in needles.anywhere):
        return True
    for needle in needles.in_import:
        start = text.find(needle)
        while start != -1:
            if _in_import_position(text, start):
                return True
            start = text.find(needle, start + 1)
    return False


def _is_word(char: str) -> bool:
    # Only ASCII counts: a non-ASCII character before `import` makes the match count,
    # which can only add candidates.
    return char.isascii() and (char.isalnum() or char == "_")


def _in_import_position(text: str, start: int) -> bool:
    """Whether the name at `start` follows `import`, `from` or a comma, with only spaces
    and backslash continuations between (the only gaps an import statement allows)."""
    i = start
    while i > 0:
        char = text[i - 1]
        if char in _SPACE:
            i -= 1
        elif char in "\r\n":
            j = i - 1
            if char == "\n" and j > 0 and text[j - 1] == "\r":
                j -= 1
            if j > 0 and text[j - 1] == "\\":
                i = j - 1
            else:
                return False
        else:
            break
    if i > 0 and text[i - 1] == ",":
        return True
    return any(
        text.endswith(keyword, 0, i)
        and (i == len(keyword) or not _is_word(text[i - len(keyword) - 1]))
        for keyword in _KEYWORDS
    )
