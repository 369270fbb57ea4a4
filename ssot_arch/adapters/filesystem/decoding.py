"""Decode Python source as the interpreter would, and prepare it for grimp's scanner.

Files are read and decoded in Python (PEP 263 encodings, BOMs), so that undecodable and
NUL-holding files are listed as unanalysed, with a precise reason, before grimp sees
them. A relative import deeper than the scan's virtual layout holds is shortened, in a
copy, to a run of dots that is still beyond every root (see grimp_scan.py).
"""

from __future__ import annotations

import functools
import platform
import re
import tokenize
from dataclasses import dataclass
from io import BytesIO

from ssot_arch.domain.model import Unanalyzed

# Quoted source text (a syntax error's line, a hostile import statement) is cut here.
MAX_QUOTE = 200

# `from` followed by a run of dots, spaces and line continuations: a relative import's
# level is at most the dots in the run (an upper bound is all that is needed).
_RELATIVE_RUN_TEXT = re.compile(r"from((?:[ \t\f.]|\\(?:\r\n|\r|\n))+)")


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode Python source as the interpreter would (PEP 263 cookie, BOM, UTF-8)."""
    encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    return data.decode(encoding), encoding


def declares_encoding(data: bytes) -> bool:
    """Whether `data` may declare its encoding: `coding` in its first two lines, the only
    place PEP 263 looks (an over-approximation: any mention there counts)."""
    first = data.find(b"\n")
    end = -1 if first == -1 else data.find(b"\n", first + 1)
    return b"coding" in (data if end == -1 else data[:end])


def cannot_parse(path: str, what: str, error: str) -> str:
    """The warning for a file the scanner read but Python's `ast` cannot parse (code for
    a newer Python than the running one): `what` was not looked for in it."""
    return f"{path}: {what}: Python {platform.python_version()} cannot parse it ({error})"


def quote(text: str) -> str:
    """Source text as shown in a reason: one stripped line, cut at MAX_QUOTE characters."""
    text = text.strip()
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


@dataclass
class Source:
    """What the scan needs of one file, not its text.

    A large repository's sources are hundreds of megabytes as Python strings, so the
    text is kept only for the files grimp reads from a copy.
    """

    plain_utf8: bool  # grimp can read the file as it is on disk
    mentions_type_checking: bool
    utf8_text: str | None = None  # the text grimp reads, for the files that need a copy
    # Lines whose relative imports were shortened in the copy -> their original text.
    original_lines: dict[int, str] | None = None


@functools.cache
def _deeper_than(cap: int) -> tuple[re.Pattern[bytes], re.Pattern[str]]:
    """Patterns that find a run of more than `cap` relative dots after `from` (one
    search in C, where most files have no such run)."""
    gap = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))*"
    pattern = rf"from{gap}(?:\.{gap}){{{cap + 1}}}"
    return re.compile(pattern.encode()), re.compile(pattern)


def _has_deeper_run(data: bytes | str, cap: int) -> bool:
    in_bytes, in_text = _deeper_than(cap)
    if isinstance(data, bytes):
        return in_bytes.search(data) is not None
    return in_text.search(data) is not None


def _shorten_relative_runs(text: str, cap: int) -> tuple[str, dict[int, str]]:
    """`text` with every run of more than `cap` relative dots cut to `cap` dots, keeping
    every line where it was; and the original text of each line changed."""
    lines = text.splitlines()
    changed: dict[int, str] = {}

    def shorten(match: re.Match[str]) -> str:
        run = match.group(1)
        if run.count(".") <= cap:
            return match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        changed[line] = lines[line - 1] if line <= len(lines) else ""
        breaks = len(re.findall(r"\\(?:\r\n|\r|\n)", run))
        return "from " + "." * cap + " " + "\\\n" * breaks

    return _RELATIVE_RUN_TEXT.sub(shorten, text), changed


def decode(data: bytes, display: str, cap: int, must_copy: bool) -> Source | Unanalyzed:
    """What the scan needs of a file's bytes, or why it cannot be analysed.

    `display` names the file in the reason; `cap` is the deepest relative level the
    virtual layout holds; `must_copy` says the file is read through a copy anyway.
    """
    if data.isascii() and b"\0" not in data and not declares_encoding(data):
        # ASCII without an encoding declaration (which only the first two lines may
        # hold) is valid UTF-8: no need to decode it (most files of most repositories).
        if not must_copy and not _has_deeper_run(data, cap):
            return Source(True, b"TYPE_CHECKING" in data)
        text, encoding = data.decode("ascii"), "utf-8"
    else:
        nul = data.find(b"\0")
        if nul != -1:
            line = data.count(b"\n", 0, nul) + 1
            return Unanalyzed(display, f"contains a NUL byte (line {line})")
        try:
            text, encoding = decode_source(data)
        except SyntaxError as error:  # a malformed or unknown coding cookie
            return Unanalyzed(display, f"SyntaxError: {quote(error.msg)} (line {error.lineno})")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return Unanalyzed(
                display,
                f"undecodable: byte 0x{data[error.start]:02x} is not valid {error.encoding} "
                f"(line {line})",
            )
    original_lines = None
    if _has_deeper_run(text, cap):
        text, original_lines = _shorten_relative_runs(text, cap)
    plain = encoding == "utf-8" and original_lines is None and not must_copy
    return Source(plain, "TYPE_CHECKING" in text, None if plain else text, original_lines)
