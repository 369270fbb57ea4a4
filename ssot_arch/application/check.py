"""`ssot-arch check`: build the graph over the whole universe and find direct violations."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import grimp

from ssot_arch.adapters.graph import build_import_graph
from ssot_arch.adapters.scanner import ScanResult, scan_universe
from ssot_arch.adapters.universe import collect_universe
from ssot_arch.analysis.direct import find_direct_violations, unmatched_modules
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import CheckOutcome, ContractResult, Coverage, FileKind, Violation
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

Progress = Callable[[int, int], None]


@contextmanager
def timed(phase: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    logger.info("%s: %.2f s", phase, time.perf_counter() - start)


def scan_repository(settings: RunSettings, progress: Progress | None = None):
    with timed("finding files"):
        universe = collect_universe(settings.root_dir, settings.roots, settings.skip_dirs)
    logger.info("universe: %d files under %d roots", len(universe.files), len(settings.roots))
    need_tc = any(not c.type_checking_imports for c in settings.contracts)
    with timed("scanning imports"):
        scan = scan_universe(
            universe, mark_type_checking=need_tc, progress=progress, cache_dir=settings.cache_dir
        )
    return universe, scan


def coverage_of(universe, scan: ScanResult) -> Coverage:
    return Coverage(
        files_total=len(universe.files),
        files_analyzed=len(scan.analyzed),
        unanalyzed=tuple(scan.unanalyzed),
        skipped_dirs=tuple(universe.skipped_dirs),
        unresolved_imports=tuple(scan.unresolved),
        not_importable=tuple(
            f
            for f in scan.analyzed
            if f.kind is not FileKind.MODULE and f.kind is not FileKind.PACKAGE
        ),
    )


@dataclass
class Analysed:
    """A checked repository, with the graphs the check ran on (one per TYPE_CHECKING choice)."""

    outcome: CheckOutcome
    graphs: dict[bool, grimp.ImportGraph]
    scan: ScanResult
    namespace_packages: set[str]


def run_check(settings: RunSettings, progress: Progress | None = None) -> CheckOutcome:
    return check_repository(settings, progress).outcome


def check_repository(settings: RunSettings, progress: Progress | None = None) -> Analysed:
    universe, scan = scan_repository(settings, progress)
    modules = [f.module for f in scan.analyzed]
    graphs = {}
    files = {f.module: f for f in universe.files}
    results = []
    problems: list[ConfigProblem] = []
    for spec in settings.contracts:
        flag = spec.type_checking_imports
        if flag not in graphs:
            with timed("building the graph"):
                graphs[flag] = build_import_graph(
                    modules, universe.namespace_packages, scan.imports, include_type_checking=flag
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
        violations = tuple(
            Violation(v.importer, v.imported, v.line, v.line_contents, files[v.importer].path)
            for v in find_direct_violations(graph, spec)
        )
        results.append(
            ContractResult(spec=spec, violations=tuple(sorted(violations, key=_by_place)))
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
    return Analysed(outcome, graphs, scan, universe.namespace_packages)


def _by_place(v: Violation) -> tuple:
    return (v.file, v.line, v.imported, v.importer)
