"""`fix --format diff`: the changes as one unified diff (`a/PATH`, `b/PATH`), by file.

On a pipe or in a file the diff is exact, so `git apply` or `patch -p1` reproduces the
rewritten files; on a terminal (`color`) it is coloured and control characters in the
source are shown as escapes, so that none can move the cursor or hide a line.

File names are written as git writes them in its diffs (git's `quote_c_style`, with
`core.quotePath` on), on a terminal too: a name holding a control character, a double
quote, a backslash or a byte that is not ASCII goes between double quotes, with C
escapes (`\\t`, `\\n`, `\\"`, `\\\\`) and octal ones for the other bytes of its UTF-8
(`caf\\303\\251.py`); a name with a space is followed by a tab. So no name can start
a line of its own, and `git apply` reads every one back.
"""

from __future__ import annotations

import difflib
import os
import re

from ssot_arch.domain.remediation import FixOutcome
from ssot_arch.formats.common import printable

_RED, _GREEN, _CYAN, _RESET = "\033[31m", "\033[32m", "\033[36m", "\033[0m"
_NO_NEWLINE = "\\ No newline at end of file\n"


def lines_of(text: str) -> list[str]:
    """`text` cut after each `\\n` only: the lines a diff and `patch` know (str.splitlines
    would also cut at form feeds and Unicode separators, which are no line ends here)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


_C_ESCAPES = {7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 0x22: '"', 0x5C: "\\"}


def _quoted_byte(byte: int) -> str:
    if byte in _C_ESCAPES:
        return "\\" + _C_ESCAPES[byte]
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}"


def git_path(path: str) -> str:
    """`path` (`a/app/x.py`) as git writes it in a diff header: as it is, or quoted when
    it holds a byte git quotes. An undecodable byte of a name (a surrogate) is its own
    byte again."""
    raw = os.fsencode(path)
    if all(0x20 <= byte < 0x7F and byte not in (0x22, 0x5C) for byte in raw):
        quoted = path
    else:
        quoted = '"' + "".join(_quoted_byte(byte) for byte in raw) + '"'
    # git ends a name holding a space with a tab, for `patch`, which cuts names there.
    return quoted + "\t" if " " in quoted else quoted


def file_diff(file: str, before: str, after: str) -> list[str]:
    """The unified diff of one file, each line ending with a new line."""
    old, new = git_path(f"a/{file}"), git_path(f"b/{file}")
    out = []
    for line in difflib.unified_diff(lines_of(before), lines_of(after), old, new):
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a file without a final new line
            out += [line + "\n", _NO_NEWLINE]
    return out


def _on_terminal(line: str) -> str:
    body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    if body.endswith("\r"):
        body, end = body[:-1], "\r\n"  # a CRLF file: the line end is no hiding trick
    body = printable(body)
    colour = {"+": _GREEN, "-": _RED, "@": _CYAN}.get(body[:1])
    if body.startswith(("+++", "---")):
        colour = None
    return f"{colour}{body}{_RESET}{end}" if colour else body + end


def render(outcome: FixOutcome, color: bool = False) -> str:
    lines = []
    for fix in outcome.files:
        if fix.status in outcome.applied and fix.rewritten is not None:
            lines += file_diff(fix.file, fix.original, fix.rewritten)
    if color:
        lines = [_on_terminal(line) for line in lines]
    return "".join(lines)
