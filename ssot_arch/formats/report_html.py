"""`report --format html`: the Markdown report as one standalone page.

The sections and their wording live in one place (report_markdown.py); this module
only turns that Markdown (headings, paragraphs, tables, lists, inline code) into HTML,
with every piece of text escaped.
"""

from __future__ import annotations

import html
import re

from ssot_arch.application.report import ReportOutcome
from ssot_arch.formats.report_markdown import render as render_markdown

_CODE = re.compile(r"`([^`]*)`")
_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
td:not(:first-child) { text-align: right; }
code { background: #f3f3f3; padding: 0 .2rem; border-radius: 3px; }
h1, h2, h3 { margin-top: 2rem; }
"""


def _inline(text: str) -> str:
    """Escape text, then turn `code` spans into <code> (their content escaped too)."""
    parts = _CODE.split(text)
    return "".join(
        f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part)
        for i, part in enumerate(parts)
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_to_html(markdown: str) -> str:
    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
            i += 1
        elif line.startswith("|"):
            header = _cells(line)
            i += 2  # the header and the |---| line
            out.append("<table><thead><tr>")
            out += [f"<th>{_inline(cell)}</th>" for cell in header]
            out.append("</tr></thead><tbody>")
            while i < len(lines) and lines[i].startswith("|"):
                out.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(lines[i])))
                out.append("</tr>")
                i += 1
            out.append("</tbody></table>")
        elif line.startswith("- ") or re.match(r"\d+\. ", line):
            ordered = not line.startswith("- ")
            out.append("<ol>" if ordered else "<ul>")
            while i < len(lines) and (
                lines[i].startswith("- ") if not ordered else re.match(r"\d+\. ", lines[i])
            ):
                item = lines[i].split(" ", 1)[1]
                out.append(f"<li>{_inline(item)}</li>")
                i += 1
            out.append("</ol>" if ordered else "</ul>")
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|", "- ")):
                paragraph.append(lines[i])
                i += 1
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
    return "\n".join(out)


def render(outcome: ReportOutcome, color: bool = False) -> str:
    body = markdown_to_html(render_markdown(outcome))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>ssot-arch report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
