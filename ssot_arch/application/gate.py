"""The CI gate around `check`: the baseline ratchet and change-scoped runs."""

from __future__ import annotations

import dataclasses
import datetime
import os
from dataclasses import dataclass

from ssot_arch.adapters.baseline_file import read_baseline, real_baseline_path
from ssot_arch.adapters.git import changed_files
from ssot_arch.analysis.ratchet import budget_counts, classify
from ssot_arch.domain.baseline import Baseline, BaselineVerdict, ContractBaseline
from ssot_arch.domain.model import KNOWN, CheckOutcome, ContractResult, Violation

DEFAULT_BASELINE = "ssot-arch-baseline.json"


@dataclass(frozen=True)
class GateOptions:
    baseline: str | None = None  # overrides each contract's `baseline` option
    fail_on_stale: bool = False
    changed_since: str | None = None
    today: datetime.date | None = None


def baseline_path(root_dir: str, configured: str) -> str:
    return os.path.join(root_dir, configured)


def apply_gate(outcome: CheckOutcome, options: GateOptions) -> CheckOutcome:
    """Classify violations against their baselines, then keep only changed files'."""
    today = options.today or datetime.date.today()
    loaded: dict[str, Baseline] = {}
    checked: dict[str, list[str]] = {}  # baseline path -> the contracts checked against it
    results = []
    for result in outcome.contracts:
        configured = options.baseline or result.spec.baseline
        if configured:
            path = baseline_path(outcome.root_dir, configured)
            if path not in loaded:
                real = real_baseline_path(
                    path, outcome.root_dir, configured=options.baseline is None
                )
                loaded[path] = read_baseline(real)
            checked.setdefault(path, []).append(result.spec.id)
            result = _against_baseline(
                outcome,
                result,
                loaded[path].contracts.get(result.spec.id, ContractBaseline()),
                _display(path, outcome.root_dir),
                options.fail_on_stale or result.spec.fail_on_stale,
                today,
            )
        results.append(result)
    warnings = tuple(
        warning
        for path, ids in checked.items()
        if (warning := _unmatched_sections(loaded[path], ids, _display(path, outcome.root_dir)))
    )
    outcome = dataclasses.replace(
        outcome, contracts=tuple(results), warnings=outcome.warnings + warnings
    )
    if options.changed_since:
        outcome = only_changed(outcome, options.changed_since)
    return outcome


def _unmatched_sections(baseline: Baseline, checked: list[str], display_path: str) -> str:
    """A warning naming the baseline's sections that no contract checked against it has:
    their entries accept nothing, so every violation they meant to accept is new."""
    unmatched = sorted(set(baseline.contracts) - set(checked))
    if not unmatched:
        return ""
    sections, match, its = (
        ("sections", "match", "their") if unmatched[1:] else ("section", "matches", "its")
    )
    return (
        f"baseline {display_path}: {sections} {', '.join(repr(i) for i in unmatched)} "
        f"{match} no checked contract (checked: {', '.join(repr(i) for i in checked)}), "
        f"so {its} entries accept no violation; rename each section to its contract's id, "
        "or write the baseline again with `ssot-arch baseline --force`"
    )


def _display(path: str, root_dir: str) -> str:
    """The baseline's path relative to the repository, or absolute when it lies outside."""
    relative = os.path.relpath(path, root_dir).replace(os.sep, "/")
    return path if relative.startswith("../") else relative


def _against_baseline(
    outcome: CheckOutcome,
    result: ContractResult,
    baseline: ContractBaseline,
    display_path: str,
    fail_on_stale: bool,
    today: datetime.date,
) -> ContractResult:
    classification = classify(result.violations, baseline, today)
    if baseline.budgets and not baseline.entries:
        # A budgets-only baseline accepts any violation within its service's budget.
        classification = dataclasses.replace(
            classification,
            violations=tuple(
                dataclasses.replace(v, status=KNOWN) for v in classification.violations
            ),
            stale=(),
        )

    def group_of(violation: Violation) -> str:
        return outcome.files[violation.importer].root

    verdict = BaselineVerdict(
        file=display_path,
        stale=classification.stale,
        expired=classification.expired,
        budgets=budget_counts(classification.violations, group_of, baseline.budgets),
        fail_on_stale=fail_on_stale,
    )
    violations = tuple(sorted(classification.violations, key=lambda v: (v.file, v.line)))
    return dataclasses.replace(result, violations=violations, baseline=verdict)


def only_changed(outcome: CheckOutcome, revision: str) -> CheckOutcome:
    changed = changed_files(outcome.root_dir, revision)
    results = []
    for result in outcome.contracts:
        verdict = result.baseline
        if verdict is not None:
            verdict = dataclasses.replace(
                verdict, stale=tuple(e for e in verdict.stale if e.file in changed)
            )
        results.append(
            dataclasses.replace(
                result,
                violations=tuple(v for v in result.violations if v.file in changed),
                baseline=verdict,
            )
        )
    coverage = outcome.coverage
    coverage = dataclasses.replace(
        coverage, unanalyzed=tuple(u for u in coverage.unanalyzed if u.file in changed)
    )
    return dataclasses.replace(
        outcome,
        contracts=tuple(results),
        coverage=coverage,
        changed_since=revision,
        changed_files=len({f for f in changed if f.endswith(".py")}),
    )
