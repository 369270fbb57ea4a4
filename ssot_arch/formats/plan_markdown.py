"""`plan --format markdown`: the migration plan as a checklist, one section per step.

Each step shows its counts, the `ssot-arch fix ... --write` command for its automatic
part, and one checkbox per file: `automatic`, or `manual` with what is left and why.
"""

from __future__ import annotations

from ssot_arch.domain.remediation import UNSAFE, Plan, PlanFile, PlanStep
from ssot_arch.formats.common import plural, printable
from ssot_arch.formats.markdown_text import code, code_block, escape


def counts(files: tuple[PlanFile, ...] | list[PlanFile]) -> str:
    automatic = sum(1 for f in files if f.automatic)
    unsafe = sum(1 for f in files if f.status == UNSAFE)
    text = f"{plural(len(files), 'file')}: {automatic} automatic, {len(files) - automatic} manual"
    return text + (f" ({unsafe} of them unsafe rewrites)" if unsafe else "")


def item(f: PlanFile) -> str:
    impact = f" (fix impact: {plural(f.fix_impact, 'leak')})" if f.fix_impact else ""
    if f.automatic:
        return f"- [ ] {code(f.file)} — automatic{impact}"
    reasons = "; ".join(
        f"{escape(r.why)} (line {r.line}{': ' + code(r.use) if r.use else ''})" for r in f.remaining
    )
    if f.status == UNSAFE:
        return f"- [ ] {code(f.file)} — unsafe (`fix --unsafe-fixes`): {reasons}{impact}"
    return f"- [ ] {code(f.file)} — manual: {reasons}{impact}"


def _step(number: int, step: PlanStep, last: bool) -> list[str]:
    title = escape(step.name) if not step.patterns else ", ".join(map(code, step.patterns))
    lines = [f"## Step {number}: {title}", ""]
    if not step.files:
        return [*lines, "No violating file.", ""]
    lines += [f"{counts(step.files)}.", ""]
    if step.automatic:
        after = " after the steps above" if last and number > 1 else ""
        lines += [f"The automatic part, in one run{after}:", "", *code_block(step.command), ""]
    else:
        lines += ["No automatic part: every file needs a person.", ""]
    return [*lines, *(item(f) for f in step.files), ""]


def render(plan: Plan, color: bool = False) -> str:
    every = [f for step in plan.steps for f in step.files]
    lines = [
        "# Migration plan",
        "",
        f"{counts(every)}, in {plural(len(plan.steps), 'step')}. Take the steps in order: "
        "run the step's command, migrate its manual files by hand, then check "
        "(`ssot-arch check`) and commit.",
        "",
    ]
    for number, step in enumerate(plan.steps, 1):
        lines += _step(number, step, number == len(plan.steps))
    # Whatever the names hold, each line stays one line.
    return "\n".join(map(printable, lines)).rstrip("\n") + "\n"
