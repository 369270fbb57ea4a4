"""`ssot-arch plan`: the migration as a checklist of steps, each a safe, atomic unit.

Every violating file appears exactly once: in the step of the first `--priority`
pattern its module matches, else in the last step, "everything else". It is automatic
when `fix` would migrate it completely (the same assessment `fix` makes), manual with
`fix`'s reasons otherwise. Inside a step, files come by fix impact (the transitive
leaks that fixing the file removes, as `report` counts them), then by module name.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable, Sequence

from ssot_arch.analysis.leaks import find_transitive_leaks
from ssot_arch.application.check import Analysed, Progress, check_repository, timed
from ssot_arch.application.fix import (
    assess_all,
    check_replacements,
    selected,
    violating_files,
    warn_unanalysed,
)
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.remediation import FIXED, Plan, PlanFile, PlanStep

EVERYTHING_ELSE = "everything else"


def fix_impacts(analysed: Analysed) -> Counter[str]:
    """Per violating module, the transitive leaks that fixing it alone removes, summed
    over the contracts (the numbers of the report's "Top causes")."""
    impacts: Counter[str] = Counter()
    for result in analysed.outcome.contracts:
        graph, importers = analysed.import_graph(result.spec.type_checking_imports)
        with timed(f"[{result.spec.id}] leaks and fix impact"):
            leaks = find_transitive_leaks(graph, result.spec, importers)
        for cause in leaks.causes:
            impacts[cause.module] += cause.fix_impact
    return impacts


def run_plan(
    settings: RunSettings,
    priorities: Sequence[str],
    fix_command: Sequence[str],
    progress: Progress | None = None,
    rewriting: Callable[[int, int], None] | None = None,
) -> Plan:
    """The migration plan of the repository: one step per `priorities` pattern, in
    order, then everything else. `fix_command` is `ssot-arch fix PATH` with the
    options the plan was made with; each step's command adds its `--only` and `--write`
    (and `--verify` with the `[ssot-arch] verify` command, when there is one)."""
    analysed = check_repository(settings, progress)
    check_replacements(settings, analysed)
    warn_unanalysed(analysed.outcome)
    targets = violating_files(analysed.outcome)
    assessed = assess_all(analysed, targets, rewriting, settings.jobs, settings.cache_dir)
    impacts = fix_impacts(analysed)
    patterns = [(p,) for p in dict.fromkeys(priorities)] + [()]
    members: list[list[PlanFile]] = [[] for _ in patterns]
    for item in assessed:
        fix = item.fix
        step = next(n for n, p in enumerate(patterns) if not p or selected(fix.module, p))
        members[step].append(
            PlanFile(
                fix.file,
                fix.module,
                fix.status == FIXED,
                fix.remaining,
                impacts[fix.module],
                fix.status,
            )
        )
    # A configured verification is printed for the person who runs the step, never run.
    verify = ["--verify", settings.verify] if settings.verify else []
    steps = []
    for pattern, files in zip(patterns, members, strict=True):
        only = [arg for p in pattern for arg in ("--only", p)]
        steps.append(
            PlanStep(
                name=pattern[0] if pattern else EVERYTHING_ELSE,
                patterns=pattern,
                files=tuple(sorted(files, key=lambda f: (-f.fix_impact, f.module))),
                command=shlex.join([*fix_command, *only, "--write", *verify]),
            )
        )
    return Plan(tuple(steps))
