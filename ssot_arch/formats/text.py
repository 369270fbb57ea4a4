"""`--format text`: `path:line: message` lines, grouped and coloured on a terminal."""

from __future__ import annotations

import click

from ssot_arch.domain.model import CheckOutcome
from ssot_arch.formats.common import advice, violations_by_root


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(outcome: CheckOutcome, color: bool = False) -> str:
    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    lines: list[str] = []
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        spec = result.spec
        if color and result.violations:
            lines.append(style(f"{spec.name} [{spec.id}]", bold=True))
        hint = advice(spec)
        for v in result.violations:
            where = style(f"{v.file}:{v.line}:", fg="cyan") if color else f"{v.file}:{v.line}:"
            lines.append(
                f"{where} '{v.imported}' imported directly ({v.line_contents.strip()}): "
                f"{hint} [{spec.id}]"
            )
        if color and result.violations:
            lines.append("")
    coverage = outcome.coverage
    for u in coverage.unanalyzed:
        lines.append(f"{u.file}: not analysed: {u.reason}")
    for u in coverage.unresolved_imports:
        lines.append(f"{u.file}:{u.line}: warning: {u.reason} ({u.line_contents.strip()})")
    if lines and not color:
        lines.append("")

    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        files = len({v.file for v in result.violations})
        state = (
            style("KEPT", fg="green", bold=True)
            if result.kept
            else style("BROKEN", fg="red", bold=True)
        )
        lines.append(
            f"{result.spec.name} [{result.spec.id}]: {state}, "
            f"{_plural(len(result.violations), 'violation')} in {_plural(files, 'file')}"
        )
        per_root = violations_by_root(outcome, result)
        if len(per_root) > 1 and result.violations:
            lines.append(
                "  per root: "
                + ", ".join(
                    f"{root} {c['violations']} ({_plural(c['violating_files'], 'file')})"
                    for root, c in per_root.items()
                )
            )
    if outcome.other_contracts:
        lines.append(
            f"not checked here (run lint-imports): {', '.join(sorted(outcome.other_contracts))}"
        )
    if coverage.skipped_dirs:
        skipped = sum(s.python_files for s in coverage.skipped_dirs)
        lines.append(
            f"skipped {_plural(len(coverage.skipped_dirs), 'folder')} "
            f"({_plural(skipped, 'Python file')}) by the skip_dirs rules; "
            "--format json lists them"
        )
    if coverage.not_importable:
        lines.append(
            f"{_plural(len(coverage.not_importable), 'file')} analysed although not importable "
            "(name is no identifier, or shadowed by a package); --format json lists them"
        )
    total_violations = sum(len(r.violations) for r in outcome.contracts)
    summary = (
        f"{coverage.files_analyzed}/{coverage.files_total} files analysed"
        + (f", {len(coverage.unanalyzed)} not analysed" if coverage.unanalyzed else "")
        + f"; {_plural(total_violations, 'violation')}"
    )
    lines.append(style(summary, bold=True) if color else summary)
    return "\n".join(lines) + "\n"
