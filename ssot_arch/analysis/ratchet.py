"""The baseline ratchet: which violations are new, which are accepted, which were fixed.

Matching ignores line numbers. A violation is identified by (file, imported module,
import statement text) and, among identical statements in one file, by its order.
Violations whose file was renamed or moved still match an accepted entry of the same
statement in a file of the same name (a second, looser pass), so `git mv` does not
fail the gate.
"""

from __future__ import annotations

import dataclasses
import datetime
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ssot_arch.domain.baseline import (
    BaselineEntry,
    BudgetCount,
    ContractBaseline,
    normalize_import,
)
from ssot_arch.domain.model import EXPIRED, KNOWN, NEW, Violation


def entries_for(violations: Iterable[Violation]) -> list[tuple[Violation, BaselineEntry]]:
    """Each violation with the baseline entry that would accept it, in file and line order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    paired = []
    for v in sorted(violations, key=lambda v: (v.file, v.line, v.imported)):
        text = normalize_import(v.line_contents)
        seen[(v.file, v.imported, text)] += 1
        entry = BaselineEntry(
            v.file, v.imported, text, seen[(v.file, v.imported, text)], v.importer
        )
        paired.append((v, entry))
    return paired


@dataclass(frozen=True)
class Classification:
    violations: tuple[Violation, ...]  # with their status
    accepted_by: dict[int, BaselineEntry]  # index in `violations` -> the entry matched
    stale: tuple[BaselineEntry, ...]
    expired: tuple[BaselineEntry, ...]


def classify(
    violations: Sequence[Violation], baseline: ContractBaseline, today: datetime.date
) -> Classification:
    pending: dict[tuple, list[BaselineEntry]] = defaultdict(list)
    for entry in sorted(baseline.entries, key=lambda e: (e.identity, e.occurrence)):
        pending[entry.identity].append(entry)
    paired = entries_for(violations)
    matched: dict[int, BaselineEntry] = {}
    for index, (_, entry) in enumerate(paired):
        if pending[entry.identity]:
            matched[index] = pending[entry.identity].pop(0)
    # A renamed or moved file: the same statement, in a file of the same name.
    by_name: dict[tuple, list[BaselineEntry]] = defaultdict(list)
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
        entry = matched.get(index)
        if entry is None:
            status = NEW
        elif entry.expired(today):
            status = EXPIRED
            expired.append(entry)
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
    violations: Sequence[Violation], group_of: Callable[[Violation], str], budgets: dict[str, int]
) -> tuple[BudgetCount, ...]:
    """Each budgeted group's violation count against its budget."""
    counts = Counter(group_of(v) for v in violations)
    return tuple(BudgetCount(group, counts[group], budgets[group]) for group in sorted(budgets))


def updated_budgets(
    counts: Sequence[BudgetCount], current: dict[str, int], allow_growth: bool
) -> dict[str, int]:
    """Budgets only come down to the current counts, unless growth is allowed."""
    if allow_growth:
        return dict(sorted(current.items()))
    return {b.group: min(b.budget, b.violations) for b in counts}
