"""Output formats: one small module each, all behind `render(outcome, color) -> str`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from ssot_arch.domain.adoption import InitOutcome
    from ssot_arch.domain.findings import ReportOutcome, Trend
    from ssot_arch.domain.model import CheckOutcome
    from ssot_arch.domain.remediation import FixOutcome, Plan
    from ssot_arch.domain.trace import TraceOutcome

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
FIX_FORMATS = {"diff": "fix_diff", "json": "fix_json"}
PLAN_FORMATS = {"markdown": "plan_markdown", "json": "plan_json"}
TREND_FORMATS = {"text": "trend_text", "json": "trend_json", "csv": "trend_csv", "svg": "trend_svg"}
INIT_FORMATS = {"text": "init_text", "json": "init_json"}
TRACE_FORMATS = {"text": "trace_text", "json": "trace_json", "markdown": "trace_markdown"}
FORMATS = {
    "check": CHECK_FORMATS,
    "report": REPORT_FORMATS,
    "fix": FIX_FORMATS,
    "plan": PLAN_FORMATS,
    "trend": TREND_FORMATS,
    "init": INIT_FORMATS,
    "trace": TRACE_FORMATS,
}
Command = Literal["check", "report", "fix", "plan", "trend", "init", "trace"]


@overload
def get_renderer(command: Literal["check"], name: str) -> Renderer[CheckOutcome]: ...
@overload
def get_renderer(command: Literal["report"], name: str) -> Renderer[ReportOutcome]: ...
@overload
def get_renderer(command: Literal["fix"], name: str) -> Renderer[FixOutcome]: ...
@overload
def get_renderer(command: Literal["plan"], name: str) -> Renderer[Plan]: ...
@overload
def get_renderer(command: Literal["trend"], name: str) -> Renderer[Trend]: ...
@overload
def get_renderer(command: Literal["init"], name: str) -> Renderer[InitOutcome]: ...
@overload
def get_renderer(command: Literal["trace"], name: str) -> Renderer[TraceOutcome]: ...
def get_renderer(
    command: Command, name: str
) -> (
    Renderer[CheckOutcome]
    | Renderer[ReportOutcome]
    | Renderer[FixOutcome]
    | Renderer[Plan]
    | Renderer[Trend]
    | Renderer[InitOutcome]
    | Renderer[TraceOutcome]
):
    """The `render` of format `name` of `command` ('check', 'report', 'fix', 'plan',
    'trend', 'init', 'trace')."""
    module = FORMATS[command][name]
    render: Renderer = importlib.import_module(f"ssot_arch.formats.{module}").render
    return render
