"""The summary `fix` prints on stderr, whatever the format: what it migrated, and what
it left for a person, grouped by why, with each file, line and use."""

from __future__ import annotations

from ssot_arch.domain.remediation import FIXED, MANUAL, UNCHANGED, FixOutcome
from ssot_arch.formats.common import plural, printable


def render(outcome: FixOutcome, color: bool = False) -> str:
    fixed, manual = outcome.count(FIXED), outcome.count(MANUAL)
    unchanged = outcome.count(UNCHANGED)
    if not outcome.files:
        return "ssot-arch fix: no violating file selected; nothing to do\n"
    verb = "fixed" if outcome.written else "would fix"
    lines = [
        f"ssot-arch fix: {verb} {plural(fixed, 'file')}; "
        f"{plural(manual, 'file')} need{'s' if manual == 1 else ''} a person"
        + (f"; {unchanged} unchanged" if unchanged else "")
    ]
    by_why: dict[str, list[tuple[str, int, str]]] = {}
    for fix in outcome.files:
        for r in fix.remaining:
            by_why.setdefault(r.why, []).append((fix.file, r.line, r.use))
    ranked = sorted(by_why.items(), key=lambda item: (-len({f for f, _, _ in item[1]}), item[0]))
    for why, uses in ranked:
        files = len({f for f, _, _ in uses})
        lines.append(f"  {printable(why)}: {plural(files, 'file')}, {plural(len(uses), 'use')}")
        lines += [
            f"    {printable(f)}:{line}" + (f": {printable(use)}" if use else "")
            for f, line, use in sorted(uses)
        ]
    if fixed and not outcome.written:
        lines.append("Nothing was written; --write applies the changes.")
    return "\n".join(lines) + "\n"
