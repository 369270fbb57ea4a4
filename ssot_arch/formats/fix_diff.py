"""`fix --format diff`: the changes as one unified diff (`a/PATH`, `b/PATH`), by file.

On a pipe or in a file the diff is exact, so `git apply` or `patch -p1` reproduces the
rewritten files; on a terminal (`color`) it is coloured and control characters in the
source are shown as escapes, so that none can move the cursor or hide a line.
"""

from __future__ import annotations

import difflib
import re

from ssot_arch.domain.remediation import FIXED, FixOutcome
from ssot_arch.formats.common import printable

_RED, _GREEN, _CYAN, _RESET = "\033[31m", "\033[32m", "\033[36m", "\033[0m"
_NO_NEWLINE = "\\ No newline at end of file\n"


def lines_of(text: str) -> list[str]:
    """`text` cut after each `\\n` only: the lines a diff and `patch` know (str.splitlines
    would also cut at form feeds and Unicode separators, which are no line ends here)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def file_diff(file: str, before: str, after: str) -> list[str]:
    """The unified diff of one file, each line ending with a new line."""
    name = printable(file)
    out = []
    for line in difflib.unified_diff(lines_of(before), lines_of(after), f"a/{name}", f"b/{name}"):
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
        if fix.status == FIXED and fix.rewritten is not None:
            lines += file_diff(fix.file, fix.original, fix.rewritten)
    if color:
        lines = [_on_terminal(line) for line in lines]
    return "".join(lines)
