"""`ssot-arch check`: build the graph over the whole universe and find direct violations."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ssot_arch.adapters.scanning.broken_scan import suspect_lines
from ssot_arch.adapters.scanning.graph import build_import_graph
from ssot_arch.adapters.scanning.scan_cache import tree_key
from ssot_arch.adapters.scanning.scanner import ScanResult
from ssot_arch.adapters.scanning.universe import Universe
from ssot_arch.analysis.broken import reroute
from ssot_arch.analysis.direct import (
    contract_warnings,
    dynamic_violations,
    find_direct_violations,
    unmatched_modules,
)
from ssot_arch.analysis.text_filter import ImportNeedles, needles_for
from ssot_arch.application.ports import Ports
from ssot_arch.application.settings import RunSettings
from ssot_arch.application.wiring import DISK
from ssot_arch.domain.contract_options import DEFAULT_RESTRICTED
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import (
    BrokenImport,
    CheckOutcome,
    ContractResult,
    Coverage,
    DynamicImport,
    SourceFile,
    Violation,
)
from ssot_arch.logs import get_logger

if TYPE_CHECKING:
    import networkx as nx

    from ssot_arch.analysis.leaks import ImporterIndex

logger = get_logger(__name__)

Progress = Callable[[int, int], None]


@contextmanager
def timed(phase: str) -> Iterator[None]:
    """Log how long the block took, as `phase`."""
    start = time.perf_counter()
    yield
    logger.info("%s: %.2f s", phase, time.perf_counter() - start)


def find_files(settings: RunSettings, ports: Ports = DISK) -> Universe:
    """The module universe of the settings' roots, with what root discovery left out."""
    with timed("finding files"):
        universe = ports.repository.universe(
            settings.root_dir, settings.roots, settings.skip_dirs, settings.max_file_size
        )
    # Root discovery's own findings at the top level: nothing goes unmentioned.
    universe.skipped_dirs = sorted(universe.skipped_dirs + settings.top_level.skipped_dirs)
    universe.skipped_files = sorted(universe.skipped_files + settings.top_level.skipped_files)
    logger.info("universe: %d files under %d roots", len(universe.files), len(settings.roots))
    return universe


def scan_repository(
    settings: RunSettings,
    progress: Progress | None = None,
    universe: Universe | None = None,
    keys: dict[str, str] | None = None,
    needles: ImportNeedles | None = None,
    screen_dynamic: bool = False,
    ports: Ports = DISK,
) -> tuple[Universe, ScanResult]:
    """Every import of the universe (found now unless given), scanned as the contracts
    need: TYPE_CHECKING imports are marked when a contract leaves them out. With
    `needles`, only the files that could import a restricted module (the rest are
    cleared by text)."""
    universe = universe or find_files(settings, ports)
    need_tc = any(not c.type_checking_imports for c in settings.contracts)
    with timed("scanning imports"):
        scan = ports.repository.scan(
            universe,
            mark_type_checking=need_tc,
            progress=progress,
            cache_dir=settings.cache_dir,
            keys=keys,
            jobs=settings.jobs,
            needles=needles,
            screen_dynamic=screen_dynamic,
        )
    if needles is not None:
        logger.info("cleared by text: %d files", len(scan.cleared))
    return universe, scan


def coverage_of(universe: Universe, scan: ScanResult) -> Coverage:
    """How much of `universe` the scan analysed, and what it left out."""
    return universe.coverage(scan.analyzed, scan.unanalyzed, scan.unresolved, scan.cleared)


def check_needles(settings: RunSettings) -> ImportNeedles:
    """What a file must contain to be parsed by `check` (see analysis/text_filter.py)."""
    return needles_for(
        (name for spec in settings.contracts for name in spec.restricted),
        {root.name.split(".")[0] for root in settings.roots},
        dynamic=any(spec.dynamic_imports for spec in settings.contracts),
    )


@dataclass
class Analysed:
    """A checked repository, with what its analyses need: the scan and the namespaces."""

    outcome: CheckOutcome
    scan: ScanResult
    universe: Universe
    dynamic_imports: list[DynamicImport] = dataclasses.field(default_factory=list)
    broken_imports: list[BrokenImport] = dataclasses.field(default_factory=list)
    ports: Ports = dataclasses.field(default=DISK, repr=False)  # what it was read through
    _graphs: dict[bool, tuple[nx.DiGraph[str], ImporterIndex]] = dataclasses.field(
        default_factory=dict, repr=False
    )

    @property
    def namespace_packages(self) -> set[str]:
        return self.universe.namespace_packages

    def read(self, source: SourceFile) -> bytes:
        """`source`'s bytes, through the repository it was checked in; NotReadable (with
        the reason) when they cannot be read."""
        return self.ports.repository.read(self.universe, source)

    def import_graph(self, include_type_checking: bool) -> tuple[nx.DiGraph[str], ImporterIndex]:
        """The networkx import graph the analyses walk, and its importer index: built once
        per TYPE_CHECKING setting, for `report` and `plan` alike."""
        if include_type_checking not in self._graphs:
            # Imported here: `check` itself needs neither networkx nor the analyses.
            from ssot_arch.adapters.scanning.nx_graph import to_networkx
            from ssot_arch.analysis.leaks import index_importers

            with timed("converting to networkx"):
                graph = to_networkx(
                    self.scan.analyzed,
                    self.namespace_packages,
                    self.scan.imports,
                    include_type_checking=include_type_checking,
                )
                self._graphs[include_type_checking] = graph, index_importers(graph)
        return self._graphs[include_type_checking]


def run_check(
    settings: RunSettings, progress: Progress | None = None, ports: Ports = DISK
) -> CheckOutcome:
    """The check; with a cache, an unchanged tree reuses the last run's findings.

    Only the files whose text could import a restricted module are parsed: the others
    cannot hold a violation (see analysis/text_filter.py).
    """
    needles = check_needles(settings)
    if settings.cache_dir is None:
        return _said(check_repository(settings, progress, needles=needles, ports=ports).outcome)
    universe = find_files(settings, ports)
    with timed("hashing files"):
        keys, unreadable = ports.repository.file_keys(universe, settings.cache_dir)
    key = tree_key(keys, [*unreadable, *universe.unreadable], _signature(settings))
    store = ports.stores.results(settings.cache_dir, key)
    stored = store.get(universe, settings.contracts, settings.other_contracts)
    if stored is not None:
        logger.info("cache: no file changed; the last check's findings stand")
        return _said(stored)
    outcome = check_repository(settings, progress, universe, keys, needles, ports=ports).outcome
    store.save(outcome)
    return _said(outcome)


def _said(outcome: CheckOutcome) -> CheckOutcome:
    """The files analysed although not importable are analysed like any other: worth
    knowing, not worth a line of every run (with -v; the JSON lists them)."""
    if outcome.coverage.not_importable:
        logger.info(
            "%d files analysed although not importable (name is no identifier, or "
            "shadowed by a package); --format json lists them",
            len(outcome.coverage.not_importable),
        )
    return outcome


def _signature(settings: RunSettings) -> str:
    """Everything besides the files that the findings depend on."""
    roots = [(r.name, os.path.relpath(r.path, settings.root_dir)) for r in settings.roots]
    return repr((settings.contracts, roots))


def check_repository(
    settings: RunSettings,
    progress: Progress | None = None,
    universe: Universe | None = None,
    keys: dict[str, str] | None = None,
    needles: ImportNeedles | None = None,
    audit: bool = False,
    ports: Ports = DISK,
) -> Analysed:
    """Check every contract of `settings` against the repository: its direct violations
    and warnings, with the scan they were found in. With `needles`, the files that cannot
    import a restricted module are cleared by text, not parsed (for `check` alone: the
    other analyses need every import). With `audit` (for the report), the analysed files'
    dynamic and broken imports are looked for; without, only what the contracts need:
    dynamic imports when one counts them as violations, broken imports when one
    restricts a first-party module (a broken import counts as one of its nearest existing
    ancestor, docs/spec.md).

    Raises ConfigError when a contract names modules that do not exist.
    """
    want_dynamic = audit or any(spec.dynamic_imports for spec in settings.contracts)
    universe, scan = scan_repository(
        settings, progress, universe, keys, needles, want_dynamic, ports
    )
    root_names = {r.name for r in settings.roots}
    restricted_roots = {n.split(".")[0] for spec in settings.contracts for n in spec.restricted}
    dynamic_imports, broken_imports = source_passes(
        settings,
        universe,
        scan,
        dynamic=want_dynamic,
        broken=audit or bool(restricted_roots & root_names),
        ports=ports,
    )
    scan.imports = reroute(scan.imports, broken_imports)
    modules = [f.module for f in [*scan.analyzed, *scan.cleared]]
    graphs = {}
    files = {f.module: f for f in universe.files}
    results = []
    problems: list[ConfigProblem] = []
    restricted = {name for spec in settings.contracts for name in spec.restricted}
    imported = {record.imported for record in scan.imports}
    imported_dynamically = imported | {d.imported for d in dynamic_imports}
    for spec in settings.contracts:
        flag = spec.type_checking_imports
        if flag not in graphs:
            with timed("building the graph"):
                graphs[flag] = build_import_graph(
                    modules,
                    universe.namespace_packages,
                    scan.imports,
                    include_type_checking=flag,
                    only_imports_of=restricted,
                )
        graph = graphs[flag]
        file, section = settings.origins.get(spec.id, (None, None))
        unmatched = unmatched_modules(spec, graph)
        for key, name in unmatched:
            problems.append(
                ConfigProblem(
                    f"'{name}' matches no module under the roots "
                    f"({', '.join(r.name for r in settings.roots)}); check the name",
                    file=file,
                    section=section,
                    key=key if file else {"gateways": "--gateway", "systems": "--system"}[key],
                )
            )
        if unmatched:
            continue
        found = find_direct_violations(graph, spec)
        if spec.dynamic_imports:
            found += dynamic_violations(dynamic_imports, spec, root_names)
        violations = tuple(
            Violation(v.importer, v.imported, v.line, v.line_contents, files[v.importer].path)
            for v in found
        )
        seen = imported_dynamically if spec.dynamic_imports else imported
        warnings = contract_warnings(spec, modules, root_names, seen, DEFAULT_RESTRICTED)
        results.append(
            ContractResult(
                spec=spec,
                violations=tuple(sorted(violations, key=_by_place)),
                warnings=tuple(warnings),
            )
        )
    if problems:
        raise ConfigError(problems)
    outcome = CheckOutcome(
        root_dir=settings.root_dir,
        roots=tuple(r.name for r in settings.roots),
        coverage=coverage_of(universe, scan),
        contracts=tuple(results),
        files=files,
        other_contracts=tuple(settings.other_contracts),
    )
    return Analysed(outcome, scan, universe, dynamic_imports, broken_imports, ports)


def source_passes(
    settings: RunSettings,
    universe: Universe,
    scan: ScanResult,
    dynamic: bool,
    broken: bool,
    ports: Ports = DISK,
) -> tuple[list[DynamicImport], list[BrokenImport]]:
    """The analysed files' dynamic imports (with `dynamic`) and broken imports (with
    `broken`), each sorted; with a cache, a file whose content the last run saw is not
    parsed again (the source facts of `ports.stores`)."""
    repository = ports.repository
    facts = None
    if settings.cache_dir is not None and scan.generation is not None:
        facts = ports.stores.source_facts(
            settings.cache_dir, scan.generation, universe.other_modules
        )
    keys = scan.keys
    found_dynamic: list[DynamicImport] = []
    if dynamic:
        with timed("finding dynamic imports"):
            missing = []
            for source in scan.analyzed:
                key = keys.get(source.module)
                known = facts.dynamic(key, source.module) if facts and key else None
                if known is None and source.module in scan.no_dynamic:
                    known = []  # screened by the scan, which read it
                    if facts and key:
                        facts.put_dynamic(key, known)
                if known is None and source.module in scan.dynamic:
                    known = scan.dynamic[source.module]  # found by the scan's screen
                    if known is None:  # Python cannot parse it: said by the scan
                        continue
                    if facts and key:
                        facts.put_dynamic(key, known)
                if known is None:
                    missing.append(source)
                else:
                    found_dynamic += known
            found_in = repository.dynamic_imports(universe, missing, settings.jobs)
            for module, found in found_in.items():
                found_dynamic += found
                if facts and module in keys:
                    facts.put_dynamic(keys[module], found)
    found_broken: list[BrokenImport] = []
    if broken:
        with timed("finding broken imports"):
            suspects = suspect_lines(universe, scan.analyzed, scan.imports)
            unknown = {}
            for module, lines in suspects.items():
                key = keys.get(module)
                cached = facts.broken(key, module) if facts and key else None
                if cached is None:
                    unknown[module] = lines
                else:
                    found_broken += cached
            scanned = repository.broken_imports(universe, unknown, settings.jobs)
            for module, in_module in scanned.items():
                found_broken += in_module
                if facts and module in keys:
                    facts.put_broken(keys[module], in_module)
            found_broken = repository.with_reasons(universe, sorted(found_broken))
    if facts is not None:
        facts.save([kind for kind, wanted in (("dynamic", dynamic), ("broken", broken)) if wanted])
    return sorted(found_dynamic), found_broken


def _by_place(v: Violation) -> tuple:
    return (v.file, v.line, v.imported, v.importer)


def strictly(outcome: CheckOutcome) -> CheckOutcome:
    """The outcome under `--strict`: every warning breaks its contract, or the run."""
    return dataclasses.replace(
        outcome,
        strict=True,
        contracts=tuple(dataclasses.replace(r, strict=True) for r in outcome.contracts),
    )
