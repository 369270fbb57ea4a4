"""`ssot-arch baseline`: write, or ratchet down, the file of accepted violations."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ssot_arch.adapters.storage.baseline_file import read_baseline, write_baseline
from ssot_arch.analysis.ratchet import (
    budget_counts,
    classify,
    updated_budgets,
    updated_entries,
)
from ssot_arch.application.check import Progress, run_check
from ssot_arch.application.gate import DEFAULT_BASELINE, baseline_path, readable_baseline_path
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.baseline import Baseline, ContractBaseline, entries_for, root_of
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import SourceFile, Violation


@dataclass(frozen=True)
class BaselineOptions:
    """What `ssot-arch baseline` is asked to do (see README, "Baseline")."""

    output: str | None = None  # the file (default: the contracts' `baseline`, or DEFAULT_BASELINE)
    update: bool = False  # remove fixed entries from an existing baseline
    allow_growth: bool = False  # with `update`: accept new violations, raise budgets
    budgets: bool = False  # per-root counts instead of entries
    force: bool = False  # replace an existing baseline, or create or grow one in CI
    # The run is in CI: by default, when the CI variable is set.
    in_ci: bool = field(default_factory=lambda: bool(os.environ.get("CI")))
    today: datetime.date | None = None  # for expiry dates (default: today)


@dataclass
class BaselineChange:
    """What writing the baseline did to one contract's section."""

    contract: str
    kept: int = 0
    added: int = 0
    removed: int = 0  # fixed violations dropped
    left_out: int = 0  # new violations not added (growth not asked for)
    budgets: dict[str, int] = field(default_factory=dict)


@dataclass
class BaselineOutcome:
    """The baseline written (`path`, as given), whether it was created, and per contract
    what changed."""

    path: str
    created: bool
    changes: list[BaselineChange]
    # How to apply it when no contract names it yet: the path relative to the repository.
    unapplied: str | None = None


def baseline_target(settings: RunSettings, output: str | None) -> tuple[str, bool]:
    """The baseline file to write, and whether it is the configured one (not `output`):
    `output`, else the contracts' one `baseline` option, else DEFAULT_BASELINE."""
    if output:
        return os.path.abspath(output), False
    configured = {c.baseline for c in settings.contracts if c.baseline}
    name = configured.pop() if len(configured) == 1 else DEFAULT_BASELINE
    return baseline_path(settings.root_dir, name), True


def _counts_by_root(
    violations: Iterable[Violation], files: Mapping[str, SourceFile]
) -> dict[str, int]:
    return dict(sorted(Counter(root_of(files, v.importer) for v in violations).items()))


def write_or_update(
    settings: RunSettings, options: BaselineOptions, progress: Progress | None = None
) -> BaselineOutcome:
    """Create the baseline, or update it (see README, "Baseline"); what changed per contract.

    Creating, replacing or growing a baseline is refused in CI, unless `force`: there
    it would silently accept whatever a pull request added. A configured path must lie
    inside the repository. A symbolic link is written through to its target, and stays.
    """
    path, configured = baseline_target(settings, options.output)
    update, allow_growth = options.update, options.allow_growth
    real = readable_baseline_path(path, settings.root_dir, configured=configured)
    exists = os.path.exists(real)
    if not update and exists and not options.force:
        raise ConfigError(
            ConfigProblem(
                "exists already; `--update` removes the fixed entries, `--force` replaces it",
                file=path,
            )
        )
    if update and not exists:
        raise ConfigError(
            ConfigProblem("no baseline to update; create it with `ssot-arch baseline`", file=path)
        )
    if options.in_ci and not options.force and (not update or allow_growth):
        raise ConfigError(
            ConfigProblem(
                "refusing to create or grow a baseline in CI (the CI variable is set): "
                "make it locally and commit it, or pass --force",
                file=path,
            )
        )
    old = read_baseline(real) if update else Baseline()  # a broken file stops us here
    outcome = run_check(settings, progress)
    today = options.today or datetime.date.today()

    def root(violation: Violation) -> str:
        return root_of(outcome.files, violation.importer)

    contracts = dict(old.contracts)
    changes = []
    for result in outcome.contracts:
        contract_id = result.spec.id
        current = _counts_by_root(result.violations, outcome.files)
        change = BaselineChange(contract_id)
        if not update:
            if options.budgets:
                contracts[contract_id] = ContractBaseline(budgets=current)
                change.budgets = current
            else:
                entries = tuple(sorted(entry for _, entry in entries_for(result.violations)))
                contracts[contract_id] = ContractBaseline(entries=entries)
                change.added = len(entries)
        else:
            before = old.contracts.get(contract_id, ContractBaseline())
            classification = classify(result.violations, before, today)
            entries = (
                updated_entries(result.violations, classification, allow_growth)
                if before.entries or not before.budgets
                else ()
            )
            new_budgets = before.budgets
            if before.budgets:
                counts = budget_counts(result.violations, root, before.budgets)
                new_budgets = updated_budgets(counts, current, allow_growth)
            contracts[contract_id] = ContractBaseline(entries=entries, budgets=new_budgets)
            accepted = len(classification.accepted_by)
            change.kept = accepted
            change.removed = len(classification.stale)
            change.added = len(entries) - accepted
            change.left_out = len(result.violations) - accepted - change.added
            change.budgets = new_budgets
        changes.append(change)
    write_baseline(real, Baseline(contracts))
    applied = any(
        c.baseline and baseline_path(settings.root_dir, c.baseline) == path
        for c in settings.contracts
    )
    relative = os.path.relpath(path, settings.root_dir).replace(os.sep, "/")
    return BaselineOutcome(path, not update, changes, None if applied else relative)


def summary(outcome: BaselineOutcome) -> list[str]:
    """What `ssot-arch baseline` prints: the file written (relative to the working folder
    when it lies below it), then per contract what changed."""
    verb = "created" if outcome.created else "updated"
    shown = os.path.relpath(outcome.path)
    shown = outcome.path if shown.startswith("..") else shown
    lines = [f"{verb} {shown}"]
    for change in outcome.changes:
        parts = []
        if change.budgets:
            parts.append("budgets " + ", ".join(f"{r} {n}" for r, n in change.budgets.items()))
        if outcome.created and not change.budgets:
            parts.append(f"{change.added} accepted violations")
        if not outcome.created:
            parts.append(f"{change.kept} kept, {change.removed} fixed removed")
            if change.added:
                parts.append(f"{change.added} new added")
            if change.left_out:
                parts.append(f"{change.left_out} new not added (fix them, or --allow-growth)")
        lines.append(f"  [{change.contract}] " + "; ".join(parts))
    if outcome.created and outcome.unapplied is not None:
        lines.append(
            f"apply it: ssot-arch check --baseline {shown}, or `baseline = "
            f"{outcome.unapplied}` in the contract's section of the configuration (then "
            "plain `ssot-arch check` uses it)"
        )
    return lines
