"""The baseline ratchet: which violations are new, which are accepted, which were fixed.

Matching ignores line numbers. A violation is identified by (file, imported module,
import statement text) and, among identical statements in one file, by its order
(`domain.baseline.entries_for`). Violations whose file was renamed or moved still match
an accepted entry of the same statement in a file of the same name (a second, looser
pass), so `git mv` does not fail the gate.
"""

from __future__ import annotations

import dataclasses
import datetime
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ssot_arch.domain.baseline import (
    BaselineEntry,
    BudgetCount,
    ContractBaseline,
    entries_for,
)
from ssot_arch.domain.model import EXPIRED, KNOWN, NEW, Violation

Identity = tuple[str, str, str]  # (file or its base name, imported module, import text)


@dataclass(frozen=True)
class Classification:
    """A contract's violations judged against its baseline section."""

    violations: tuple[Violation, ...]  # with their status, in file and line order
    accepted_by: dict[int, BaselineEntry]  # index in `violations` -> the entry matched
    stale: tuple[BaselineEntry, ...]
    expired: tuple[BaselineEntry, ...]


def classify(
    violations: Sequence[Violation], baseline: ContractBaseline, today: datetime.date
) -> Classification:
    """Each violation's status against the baseline: KNOWN when an entry accepts it,
    EXPIRED when that entry has expired, else NEW; and the entries no violation matched
    (stale: fixed). Each entry accepts at most one violation."""
    pending: dict[Identity, list[BaselineEntry]] = defaultdict(list)
    for entry in sorted(baseline.entries, key=lambda e: (e.identity, e.occurrence)):
        pending[entry.identity].append(entry)
    paired = entries_for(violations)
    matched: dict[int, BaselineEntry] = {}
    for index, (_, entry) in enumerate(paired):
        if pending[entry.identity]:
            matched[index] = pending[entry.identity].pop(0)
    # A renamed or moved file: the same statement, in a file of the same name.
    by_name: dict[Identity, list[BaselineEntry]] = defaultdict(list)
    for entries in pending.values():
        for entry in entries:
            by_name[(posixpath.basename(entry.file), entry.imported, entry.import_text)].append(
                entry
            )
    for index, (_, entry) in enumerate(paired):
        if index not in matched:
            key = (posixpath.basename(entry.file), entry.imported, entry.import_text)
            if by_name[key]:
                matched[index] = by_name[key].pop(0)
    left = {id(e) for entries in by_name.values() for e in entries}
    stale = tuple(sorted(e for e in baseline.entries if id(e) in left))
    statuses = []
    expired = []
    for index, (violation, _) in enumerate(paired):
        accepting = matched.get(index)
        if accepting is None:
            status = NEW
        elif accepting.expired(today):
            status = EXPIRED
            expired.append(accepting)
        else:
            status = KNOWN
        statuses.append(dataclasses.replace(violation, status=status))
    return Classification(tuple(statuses), matched, stale, tuple(sorted(expired)))


def updated_entries(
    violations: Sequence[Violation], classification: Classification, allow_growth: bool
) -> tuple[BaselineEntry, ...]:
    """The baseline after an update: fixed entries dropped, accepted ones renumbered with
    their reason, owner and expiry kept; new violations added only with `allow_growth`."""
    result = []
    for index, (_, entry) in enumerate(entries_for(violations)):
        old = classification.accepted_by.get(index)
        if old is not None:
            result.append(
                dataclasses.replace(entry, reason=old.reason, owner=old.owner, expires=old.expires)
            )
        elif allow_growth:
            result.append(entry)
    return tuple(sorted(result))


def budget_counts(
    violations: Sequence[Violation], root_of: Callable[[Violation], str], budgets: dict[str, int]
) -> tuple[BudgetCount, ...]:
    """Each budgeted root's violation count against its budget."""
    counts = Counter(root_of(v) for v in violations)
    return tuple(BudgetCount(root, counts[root], budgets[root]) for root in sorted(budgets))


def updated_budgets(
    counts: Sequence[BudgetCount], current: dict[str, int], allow_growth: bool
) -> dict[str, int]:
    """Budgets only come down to the current counts, unless growth is allowed."""
    if allow_growth:
        return dict(sorted(current.items()))
    return {b.root: min(b.budget, b.violations) for b in counts}
