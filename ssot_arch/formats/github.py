"""`--format github`: GitHub Actions workflow commands, shown as annotations on the diff."""

from __future__ import annotations

from ssot_arch.domain.model import CheckOutcome
from ssot_arch.formats.common import (
    files_analysed,
    plural,
    printable,
    stale_message,
    violation_message,
)


def _data(text: str) -> str:
    """GitHub's escaping of command data (the annotation shows the line break), then
    `printable` for every other control character: no text from the tree can end the
    command's line and start a command of its own."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(
    kind: str, message: str, title: str, file: str | None = None, line: int | None = None
) -> str:
    properties = [f"file={_property(file)}"] if file is not None else []
    properties += [f"line={line}"] if line else []
    properties.append(f"title={_property(title)}")
    return f"::{kind} {','.join(properties)}::{_data(message)}"


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as GitHub Actions workflow commands: an error annotation per failing
    violation, a warning per warning, and a summary line. (`color` is unused.)"""
    lines = []
    contracts = sorted(outcome.contracts, key=lambda r: r.spec.id)
    for result in contracts:
        title = f"ssot-arch [{result.spec.id}]"
        for v in result.failing:
            lines.append(
                _command("error", violation_message(result.spec, v), title, v.file, v.line)
            )
        verdict = result.baseline
        if verdict is None:
            continue
        for entry in verdict.stale:
            kind = "error" if verdict.fail_on_stale else "warning"
            lines.append(_command(kind, stale_message(entry), title, entry.file))
        for budget in verdict.over_budget:
            message = f"{budget.root}: {budget.violations} violations, budget {budget.budget}"
            lines.append(_command("error", message, title))
    coverage = outcome.coverage
    for u in coverage.unanalyzed:
        lines.append(_command("error", f"not analysed: {u.reason}", "ssot-arch", u.file))
    for unresolved in coverage.unresolved_imports:
        lines.append(
            _command("warning", unresolved.reason, "ssot-arch", unresolved.file, unresolved.line)
        )
    for s in sorted(coverage.skipped_files):
        lines.append(_command("warning", f"not read: {s.reason}", "ssot-arch", s.path))
    for result in contracts:
        title = f"ssot-arch [{result.spec.id}]"
        lines += [_command("warning", w, title) for w in sorted(result.warnings)]
    lines += [_command("warning", w, "ssot-arch") for w in sorted(outcome.warnings)]
    failing = sum(len(r.failing) for r in outcome.contracts)
    broken = sum(1 for r in outcome.contracts if not r.kept)
    lines.append(
        f"ssot-arch: {plural(broken, 'contract')} broken, {plural(failing, 'violation')} to fix, "
        + files_analysed(coverage)
    )
    return "\n".join(lines) + "\n"
