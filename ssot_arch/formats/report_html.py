"""`report --format html`: the Markdown report's sections as one standalone page.

The sections and their wording live in one place (`report_blocks` in
report_markdown.py); this module writes those blocks as HTML, with every piece of
text escaped and its backticked spans as <code>.
"""

from __future__ import annotations

import html
import re

from ssot_arch.domain.findings import ReportOutcome
from ssot_arch.formats.common import printable
from ssot_arch.formats.report_markdown import Block, Heading, ItemList, Paragraph, report_blocks

_CODE = re.compile(r"`([^`]*)`")
_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
td:not(:first-child) { text-align: right; }
code { background: #f3f3f3; padding: 0 .2rem; border-radius: 3px; }
h1, h2, h3 { margin-top: 2rem; }
"""


def _inline(text: str, strip: bool = False) -> str:
    """Escape text, then turn `code` spans into <code> (their content escaped too);
    with `strip`, without the spaces around it, as Markdown shows a heading or a cell."""
    shown = printable(text)
    parts = _CODE.split(shown.strip() if strip else shown)
    return "".join(
        f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part)
        for i, part in enumerate(parts)
    )


def _html(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"<h{block.level}>{_inline(block.text, strip=True)}</h{block.level}>"]
    if isinstance(block, Paragraph):
        return [f"<p>{_inline(block.text)}</p>"]
    if isinstance(block, ItemList):
        if not block.items:
            return []
        tag = "ol" if block.ordered else "ul"
        return [f"<{tag}>", *(f"<li>{_inline(item)}</li>" for item in block.items), f"</{tag}>"]
    lines = [
        "<table><thead><tr>",
        *(f"<th>{_inline(cell, strip=True)}</th>" for cell in block.header),
        "</tr></thead><tbody>",
    ]
    for row in block.rows:
        lines += [
            "<tr>" + "".join(f"<td>{_inline(cell, strip=True)}</td>" for cell in row),
            "</tr>",
        ]
    return [*lines, "</tbody></table>"]


def render(outcome: ReportOutcome, color: bool = False) -> str:
    """The architecture report as one standalone HTML page."""
    body = "\n".join(line for block in report_blocks(outcome) for line in _html(block))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>ssot-arch report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
