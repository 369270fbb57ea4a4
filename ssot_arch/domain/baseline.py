"""The baseline: the violations a repository has accepted for now, to fail only on new ones.

Also the *root* of a violation or of an accepted one: the root package whose budget,
count and table row it belongs to (budgets are per root).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

# The key of each BaselineEntry field in the baseline file and the JSON output, in order.
ENTRY_KEYS = ("file", "imported", "import", "occurrence", "importer", "reason", "owner", "expires")
EntryValue = str | int | None


def normalize_import(text: str) -> str:
    """An import statement's identity: its text with white space collapsed."""
    return " ".join(text.split())


@functools.total_ordering
@dataclass(frozen=True)
class BaselineEntry:
    """One accepted violation, identified without its line number.

    (file, imported, import text) says which statement; `occurrence` tells apart
    identical statements in one file (1 for the first, in line order). Editing other
    lines moves a violation but leaves its identity alone. Entries sort by their fields
    in order, one without an expiry date before the same one with a date.
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
        """(file, imported, import text): which statement, but not which of its copies."""
        return (self.file, self.imported, self.import_text)

    def expired(self, today: datetime.date) -> bool:
        """Whether the entry's expiry date lies before `today`."""
        return self.expires is not None and self.expires < today

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, BaselineEntry):
            return NotImplemented
        return self._order() < other._order()

    def _order(self) -> tuple[str, str, str, int, str, str, str, bool, datetime.date]:
        # A date and None do not compare: the entries a file holds twice, one with an
        # expiry date, would stop every sort.
        return (
            *(self.file, self.imported, self.import_text, self.occurrence),
            *(self.importer, self.reason, self.owner),
            self.expires is not None,
            self.expires or datetime.date.min,
        )


def entry_to_dict(entry: BaselineEntry) -> dict[str, EntryValue]:
    """Every field of `entry` under its key of ENTRY_KEYS, in that order (`expires` as an
    ISO date, or None): the one serialised form the baseline file and the outputs show."""
    return {
        "file": entry.file,
        "imported": entry.imported,
        "import": entry.import_text,
        "occurrence": entry.occurrence,
        "importer": entry.importer,
        "reason": entry.reason,
        "owner": entry.owner,
        "expires": entry.expires.isoformat() if entry.expires else None,
    }


def fingerprint(contract_id: str, entry: BaselineEntry) -> str:
    """A line-independent fingerprint of the violation `entry` accepts under a contract:
    the baseline's identity, hashed (32 hexadecimal digits)."""
    key = "\0".join([contract_id, *entry.identity, str(entry.occurrence)])
    # surrogatepass: a file name holding an undecodable byte still has a fingerprint.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class FoundImport(Protocol):
    """What the baseline reads of a violation (`domain.model.Violation`)."""

    @property
    def importer(self) -> str: ...
    @property
    def imported(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def line_contents(self) -> str: ...
    @property
    def file(self) -> str: ...


FoundImportT = TypeVar("FoundImportT", bound=FoundImport)


def entries_for(
    violations: Iterable[FoundImportT],
) -> list[tuple[FoundImportT, BaselineEntry]]:
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


class AnalysedFile(Protocol):
    """What root ownership reads of a file of the module universe (`domain.model.SourceFile`)."""

    @property
    def path(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def root(self) -> str: ...


def root_of(files: Mapping[str, AnalysedFile], importer: str, file: str = "") -> str:
    """The root package a violation (or a baseline entry) belongs to: its importer's root.

    `files` are the analysed files by module name. An entry's module may be gone, and an
    entry written without its importer is placed by its `file`: the root whose folder holds
    it, else (its whole root is gone) the folder or module right below its source root.
    """
    known = files.get(importer)
    if known is not None:
        return known.root
    if importer:
        return importer.split(".")[0]  # every module's name starts with its root's
    folders: dict[str, str] = {}  # root folder (or a root module's file) -> root
    for analysed in files.values():
        if analysed.path == file:
            return analysed.root
        folder = _root_folder(analysed)
        if folder:
            folders[folder] = analysed.root
    holding = [f for f in folders if file.startswith(f + "/")]
    if holding:
        return folders[max(holding, key=len)]
    source_roots = {f.rpartition("/")[0] for f in folders}
    below = [s for s in source_roots if not s or file.startswith(s + "/")]
    rest = file[len(max(below, key=len)) :].lstrip("/") if below else file
    # A root's name is its folder's or module's, dots made underscores (`v1.2/` is `v1_2`).
    return rest.split("/")[0].removesuffix(".py").replace(".", "_")


def _root_folder(analysed: AnalysedFile) -> str:
    """The folder of `analysed`'s root package (or the file of a root module): its path
    without the parts below the root that its module name spells."""
    parts = analysed.path.split("/")
    below = analysed.module.count(".") + (parts[-1] == "__init__.py")
    return "/".join(parts[: len(parts) - below]) if len(parts) > below else ""


@dataclass(frozen=True)
class ContractBaseline:
    """A contract's section of the baseline: accepted violations, and budgets per root."""

    entries: tuple[BaselineEntry, ...] = ()
    budgets: dict[str, int] = field(default_factory=dict)  # root -> most violations allowed


@dataclass(frozen=True)
class Baseline:
    """The baseline file's content: a section per contract id."""

    contracts: dict[str, ContractBaseline] = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class BudgetCount:
    """A root's violations against its budget."""

    root: str
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
        """The roots with more violations than their budget."""
        return tuple(b for b in self.budgets if b.violations > b.budget)
