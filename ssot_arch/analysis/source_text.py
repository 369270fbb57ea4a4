"""A node's source text, as the reports quote it: on one line, cut at a length.

`ast.get_source_segment` splits the whole file on every call, which on a large file
with many findings costs more than parsing it; here the lines are split once per file.
"""

from __future__ import annotations

import ast
import re

# The longest quote of a statement or call; longer ones are cut, with an ellipsis.
MAX_QUOTE = 200

# Where `ast` breaks lines (not at form feeds or other breaks `str.splitlines` knows).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of `text` as `ast` counts them, for `segment`."""
    return _LINE_BREAK.split(text)


def segment(lines: list[str], node: ast.expr | ast.stmt) -> str:
    """The exact source text of `node` (lines joined with `\\n`), from `source_lines`."""
    # Every node `ast.parse` makes has a position; columns count UTF-8 bytes.
    end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
    parts = [line.encode("utf-8") for line in lines[node.lineno - 1 : end_lineno]]
    parts[-1] = parts[-1][: node.end_col_offset]
    parts[0] = parts[0][node.col_offset :]
    return b"\n".join(parts).decode("utf-8")


def one_line(text: str) -> str:
    """`text` with its whitespace runs made one space, cut at MAX_QUOTE characters."""
    collapsed = " ".join(text.split())
    if len(collapsed) <= MAX_QUOTE:
        return collapsed
    return collapsed[:MAX_QUOTE] + "…"
