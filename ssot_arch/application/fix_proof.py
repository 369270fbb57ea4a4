"""What `fix` must prove about a rewrite beyond its text: that the new imports of the
SSOT close no import-time cycle (analysis/import_cycles.py).

A rewritten module M imports an SSOT module R at module level. If R's import-time
closure holds M, importing M would fail ("partially initialized module"): M is left
for a person, with the chain that comes back. The closures are those of the
repository *as rewritten*: every other module whose rewrite stands adds its own new
imports. A module turned manual gives its new imports up, which only shrinks the
closures, so the proof is repeated until no more modules turn manual.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence

from ssot_arch.adapters.decoding import decode_source
from ssot_arch.adapters.import_time import import_time_lines
from ssot_arch.adapters.reading import NotReadable
from ssot_arch.analysis.import_cycles import CycleFinder, loads_from
from ssot_arch.application.check import Analysed
from ssot_arch.domain.findings import PACKAGE_FIRST, Hop
from ssot_arch.domain.remediation import FIXED, FileFix

IMPORT_CYCLE = "import-cycle"


def chain_text(hops: Sequence[Hop]) -> str:
    """`a (l.1) → b (its package) → c`: where each module imports the next."""
    parts = [
        f"{hop.importer} ({'its package' if hop.line == PACKAGE_FIRST else f'l.{hop.line}'})"
        for hop in hops
    ]
    return " → ".join([*parts, hops[-1].imported]) if hops else ""


def cycle_reason(ssot_module: str, hops: Sequence[Hop]) -> str:
    return (
        f"importing {ssot_module} here would close an import-time cycle: {chain_text(hops)}; "
        "the SSOT loads this module when it is imported, so it is part of the SSOT's "
        "implementation: make it a gateway, or exclude it from the contract"
    )


def new_ssot_imports(before: str, after: str, ssot_modules: frozenset[str]) -> dict[str, int]:
    """The SSOT modules that `after` imports at import time and `before` did not, with
    the line of the first such import in `after`."""

    def imported(text: str) -> dict[str, int]:
        lines = import_time_lines(text)
        found: dict[str, int] = {}
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return found
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if lines is not None and node.lineno not in lines:
                continue
            for name in names:
                if name in ssot_modules:
                    found.setdefault(name, node.lineno)
        return found

    old = imported(before)
    return {module: line for module, line in imported(after).items() if module not in old}


class ImportTimeImports:
    """Each module's import-time imports, (imported, line), from the scan's records and
    the lines of its text that run at import time; read and parsed once each."""

    def __init__(self, analysed: Analysed):
        self._analysed = analysed
        self._records: dict[str, list[tuple[str, int]]] = {}
        for record in analysed.scan.imports:
            self._records.setdefault(record.importer, []).append((record.imported, record.line))
        self._cache: dict[str, list[tuple[str, int]]] = {}

    def __call__(self, module: str) -> list[tuple[str, int]]:
        found = self._cache.get(module)
        if found is None:
            records = self._records.get(module, [])
            lines = self._lines(module) if records else frozenset()
            found = self._cache[module] = [
                (imported, line) for imported, line in records if lines is None or line in lines
            ]
        return found

    def _lines(self, module: str) -> frozenset[int] | None:
        source = self._analysed.outcome.files.get(module)
        if source is None:
            return frozenset()
        try:
            text, _ = decode_source(self._analysed.universe.read(source))
        except (NotReadable, SyntaxError, UnicodeDecodeError):
            return None  # every import counts
        return import_time_lines(text)


def without_import_cycles(
    analysed: Analysed, fixes: Sequence[FileFix], left: Callable[[FileFix, str], FileFix]
) -> list[FileFix]:
    """`fixes` with every FIXED one whose new SSOT imports would close an import-time
    cycle (in the repository as rewritten) turned MANUAL by `left(fix, why)`."""
    ssot_modules = frozenset(
        r.module for result in analysed.outcome.contracts for r in result.spec.replacements
    )
    added = {
        f.module: new_ssot_imports(f.original, f.rewritten or "", ssot_modules)
        for f in fixes
        if f.status == FIXED
    }
    imports = ImportTimeImports(analysed)
    modules = frozenset(analysed.outcome.files) | analysed.namespace_packages
    verdicts: dict[str, str] = {}
    while True:
        standing = {m: new for m, new in added.items() if m not in verdicts}
        finder = CycleFinder(loads_from(_with_added(imports, standing), modules))
        turned = {}
        for module, new in sorted(standing.items()):
            for ssot_module in sorted(new):
                hops = finder.cycle(module, ssot_module)
                if hops is not None:
                    turned[module] = cycle_reason(ssot_module, hops)
                    break
        if not turned:
            break
        verdicts.update(turned)
    return [left(f, verdicts[f.module]) if f.module in verdicts else f for f in fixes]


def _with_added(
    imports: Callable[[str], list[tuple[str, int]]], added: Mapping[str, Mapping[str, int]]
) -> Callable[[str], list[tuple[str, int]]]:
    def with_added(module: str) -> list[tuple[str, int]]:
        new = added.get(module)
        found = imports(module)
        return [*found, *sorted(new.items())] if new else found

    return with_added
