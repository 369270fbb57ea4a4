"""Output formats: one small module each, all behind `render(outcome, color) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Renderer = Callable[[Any, bool], str]

# format name -> module holding its `render`, per command (imported only when used)
CHECK_FORMATS = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown_summary",
}
REPORT_FORMATS = {"markdown": "report_markdown", "json": "report_json", "html": "report_html"}


def get_renderer(command: str, name: str) -> Renderer:
    table = CHECK_FORMATS if command == "check" else REPORT_FORMATS
    return importlib.import_module(f"ssot_arch.formats.{table[name]}").render
