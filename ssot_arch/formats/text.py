"""`--format text`: `path:line: message` lines, grouped and coloured on a terminal."""

from __future__ import annotations

from typing import Any

import click

from ssot_arch.domain.model import KNOWN, CheckOutcome, ContractResult
from ssot_arch.formats.common import (
    files_analysed,
    plural,
    printable,
    stale_message,
    violation_message,
    violations_by_root,
)


def _state(result: ContractResult) -> str:
    files = len({v.file for v in result.failing})
    text = f"{plural(len(result.failing), 'violation')} in {plural(files, 'file')}"
    verdict = result.baseline
    if verdict is None:
        return text
    known = sum(1 for v in result.violations if v.status == KNOWN)
    text = (
        f"{len(result.failing)} new in {plural(files, 'file')}, {known} known "
        f"(baseline {printable(verdict.file)}), {len(verdict.stale)} fixed"
    )
    return text


def _title(result: ContractResult) -> str:
    return printable(f"{result.spec.name} [{result.spec.id}]")


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as `path:line: message` lines and a summary per contract; in ANSI
    colours, grouped by contract, when `color`.

    Every piece of text from the tree or its configuration goes through `printable`:
    one line of output is one line of the log, whatever the names hold."""

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    lines: list[str] = []
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        spec = result.spec
        tag = printable(f"[{spec.id}]")
        stale = result.baseline.stale if result.baseline else ()
        if color and (result.failing or stale):
            lines.append(style(_title(result), bold=True))
        for v in result.failing:
            where = style(f"{printable(v.file)}:{v.line}:", fg="cyan")
            lines.append(f"{where} {printable(violation_message(spec, v))} {tag}")
        for entry in stale:
            where = style(printable(entry.file) + ":", fg="cyan")
            lines.append(f"{where} {printable(stale_message(entry))} {tag}")
        if color and (result.failing or stale):
            lines.append("")
    coverage = outcome.coverage
    for u in coverage.unanalyzed:
        lines.append(printable(f"{u.file}: not analysed: {u.reason}"))
    for unresolved in coverage.unresolved_imports:
        lines.append(
            printable(
                f"{unresolved.file}:{unresolved.line}: warning: {unresolved.reason} "
                f"({unresolved.line_contents.strip()})"
            )
        )
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        lines += [printable(f"warning: {w} [{result.spec.id}]") for w in sorted(result.warnings)]
    lines += [printable(f"warning: {w}") for w in sorted(outcome.warnings)]
    if lines and not color:
        lines.append("")

    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        state = (
            style("KEPT", fg="green", bold=True)
            if result.kept
            else style("BROKEN", fg="red", bold=True)
        )
        lines.append(f"{_title(result)}: {state}, {_state(result)}")
        per_root = violations_by_root(outcome, result)
        if len(per_root) > 1 and result.violations and result.baseline is None:
            lines.append(
                "  per root: "
                + ", ".join(
                    f"{printable(root)} {c['violations']} ({plural(c['violating_files'], 'file')})"
                    for root, c in per_root.items()
                )
            )
        for budget in result.baseline.budgets if result.baseline else ():
            over = budget.violations > budget.budget
            lines.append(
                f"  budget {printable(budget.root)}: {budget.violations} of {budget.budget}"
                + (" (over budget)" if over else "")
            )
        if result.baseline and result.baseline.fail_on_stale and result.baseline.stale:
            lines.append("  stale baseline entries fail this contract (fail_on_stale)")
    if outcome.changed_since:
        lines.append(
            f"only files changed since {printable(outcome.changed_since)} "
            f"({plural(outcome.changed_files, 'Python file')}) are reported"
        )
    if outcome.other_contracts:
        lines.append(
            "not checked here (run lint-imports): "
            + printable(", ".join(sorted(outcome.other_contracts)))
        )
    if coverage.skipped_dirs:
        skipped = sum(s.python_files for s in coverage.skipped_dirs)
        lines.append(
            f"skipped {plural(len(coverage.skipped_dirs), 'folder')} "
            f"({plural(skipped, 'Python file')}) by the skip_dirs rules; "
            "--format json lists them"
        )
    if coverage.skipped_files:
        lines.append(
            f"skipped {plural(len(coverage.skipped_files), 'file')} deliberately not read "
            "(such as links out of the repository); --format json lists them with their reasons"
        )
    failing = sum(len(r.failing) for r in outcome.contracts)
    noun = "new violation" if any(r.baseline for r in outcome.contracts) else "violation"
    summary = (
        files_analysed(coverage)
        + (f", {len(coverage.unanalyzed)} not analysed" if coverage.unanalyzed else "")
        + f"; {plural(failing, noun)}"
    )
    lines.append(style(summary, bold=True))
    return "\n".join(lines) + "\n"
