"""Which renderer writes `ssot-arch report`, and where the HTML report's file links
point: through the `--source-url` template, or to the files themselves, relative to
where the report is written."""

from __future__ import annotations

import os
from urllib.parse import quote

from ssot_arch import formats
from ssot_arch.domain.findings import ReportOutcome


class SourceUrlError(ValueError):
    """A file-link template that cannot be used: the message says why."""


def relative_source_url(root: str, output: str | None) -> str:
    """A link template reaching the repository's files from where the report is
    written (the current folder for standard output)."""
    where = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
    # Percent-encoded: a folder named with `#`, `?` or braces stays part of the path.
    relative = quote(os.path.relpath(os.path.abspath(root), where).replace(os.sep, "/"))
    return "{path}" if relative == "." else f"{relative}/{{path}}"


def report_renderer(
    name: str, source_url: str | None, root: str, output: str | None
) -> formats.Renderer[ReportOutcome]:
    """The renderer of format `name` for the report of the repository at `root`,
    written to `output` (None: standard output). HTML links each file through
    `source_url`, by default to the file relative to the report. A SourceUrlError for a
    template that cannot be used, or one given to another format."""
    if name != "html":
        if source_url:
            raise SourceUrlError("file links are made by --format html only")
        return formats.get_renderer("report", name)
    from ssot_arch.formats import report_html

    template = source_url or relative_source_url(root, output)
    problem = report_html.source_url_problem(template)
    if problem:
        raise SourceUrlError(problem)

    def render(outcome: ReportOutcome, color: bool = False, /) -> str:
        return report_html.page(outcome, template)

    return render
