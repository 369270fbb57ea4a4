"""The CI gate around `check`: the baseline ratchet and change-scoped runs."""

from __future__ import annotations

import dataclasses
import datetime
import os
from dataclasses import dataclass

from ssot_arch.adapters.storage.baseline_file import (
    BaselinePathRefused,
    read_baseline,
    real_baseline_path,
)
from ssot_arch.adapters.vcs.git import (
    OBJECT_FORMATS,
    GitError,
    GitMissing,
    UnknownObjectFormat,
    changed_files,
)
from ssot_arch.analysis.ratchet import budget_counts, classify
from ssot_arch.application.check import Progress, run_check, strictly
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.baseline import Baseline, BaselineVerdict, ContractBaseline, root_of
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import KNOWN, CheckOutcome, ContractResult, Violation

DEFAULT_BASELINE = "ssot-arch-baseline.json"
CHANGED_SINCE = "--changed-since"  # where GateOptions.changed_since comes from, for messages


@dataclass(frozen=True)
class GateOptions:
    """How `apply_gate` judges a check: against which baseline, and on which files."""

    baseline: str | None = None  # overrides each contract's `baseline` option
    fail_on_stale: bool = False
    changed_since: str | None = None  # a git revision: only files changed since it count
    today: datetime.date | None = None  # for expiry dates (default: today)


def baseline_path(root_dir: str, configured: str) -> str:
    """The path of a baseline named relative to the repository (an absolute one stays)."""
    return os.path.join(root_dir, configured)


def readable_baseline_path(path: str, root_dir: str, *, configured: bool) -> str:
    """The file to read and write for the baseline at `path` (a link's target); a
    ConfigError when that file is refused. `configured`: the path comes from the
    repository's configuration, not from the command line."""
    try:
        return real_baseline_path(path, root_dir, configured=configured)
    except BaselinePathRefused as error:
        message = f"{error.reason}; {error.fix} with --baseline / -o"
        raise ConfigError(ConfigProblem(message, file=error.path)) from error


def gated_check(
    settings: RunSettings,
    options: GateOptions,
    strict: bool = False,
    progress: Progress | None = None,
) -> CheckOutcome:
    """`ssot-arch check`: the check judged by the gate, a `baseline` given on the command
    line read from the working folder (a configured one is the repository's), and when
    `strict` every warning a failure."""
    if options.baseline:
        options = dataclasses.replace(options, baseline=os.path.abspath(options.baseline))
    outcome = apply_gate(run_check(settings, progress), options)
    return strictly(outcome) if strict else outcome


def apply_gate(outcome: CheckOutcome, options: GateOptions) -> CheckOutcome:
    """The check judged by the gate: each contract's violations classified against its
    baseline (new, known, expired; stale entries; budgets), then, with `changed_since`,
    only the changed files' findings kept."""
    today = options.today or datetime.date.today()
    loaded: dict[str, Baseline] = {}
    checked: dict[str, list[str]] = {}  # baseline path -> the contracts checked against it
    results = []
    for result in outcome.contracts:
        configured = options.baseline or result.spec.baseline
        if configured:
            path = baseline_path(outcome.root_dir, configured)
            if path not in loaded:
                real = readable_baseline_path(
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

    def root(violation: Violation) -> str:
        return root_of(outcome.files, violation.importer)

    verdict = BaselineVerdict(
        file=display_path,
        stale=classification.stale,
        expired=classification.expired,
        budgets=budget_counts(classification.violations, root, baseline.budgets),
        fail_on_stale=fail_on_stale,
    )
    violations = tuple(sorted(classification.violations, key=lambda v: (v.file, v.line)))
    return dataclasses.replace(result, violations=violations, baseline=verdict)


def _changed_files(root_dir: str, revision: str) -> set[str]:
    """The `.py` files changed since `revision` (the --changed-since value); ConfigError
    when git cannot tell."""
    try:
        return changed_files(root_dir, revision)
    except GitMissing as error:
        message = f"git is not installed; {CHANGED_SINCE} needs it"
        raise ConfigError(ConfigProblem(message, key=CHANGED_SINCE)) from error
    except UnknownObjectFormat as error:
        message = (
            f"{error}, which {CHANGED_SINCE} does not know (it knows {', '.join(OBJECT_FORMATS)})"
        )
        raise ConfigError(ConfigProblem(message, key=CHANGED_SINCE)) from error
    except GitError as error:
        raise ConfigError(ConfigProblem(str(error), key=CHANGED_SINCE)) from error


def only_changed(outcome: CheckOutcome, revision: str) -> CheckOutcome:
    """The check's findings in the `.py` files changed since the git `revision` only."""
    changed = _changed_files(outcome.root_dir, revision)
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
