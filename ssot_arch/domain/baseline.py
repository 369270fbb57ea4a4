"""The baseline: the violations a repository has accepted for now, to fail only on new ones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


def normalize_import(text: str) -> str:
    """An import statement's identity: its text with white space collapsed."""
    return " ".join(text.split())


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One accepted violation, identified without its line number.

    (file, imported, import text) says which statement; `occurrence` tells apart
    identical statements in one file (1 for the first, in line order). Editing other
    lines moves a violation but leaves its identity alone.
    """

    file: str
    imported: str
    import_text: str
    occurrence: int = 1
    importer: str = ""
    reason: str = ""
    owner: str = ""
    expires: datetime.date | None = None

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.file, self.imported, self.import_text)

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass(frozen=True)
class ContractBaseline:
    entries: tuple[BaselineEntry, ...] = ()
    budgets: dict[str, int] = field(default_factory=dict)  # group -> most violations allowed


@dataclass(frozen=True)
class Baseline:
    contracts: dict[str, ContractBaseline] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class BudgetCount:
    group: str
    violations: int
    budget: int


@dataclass(frozen=True)
class BaselineVerdict:
    """How one contract's violations compare with its baseline."""

    file: str
    stale: tuple[BaselineEntry, ...] = ()  # fixed: in the baseline, no longer in the code
    expired: tuple[BaselineEntry, ...] = ()  # matched, but past their expiry date
    budgets: tuple[BudgetCount, ...] = ()
    fail_on_stale: bool = False

    @property
    def over_budget(self) -> tuple[BudgetCount, ...]:
        return tuple(b for b in self.budgets if b.violations > b.budget)
