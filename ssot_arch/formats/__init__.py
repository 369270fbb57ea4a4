"""Output formats: one small module each, all behind `render(outcome, color) -> str`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from ssot_arch.domain.findings import ReportOutcome
    from ssot_arch.domain.model import CheckOutcome

OutcomeT = TypeVar("OutcomeT", contravariant=True)


class Renderer(Protocol[OutcomeT]):
    """A format's `render`: the text of an outcome, in ANSI colours when `color`."""

    def __call__(self, outcome: OutcomeT, color: bool = False, /) -> str: ...


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


@overload
def get_renderer(command: Literal["check"], name: str) -> Renderer[CheckOutcome]: ...
@overload
def get_renderer(command: Literal["report"], name: str) -> Renderer[ReportOutcome]: ...
def get_renderer(
    command: Literal["check", "report"], name: str
) -> Renderer[CheckOutcome] | Renderer[ReportOutcome]:
    """The `render` of format `name` of `command` ('check' or 'report')."""
    table = CHECK_FORMATS if command == "check" else REPORT_FORMATS
    return importlib.import_module(f"ssot_arch.formats.{table[name]}").render
