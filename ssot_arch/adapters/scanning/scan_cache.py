"""The scan's caches: each file's imports keyed on its content (so a fresh checkout is
fast), a whole check's result (so an unchanged tree is not scanned at all), and what the
report's source passes found in each file. All three are records on the signed store
(storage/signed_store.py), whose docstring holds the threat model.

grimp's own cache is keyed on modification times, which every fresh CI checkout
changes. Here an import entry is keyed on the module's name, whether it is a package,
and a hash of the file's bytes; the whole cache is one *generation*, valid for one tool
version, grimp version, scan option and set of modules. Resolving an import depends on
which modules exist (`from . import x` names the module `x` only if it exists), so
adding, removing or renaming any module starts a new generation: correct first, fast in
the common case of an unchanged tree or edited files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeGuard

import grimp

from ssot_arch import __version__
from ssot_arch.adapters.scanning.universe import Universe
from ssot_arch.adapters.storage.signed_store import (
    FORMAT,
    INT,
    NAME,
    STR,
    SignedStore,
    rows_of_shape,
    strings,
)
from ssot_arch.domain.model import (
    BrokenImport,
    CheckOutcome,
    ContractResult,
    ContractSpec,
    DynamicImport,
    Unanalyzed,
    UnresolvedImport,
    Violation,
)


class ScannedImport(NamedTuple):
    """One import of a scanned file, as the import cache keeps it.

    On disk: `[imported, line, line_contents, type_checking]`, the last as 0 or 1.
    """

    imported: str | None  # None: a relative import beyond the top-level package
    line: int
    line_contents: str
    type_checking: bool  # under `if TYPE_CHECKING:` (only marked when a contract asks)


@dataclass(frozen=True)
class ScanFailure:
    """A file that could not be scanned, and why. On disk: `{"unanalyzed": reason}`."""

    reason: str


# The import cache's entry for one file: its imports in line order, or why it has none.
Entry = list[ScannedImport] | ScanFailure


def _entry_from(raw: Any) -> Entry | None:
    """The entry a cache file holds, or None when it is not one."""
    if type(raw) is dict:
        reason = raw.get("unanalyzed")
        return ScanFailure(reason) if len(raw) == 1 and type(reason) is str else None
    if not rows_of_shape(raw, NAME, INT, STR, INT):
        return None
    return [ScannedImport(name, line, text, bool(tc)) for name, line, text, tc in raw]


def _entry_to(entry: Entry) -> Any:
    if isinstance(entry, ScanFailure):
        return {"unanalyzed": entry.reason}
    return [[name, line, text, int(tc)] for name, line, text, tc in entry]


def content_key(module: str, is_package: bool, data: bytes) -> str:
    """An import cache entry's key: the module, whether it is a package, its bytes."""
    digest = hashlib.sha256(data).hexdigest()[:32]  # sha256 is hardware-accelerated
    return f"{module}:{int(is_package)}:{digest}"


def generation_key(modules: list[tuple[str, bool]], namespaces: list[str], options: str) -> str:
    """The import cache's generation: every module, namespace package and scan option."""
    signature = json.dumps(
        [FORMAT, __version__, grimp.__version__, options, sorted(modules), sorted(namespaces)]
    )
    return hashlib.sha256(signature.encode()).hexdigest()


class ImportCache:
    """Each file's imports from the last run of this generation, keyed on its content."""

    def __init__(self, directory: str, generation: str):
        self.store = SignedStore(directory, "imports.json", "imports")
        self.generation = generation
        self.entries: dict[str, Entry] = self._load()
        self.hits = 0

    def _load(self) -> dict[str, Entry]:
        stored = self.store.load(self.generation, _valid_entries, "lists of imports")
        if stored is None:
            return {}
        return {key: entry for key, raw in stored.items() if (entry := _entry_from(raw))}

    def get(self, key: str) -> Entry | None:
        """The entry of the file with this content key, if the cache has it."""
        entry = self.entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    def save(self, entries: dict[str, Entry]) -> None:
        """Replace the cache with `entries` (those of this run: stale ones are dropped)."""
        stored = {key: _entry_to(entry) for key, entry in entries.items()}
        self.store.save(self.generation, stored)


def _valid_entries(entries: Any) -> bool:
    return type(entries) is dict and all(_entry_from(raw) is not None for raw in entries.values())


class ResultCache:
    """The last check's outcome for a whole tree, reused when nothing at all changed.

    Its generation is the tree's key (`tree_key`: every file's cache key and the
    settings), so an unchanged tree skips reading the import cache and building the
    graph: a warm check walks the tree and hashes the files that may have changed
    (file_keys.py), and that is all. Only the findings are stored (see `_outcome_to`);
    the rest of an outcome comes from the run that reads them.
    """

    def __init__(self, directory: str, tree_key: str):
        self.store = SignedStore(directory, "check.json", "check")
        self.tree_key = tree_key

    def get(
        self, universe: Universe, contracts: Sequence[ContractSpec], other_contracts: Sequence[str]
    ) -> CheckOutcome | None:
        """The stored outcome of checking `contracts` over `universe`; None when this
        tree has none, or one that does not fit them."""
        stored = self.store.load(self.tree_key, _valid_result, "a check's findings")
        if stored is None:
            return None
        try:
            return _outcome_from(stored, universe, contracts, other_contracts)
        except (KeyError, TypeError, ValueError):
            return None  # a result from an incompatible run: check again

    def save(self, outcome: CheckOutcome) -> None:
        """Store `outcome` as this tree's, replacing any other."""
        self.store.save(self.tree_key, _outcome_to(outcome))


def _outcome_to(outcome: CheckOutcome) -> dict[str, Any]:
    """The findings of `outcome` as stored: what the files' contents decide."""
    coverage = outcome.coverage
    unanalyzed = {u.file for u in coverage.unanalyzed}
    cleared = set(coverage.cleared_by_text)
    return {
        "analyzed": sorted(
            f.module
            for f in outcome.files.values()
            if f.path not in unanalyzed and f.path not in cleared
        ),
        "cleared": sorted(f.module for f in outcome.files.values() if f.path in cleared),
        "unanalyzed": [[u.file, u.reason] for u in coverage.unanalyzed],
        "unresolved": [
            [u.file, u.line, u.line_contents, u.reason] for u in coverage.unresolved_imports
        ],
        "contracts": {
            r.spec.id: [[v.importer, v.imported, v.line, v.line_contents] for v in r.violations]
            for r in outcome.contracts
        },
        "warnings": {r.spec.id: list(r.warnings) for r in outcome.contracts},
    }


def _outcome_from(
    stored: dict[str, Any],
    universe: Universe,
    contracts: Sequence[ContractSpec],
    other_contracts: Sequence[str],
) -> CheckOutcome:
    files = {f.module: f for f in universe.files}
    analyzed = [files[m] for m in stored["analyzed"]]
    coverage = universe.coverage(
        analyzed,
        [Unanalyzed(*u) for u in stored["unanalyzed"]],
        [UnresolvedImport(*u) for u in stored["unresolved"]],
        [files[m] for m in stored["cleared"]],
    )
    results = tuple(
        ContractResult(
            spec=spec,
            violations=tuple(
                Violation(importer, imported, line, contents, files[importer].path)
                for importer, imported, line, contents in stored["contracts"][spec.id]
            ),
            warnings=tuple(str(w) for w in stored["warnings"][spec.id]),
        )
        for spec in contracts
    )
    return CheckOutcome(
        root_dir=universe.root_dir,
        roots=tuple(r.name for r in universe.roots),
        coverage=coverage,
        contracts=results,
        files=files,
        other_contracts=tuple(other_contracts),
    )


def _valid_result(result: Any) -> TypeGuard[dict[str, Any]]:
    warnings = result.get("warnings", {}) if type(result) is dict else None  # per contract
    return (
        type(result) is dict
        and strings(result.get("analyzed"))
        and strings(result.get("cleared"))
        and rows_of_shape(result.get("unanalyzed"), STR, STR)
        and rows_of_shape(result.get("unresolved"), STR, INT, STR, STR)
        and type(result.get("contracts")) is dict
        and all(rows_of_shape(found, STR, STR, INT, STR) for found in result["contracts"].values())
        and type(warnings) is dict
        and all(strings(texts) for texts in warnings.values())
    )


def tree_key(keys: dict[str, str], unreadable: Iterable[Unanalyzed], settings: str) -> str:
    """The result cache's key: every file's content key, every file that could not be
    read, and `settings` (everything else the findings depend on)."""
    # ascii(): a file name that is not UTF-8 still makes a key.
    problems = [ascii(f"{u.file}: {u.reason}") for u in unreadable]
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{grimp.__version__}\0{settings}".encode())
    for module in sorted(keys):
        digest.update(f"\0{keys[module]}".encode())
    for problem in sorted(problems):
        digest.update(f"\0!{problem}".encode())
    return digest.hexdigest()


class SourceFactsCache:
    """What the report's source passes found in each file, keyed on its content key:
    its dynamic imports, and its broken imports among the lines the scan's records make
    suspect. Both depend only on the file's content and, for broken imports, on which
    modules exist, so the generation is the import cache's with the other modules
    (compiled extensions, stubs) added. A warm report then parses no file again."""

    KINDS = ("dynamic", "broken")

    def __init__(self, directory: str, generation: str, other_modules: Iterable[str]):
        self.store = SignedStore(directory, "sources.json", "sources")
        others = hashlib.sha256("\n".join(sorted(other_modules)).encode()).hexdigest()
        self.generation = f"{generation}:{others}"
        stored = self.store.load(self.generation, _valid_facts, "files' findings")
        self.entries: dict[str, dict[str, Any]] = stored or {kind: {} for kind in self.KINDS}
        self.fresh: dict[str, dict[str, Any]] = {kind: {} for kind in self.KINDS}

    def dynamic(self, key: str, module: str) -> list[DynamicImport] | None:
        rows = self.entries["dynamic"].get(key)
        if rows is None:
            return None
        self.fresh["dynamic"][key] = rows
        return [DynamicImport(module, line, imported, call) for line, imported, call in rows]

    def put_dynamic(self, key: str, found: Iterable[DynamicImport]) -> None:
        self.fresh["dynamic"][key] = [[d.line, d.imported, d.call] for d in found]

    def broken(self, key: str, module: str) -> list[BrokenImport] | None:
        rows = self.entries["broken"].get(key)
        if rows is None:
            return None
        self.fresh["broken"][key] = rows
        return [
            BrokenImport(module, line, statement, name, ancestor, bool(guarded))
            for line, statement, name, ancestor, guarded in rows
        ]

    def put_broken(self, key: str, found: Iterable[BrokenImport]) -> None:
        self.fresh["broken"][key] = [
            [b.line, b.statement, b.name, b.ancestor, int(b.guarded)] for b in found
        ]

    def save(self, kinds: Collection[str]) -> None:
        """Keep this run's findings of the `kinds` it looked for ("dynamic", "broken";
        those of files gone or changed are dropped), and the last run's of the others."""
        entries = {
            kind: self.fresh[kind] if kind in kinds else self.entries[kind] for kind in self.fresh
        }
        if entries != self.entries:
            self.store.save(self.generation, entries)


def _valid_facts(entries: Any) -> bool:
    return (
        type(entries) is dict
        and set(entries) == set(SourceFactsCache.KINDS)
        and all(type(found) is dict for found in entries.values())
        and all(rows_of_shape(found, INT, STR, STR) for found in entries["dynamic"].values())
        and all(
            rows_of_shape(found, INT, STR, STR, NAME, INT) for found in entries["broken"].values()
        )
    )
