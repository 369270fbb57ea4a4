"""The summary `fix` prints on stderr, whatever the format: what it migrated, and what
it left for a person, grouped by why, with each file, line and use."""

from __future__ import annotations

from ssot_arch.domain.remediation import FIXED, MANUAL, UNCHANGED, UNSAFE, FileFix, FixOutcome
from ssot_arch.formats.common import plural, printable


def render(outcome: FixOutcome, color: bool = False) -> str:
    unsafe_fixes = outcome.unsafe_fixes
    if not outcome.files:
        return "ssot-arch fix: no violating file selected; nothing to do\n"
    fixed, unsafe = outcome.count(FIXED), outcome.count(UNSAFE)
    manual, unchanged = outcome.count(MANUAL), outcome.count(UNCHANGED)
    verb = "fixed" if outcome.written else "would fix"
    counts = [f"{verb} {plural(fixed + unsafe if unsafe_fixes else fixed, 'file')}"]
    if unsafe_fixes and unsafe:
        counts[0] += f" ({unsafe} of them unsafe)"
    elif unsafe:
        counts.append(f"{unsafe} more with --unsafe-fixes")
    counts.append(f"{plural(manual, 'file')} need{'s' if manual == 1 else ''} a person")
    if unchanged:
        counts.append(f"{unchanged} unchanged")
    lines = ["ssot-arch fix: " + "; ".join(counts)]
    for title, status in (("Unsafe (not proven)", UNSAFE), ("For a person", MANUAL)):
        lines += _grouped(title, [f for f in outcome.files if f.status == status])
    lines += _grouped("Unchanged", [f for f in outcome.files if f.status == UNCHANGED])
    if (fixed or (unsafe and unsafe_fixes)) and not outcome.written:
        lines.append("Nothing was written; --write applies the changes.")
    lines += _verification(outcome)
    return "\n".join(lines) + "\n"


def _verification(outcome: FixOutcome) -> list[str]:
    run = outcome.verification
    if run is None:
        return []
    command = printable(run.command)
    if run.passed:
        return [f"--verify: `{command}` passed; the files stay written."]
    ended = f"exit status {run.status}" if run.status >= 0 else f"signal {-run.status}"
    lines = [
        f"--verify: `{command}` failed ({ended}); "
        f"{plural(len(run.restored), 'written file')} restored byte for byte.",
        *(f"  NOT restored: {printable(f)}" for f in run.not_restored),
        "Its last lines:",
        *(f"  {printable(line)}" for line in run.tail.splitlines()),
    ]
    return lines


def _grouped(title: str, files: list[FileFix]) -> list[str]:
    """The files' remaining uses grouped by why, the most files first."""
    by_why: dict[str, list[tuple[str, int, str]]] = {}
    for fix in files:
        for r in fix.remaining:
            by_why.setdefault(r.why, []).append((fix.file, r.line, r.use))
    if not by_why:
        return []
    lines = [f"{title}:"]
    ranked = sorted(by_why.items(), key=lambda item: (-len({f for f, _, _ in item[1]}), item[0]))
    for why, uses in ranked:
        count = len({f for f, _, _ in uses})
        lines.append(f"  {printable(why)}: {plural(count, 'file')}, {plural(len(uses), 'use')}")
        lines += [
            f"    {printable(f)}:{line}" + (f": {printable(use)}" if use else "")
            for f, line, use in sorted(uses)
        ]
    return lines
