"""`--format github`: GitHub Actions workflow commands, shown as annotations on the diff."""

from __future__ import annotations

from ssot_arch.domain.model import CheckOutcome
from ssot_arch.formats.common import plural, stale_message, violation_message


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, file: str, line: int | None, title: str) -> str:
    where = f"file={_property(file)}" + (f",line={line}" if line else "")
    return f"::{kind} {where},title={_property(title)}::{_data(message)}"


def render(outcome: CheckOutcome, color: bool = False) -> str:
    lines = []
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        title = f"ssot-arch [{result.spec.id}]"
        for v in result.failing:
            lines.append(
                _command("error", violation_message(result.spec, v), v.file, v.line, title)
            )
        for entry in result.baseline.stale if result.baseline else ():
            kind = "error" if result.baseline.fail_on_stale else "warning"
            lines.append(_command(kind, stale_message(entry), entry.file, None, title))
        for budget in result.baseline.over_budget if result.baseline else ():
            lines.append(
                f"::error title={_property(title)}::"
                + _data(f"{budget.group}: {budget.violations} violations, budget {budget.budget}")
            )
    for u in outcome.coverage.unanalyzed:
        lines.append(_command("error", f"not analysed: {u.reason}", u.file, None, "ssot-arch"))
    for u in outcome.coverage.unresolved_imports:
        lines.append(_command("warning", u.reason, u.file, u.line, "ssot-arch"))
    failing = sum(len(r.failing) for r in outcome.contracts)
    broken = sum(1 for r in outcome.contracts if not r.kept)
    lines.append(
        f"ssot-arch: {plural(broken, 'contract')} broken, {plural(failing, 'violation')} to fix, "
        f"{outcome.coverage.files_analyzed}/{outcome.coverage.files_total} files analysed"
    )
    return "\n".join(lines) + "\n"
