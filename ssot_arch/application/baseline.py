"""`ssot-arch baseline`: write, or ratchet down, the file of accepted violations."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from dataclasses import dataclass, field

from ssot_arch.adapters.baseline_file import read_baseline, real_baseline_path, write_baseline
from ssot_arch.analysis.ratchet import (
    budget_counts,
    classify,
    entries_for,
    updated_budgets,
    updated_entries,
)
from ssot_arch.application.check import Progress, run_check
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.baseline import Baseline, ContractBaseline
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import Violation


@dataclass
class BaselineChange:
    contract: str
    kept: int = 0
    added: int = 0
    removed: int = 0  # fixed violations dropped
    left_out: int = 0  # new violations not added (growth not asked for)
    budgets: dict[str, int] = field(default_factory=dict)


@dataclass
class BaselineOutcome:
    path: str
    created: bool
    changes: list[BaselineChange]


def _counts_by_root(violations: tuple[Violation, ...], files) -> dict[str, int]:
    return dict(sorted(Counter(files[v.importer].root for v in violations).items()))


def write_or_update(
    settings: RunSettings,
    path: str,
    *,
    update: bool,
    configured: bool,
    allow_growth: bool = False,
    force: bool = False,
    budgets: bool = False,
    in_ci: bool = False,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> BaselineOutcome:
    """Create the baseline at `path`, or update it (see README, "Baseline").

    Creating, replacing or growing a baseline is refused when `in_ci`, unless `force`:
    in CI it would silently accept whatever a pull request added. `configured`: the
    path comes from the repository's configuration, so must lie inside it. A symbolic
    link is written through to its target, and stays.
    """
    real = real_baseline_path(path, settings.root_dir, configured=configured)
    exists = os.path.exists(real)
    if not update and exists and not force:
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
    if in_ci and not force and (not update or allow_growth):
        raise ConfigError(
            ConfigProblem(
                "refusing to create or grow a baseline in CI (the CI variable is set): "
                "make it locally and commit it, or pass --force",
                file=path,
            )
        )
    old = read_baseline(real) if update else Baseline()  # a broken file stops us here
    outcome = run_check(settings, progress)
    today = today or datetime.date.today()
    contracts = dict(old.contracts)
    changes = []
    for result in outcome.contracts:
        contract_id = result.spec.id
        current = _counts_by_root(result.violations, outcome.files)
        change = BaselineChange(contract_id)
        if not update:
            if budgets:
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
                counts = budget_counts(
                    result.violations, lambda v: outcome.files[v.importer].root, before.budgets
                )
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
    return BaselineOutcome(path, not update, changes)
