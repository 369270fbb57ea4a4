"""Names from the analysed tree in Markdown: the one escaping every Markdown writer uses
(`check --format markdown`, `report`, `plan`), and its reading back for the HTML report.

A file may be named ``t`<img src=x onerror=alert(1)>`.py``: written between single
backticks, the name would end its code span and the `<img>` would be raw HTML, live where
the renderer allows it (a GitHub job summary partly does). So, following CommonMark:

* `code(text)`: a code span whose fence is longer than any run of backticks in `text`,
  padded with a space when `text` starts or ends with a backtick or a space. Inside a
  code span nothing is interpreted, HTML included: the fence is the protection.
* `escape(text)`: text outside code spans, every character that would start markup
  (emphasis, links, HTML, entities, code, tables, math) behind a backslash.
* `cell(markdown)`: a GFM table cell. GitHub and markdown-it split a row on every `|`,
  even inside a code span, unless a backslash precedes it (and drop that backslash
  before reading the cell): every `|` is written `\\|`.

Control characters are not handled here: each writer passes its lines through
`printable`, which shows them as `\\n`, `\\x1b`... (a backslash before a letter, which
Markdown shows as it is).
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Sequence

# Markup anywhere in a line: escapes, code, emphasis, links and images, HTML and
# autolinks, entities, table cells, strikethrough, math (GitHub).
_INLINE = re.compile(r"[\\`*_\[\]<>&|~$]")
# Markup only at the start of a line (a list item's text starts one): headings, list
# items, block quotes (`>` is escaped anyway); and spaces or tabs there, which a reader
# drops or takes for an indented code block: they are written as character references.
_LEADING = re.compile(r"^(?:[ \t]+|[#+\-=]|\d{1,9}(?=[.)]))")
_REFERENCE = re.compile(r"&#([0-9]{1,7});")
_BACKTICKS = re.compile(r"`+")
_PUNCTUATION = frozenset(string.punctuation)  # what a backslash escapes in CommonMark


def escape(text: str) -> str:
    """`text` as Markdown text that shows exactly `text`, and never markup or HTML."""
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    return _LEADING.sub(_escape_leading, text, count=1)


def _escape_leading(match: re.Match[str]) -> str:
    marker = match.group()
    if marker.isdigit():  # `1.`: the backslash goes before the dot (a digit is text)
        return marker + "\\"
    if marker[0] in " \t":
        return "".join(f"&#{ord(char)};" for char in marker)
    return "\\" + marker


def code(text: str) -> str:
    """`text` as a Markdown code span that shows exactly `text` ("" for "", which no
    code span can show)."""
    if not text:
        return ""
    fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    # A reader strips one space from each end when both ends are spaces (unless all are).
    padded = (text[0] in "` " or text[-1] in "` ") and text.strip(" ") != ""
    pad = " " if padded else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(markdown: str) -> str:
    """Markdown text (of `escape` and `code`) as a GFM table cell."""
    return markdown.replace("|", "\\|")


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Collection[int] = ()
) -> list[str]:
    """A GFM table's lines, from the Markdown text of its cells; the columns at the
    indexes in `numeric` aligned right."""

    def row(cells: Sequence[str]) -> str:
        return "| " + " | ".join(map(cell, cells)) + " |"

    rule = "|" + "|".join("---:" if i in numeric else "---" for i in range(len(header))) + "|"
    return [row(header), rule, *(row(r) for r in rows)]


def code_block(text: str, info: str = "") -> list[str]:
    """`text` as a fenced code block's lines: a fence longer than any run of backticks
    in it, so that no line of it can close the block."""
    fence = "`" * max(3, max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    return [fence + info, *text.split("\n"), fence]


def inline_parts(markdown: str) -> list[tuple[bool, str]]:
    """Markdown text read back as its parts, each `(is_code, text)`: code spans, and
    the text between them with its backslash escapes undone. For the HTML report,
    which shows report_markdown.py's explanations; `escape` and `code` read back as
    the text they were given (other markup is left as it is written)."""
    parts: list[tuple[bool, str]] = []
    plain: list[str] = []
    position = 0
    while position < len(markdown):
        char = markdown[position]
        if char == "\\" and markdown[position + 1 : position + 2] in _PUNCTUATION:
            plain.append(markdown[position + 1])
            position += 2
            continue
        reference = _REFERENCE.match(markdown, position) if char == "&" else None
        if reference is not None:  # only `escape` writes an unescaped `&`
            plain.append(chr(int(reference.group(1))))
            position = reference.end()
            continue
        if char != "`":
            plain.append(char)
            position += 1
            continue
        start = position
        while start < len(markdown) and markdown[start] == "`":
            start += 1
        fence = markdown[position:start]
        closing = next(
            (m for m in _BACKTICKS.finditer(markdown, start) if m.group() == fence), None
        )
        if closing is None:  # no closing fence: the backticks are text
            plain.append(fence)
            position = start
            continue
        content = markdown[start : closing.start()]
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        if plain:
            parts.append((False, "".join(plain)))
            plain = []
        parts.append((True, content))
        position = closing.end()
    if plain:
        parts.append((False, "".join(plain)))
    return parts
