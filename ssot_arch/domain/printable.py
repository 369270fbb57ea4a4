"""Text from the analysed tree made safe to print (file names, source lines, reasons)."""

from __future__ import annotations

import re

# Characters that end a line, move the cursor or start a terminal control sequence:
# C0 controls but the tab, DEL, C1 controls (NEL is one), the Unicode line and
# paragraph separators, and lone surrogates (an undecodable byte of a file name,
# which no UTF-8 output can hold).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` with every control character shown as an escape such as `\\n` or `\\x1b`.

    File names, source lines and configuration values come from the analysed tree: a
    newline in one must not start a line of its own in a CI log (`::error` is a GitHub
    workflow command), a carriage return or an escape sequence must not hide lines on
    a terminal, and XML cannot hold most of them. The tab is kept: it moves no line.
    Backslashes are not doubled: this is for reading, the JSON formats hold exact text.
    """
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_escape, text)
