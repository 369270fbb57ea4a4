"""What `fix` must prove about a rewrite beyond its text: that every use of a name the
rewrite gives the module is supported by the replacement as read from its source
(`UseProver`: adapters/codemod/python_api.py reads, analysis/api_check.py judges), and that the
new imports of the SSOT close no import-time cycle (analysis/import_cycles.py).

A rewritten module M imports an SSOT module R at module level. If R's import-time
closure holds M, importing M would fail ("partially initialized module"): M is left
for a person, with the chain that comes back. The closures are those of the
repository *as rewritten*: every other module whose rewrite stands adds its own new
imports. A module turned manual gives its new imports up, which only shrinks the
closures, so the proof is repeated until no more modules turn manual.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ssot_arch.adapters.codemod.import_time import import_time_lines
from ssot_arch.adapters.codemod.python_api import (
    ApiReader,
    NameMissing,
    Rewritten,
    read_rewritten,
    read_rewritten_all,
)
from ssot_arch.adapters.filesystem.decoding import decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable
from ssot_arch.adapters.processes.pool import fork_map
from ssot_arch.analysis.api_check import judge_use
from ssot_arch.analysis.import_cycles import CycleFinder, loads_from
from ssot_arch.application.check import Analysed
from ssot_arch.domain.api import NameUse, ReplacementApi
from ssot_arch.domain.findings import PACKAGE_FIRST, Hop
from ssot_arch.domain.remediation import FIXED, MANUAL, UNSAFE, FileFix, Remaining, Replacement


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


def new_ssot_imports(before: str, after: Rewritten) -> dict[str, int]:
    """The SSOT modules that the rewritten text imports at import time and `before` did
    not, with the line of the first such import in the new text."""
    named = [m for m in after.ssot_imports if m in before]  # the rest is new for sure
    old = read_rewritten(before, frozenset(named), {}) if named else None
    known = old.ssot_imports if old is not None else {}
    return {module: line for module, line in after.ssot_imports.items() if module not in known}


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
        if module not in self._analysed.outcome.files:
            return frozenset()
        found = module_source(self._analysed, module)
        return None if found is None else import_time_lines(found[0])  # None: all count


def without_import_cycles(
    analysed: Analysed,
    fixes: Sequence[FileFix],
    reads: Mapping[str, Rewritten | None],
    left: Callable[[FileFix, str], FileFix],
) -> list[FileFix]:
    """`fixes` with every rewritten one (FIXED or UNSAFE) whose new SSOT imports would
    close an import-time cycle (in the repository as rewritten) turned MANUAL by
    `left(fix, why)`. `reads` holds each rewritten module's new text as read."""
    ssot_modules = ssot_modules_of(analysed)
    added: dict[str, dict[str, int]] = {}
    for f in fixes:
        if f.status not in (FIXED, UNSAFE):
            continue
        read = reads.get(f.module)
        if read is None:  # does not parse here: every SSOT module it names may be new
            added[f.module] = {m: 1 for m in ssot_modules if m in (f.rewritten or "")}
        else:
            added[f.module] = new_ssot_imports(f.original, read)
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


def ssot_modules_of(analysed: Analysed) -> frozenset[str]:
    """The modules the contracts' replacements import from."""
    return frozenset(
        r.module for result in analysed.outcome.contracts for r in result.spec.replacements
    )


def read_fixes(
    analysed: Analysed, fixes: Sequence[tuple[FileFix, Sequence[Replacement]]], jobs: int = 1
) -> dict[str, Rewritten | None]:
    """Each rewritten file's new text read once (adapters/codemod/python_api.py), by module, in
    `jobs` processes."""
    ssot_modules = ssot_modules_of(analysed)
    read = [(fix, replacements) for fix, replacements in fixes if fix.rewritten is not None]
    asked: list[tuple[str, frozenset[str], Mapping[tuple[str | None, str], str]]] = [
        (fix.rewritten or "", ssot_modules, {(r.module, r.name): r.name for r in replacements})
        for fix, replacements in read
    ]
    found = fork_map(read_rewritten_all, asked, jobs)
    return {fix.module: rewritten for (fix, _), rewritten in zip(read, found, strict=True)}


def _with_added(
    imports: Callable[[str], list[tuple[str, int]]], added: Mapping[str, Mapping[str, int]]
) -> Callable[[str], list[tuple[str, int]]]:
    def with_added(module: str) -> list[tuple[str, int]]:
        new = added.get(module)
        found = imports(module)
        return [*found, *sorted(new.items())] if new else found

    return with_added


# --------------------------------------------------------------------------- uses


def module_source(analysed: Analysed, module: str) -> tuple[str, bool] | None:
    """A first-party module's text and whether it is a package; None when it has no
    readable file."""
    source = analysed.outcome.files.get(module)
    if source is None:
        return None
    try:
        text, _ = decode_source(analysed.read(source))
    except (NotReadable, SyntaxError, UnicodeDecodeError):
        return None
    return text, source.is_package


def line_map(before: str, after: str) -> Callable[[int], int]:
    """The line of `before` that a line of `after` stands for (a rewrite changes lines
    in place, or puts imports on lines of their own)."""
    old, new = before.splitlines(), after.splitlines()
    mapped: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(j2 - j1):
            mapped[j1 + offset + 1] = min(i1 + offset, max(i1, i2 - 1)) + 1
    return lambda line: mapped.get(line, line)


@dataclass(frozen=True)
class UseVerdict:
    """What the uses of a rewrite's new names make of it: MANUAL or UNSAFE with the uses
    in the way (lines of the original text), or None when every use is supported."""

    status: str | None
    remaining: tuple[Remaining, ...] = ()


class UseProver:
    """Checks each rewritten file's uses of its new names against the replacements as
    read from their source (adapters/codemod/python_api.py); each replacement is read once."""

    def __init__(self, analysed: Analysed):
        self._reader = ApiReader(lambda module: module_source(analysed, module))
        self._apis: dict[Replacement, ReplacementApi] = {}

    def missing(self, replacement: Replacement) -> str | None:
        """Why the replacement's module, read, does not define its name; None when it
        does (or may: a star import, a module `__getattr__`)."""
        try:
            self._reader.replacement(replacement.module, replacement.name)
        except NameMissing as error:
            return str(error)
        return None

    def api(self, replacement: Replacement) -> ReplacementApi:
        if replacement not in self._apis:
            try:
                api = self._reader.replacement(replacement.module, replacement.name)
            except NameMissing as error:
                api = ReplacementApi(str(replacement), None, unknown=str(error))
            self._apis[replacement] = api
        return self._apis[replacement]

    def verdict(
        self, fix: FileFix, replacements: Sequence[Replacement], read: Rewritten
    ) -> UseVerdict:
        """The uses of the names `fix`'s new text (`read`) imports from `replacements`
        that the rewrite made: a name the file already imported from the SSOT keeps the
        uses it had (they ran before; the rewrite answers for the ones it adds)."""
        by_source = {(r.module, r.name): r for r in replacements}
        before = _uses_before(fix.original, replacements)
        in_the_way: list[tuple[str, NameUse, str]] = []
        for local, source in sorted(read.names.items()):
            replacement = by_source[source]
            api = self.api(replacement)
            if api.same_as is not None and api.same_as == replacement.qualified:
                continue  # the very object replaced, re-exported: every use is its own
            had = Counter(_shape(u) for u in before.get((local, source), []))
            for use in read.uses.get(local, []):
                if had[_shape(use)] > 0:
                    had[_shape(use)] -= 1
                    continue
                judged = judge_use(api, use)
                if judged is not None:
                    in_the_way.append((judged[0], use, judged[1]))
        if not in_the_way:
            return UseVerdict(None)
        to_original = line_map(fix.original, fix.rewritten or "")
        worst = MANUAL if any(status == MANUAL for status, _, _ in in_the_way) else UNSAFE
        remaining = {
            Remaining(to_original(use.line), use.text, why)
            for status, use, why in in_the_way
            if status == worst
        }
        return UseVerdict(worst, tuple(sorted(remaining)))


def _shape(use: NameUse) -> tuple[object, ...]:
    """A use without its line: how the same use is recognised in the text before."""
    return (use.text, use.attribute, use.call, use.result_used)


def _uses_before(
    original: str, replacements: Sequence[Replacement]
) -> dict[tuple[str, tuple[str, str]], list[NameUse]]:
    """The uses of each name the original text already imported from the SSOT, by
    (local name, (module, name)); read only when the text names a replacement at all."""
    if not any(r.name in original for r in replacements):
        return {}
    read = read_rewritten(original, frozenset(), {(r.module, r.name): r.name for r in replacements})
    if read is None:
        return {}
    return {(local, source): read.uses.get(local, []) for local, source in read.names.items()}
