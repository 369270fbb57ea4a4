"""`ssot-arch report`: the check, plus the networkx analyses for each contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ssot_arch.adapters.scanning.sources import RepositorySources
from ssot_arch.analysis.direct import is_within, restricted_dynamic_imports
from ssot_arch.analysis.entries import entry_reports, missing_entries
from ssot_arch.analysis.laundering import find_laundering
from ssot_arch.analysis.leaks import find_transitive_leaks
from ssot_arch.analysis.systems import (
    SystemIndex,
    compliance,
    default_systems,
    fragmentation,
    groups_by_depth,
    index_systems,
    systems_reach,
)
from ssot_arch.application.check import Analysed, Progress, check_repository, timed
from ssot_arch.application.ports import Ports
from ssot_arch.application.settings import RunSettings
from ssot_arch.application.wiring import DISK
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.findings import (
    ComplianceRow,
    ContractReport,
    Group,
    Hop,
    LeakAnalysis,
    ReachCell,
    ReportOutcome,
)
from ssot_arch.domain.model import ContractResult, System

if TYPE_CHECKING:
    import networkx as nx


def resolve_groups(
    settings: RunSettings, modules: Sequence[str], depth: int | None
) -> dict[str, Group]:
    """The groups the report counts by: the packages at `depth`, else the configured
    groups (each prefix must match an analysed module), else one per root."""
    if depth is not None:
        return groups_by_depth(modules, depth)
    if settings.groups:
        problems = [
            ConfigProblem(
                f"group '{name}': '{prefix}' matches no analysed module",
                file=settings.groups_origin[0],
                section=settings.groups_origin[1],
                key=settings.groups_origin[2],
            )
            for name, prefixes in sorted(settings.groups.items())
            for prefix in prefixes
            if not any(is_within(m, [prefix]) for m in modules)
        ]
        if problems:
            raise ConfigError(problems)
        return {name: Group(tuple(prefixes)) for name, prefixes in settings.groups.items()}
    return {root.name: Group((root.name,)) for root in settings.roots}


def _check_entries(settings: RunSettings, graph: nx.DiGraph[str]) -> None:
    """A ConfigError for each entry point that names no analysed module."""
    file, section, key = settings.entries_origin
    problems = [
        ConfigProblem(
            f"entry '{name}' matches no analysed module; give a module's full dotted name "
            "(such as 'service.main')",
            file=file,
            section=section,
            key=key,
        )
        for name in missing_entries(graph, settings.entries)
    ]
    if problems:
        raise ConfigError(problems)


@dataclass(frozen=True)
class Headline:
    """One contract's leaks, systems reach and compliance, per group: what the report
    and `trend` both show, computed in one place."""

    graph: nx.DiGraph[str]
    systems: tuple[System, ...]
    index: SystemIndex
    leaks: LeakAnalysis
    reach: dict[str, dict[str, ReachCell]]
    fragmented: tuple[str, ...]
    reach_hops: Mapping[str, Mapping[str, Hop]]
    compliance: tuple[ComplianceRow, ...]


def headline(analysed: Analysed, result: ContractResult, groups: Mapping[str, Group]) -> Headline:
    """The analyses of `result`'s contract over the checked repository's graph."""
    spec = result.spec
    graph, importers = analysed.import_graph(spec.type_checking_imports)
    systems = default_systems(spec)
    with timed(f"[{spec.id}] leaks and fix impact"):
        leaks = find_transitive_leaks(graph, spec, importers)
    with timed(f"[{spec.id}] systems reach and compliance"):
        index = index_systems(graph, systems)
        violators = frozenset(v.importer for v in result.violations)
        reach, fragmented, reach_hops = systems_reach(graph, index, groups, importers, violators)
        rows = compliance(graph, index, groups, result.violations)
    return Headline(graph, systems, index, leaks, reach, fragmented, reach_hops, rows)


def run_report(
    settings: RunSettings,
    group_depth: int | None = None,
    progress: Progress | None = None,
    ports: Ports = DISK,
) -> ReportOutcome:
    """Check the repository, then find each contract's leaks, systems reach, compliance
    and laundering, per group (`group_depth`, else the configured groups, else roots).
    The sources are read through `ports`, as the check read them."""
    analysed = check_repository(settings, progress, audit=True, ports=ports)
    outcome = analysed.outcome
    modules = sorted(outcome.files)
    groups = resolve_groups(settings, modules, group_depth)
    sources = RepositorySources(analysed.read, outcome.files)
    reports: dict[str, ContractReport] = {}
    systems: dict[str, tuple[System, ...]] = {}
    for result in outcome.contracts:
        spec = result.spec
        found = headline(analysed, result, groups)
        systems[spec.id] = found.systems
        with timed(f"[{spec.id}] laundering"):
            laundering = find_laundering(found.graph, spec, sources)
        _check_entries(settings, found.graph)
        with timed(f"[{spec.id}] entry closures"):
            entries = entry_reports(found.graph, found.index, settings.entries)
        reports[spec.id] = ContractReport(
            found.leaks,
            found.reach,
            found.fragmented,
            found.compliance,
            laundering,
            found.reach_hops,
            entries,
            fragmentation(found.reach, found.compliance),
            tuple(restricted_dynamic_imports(analysed.dynamic_imports, spec)),
        )
    return ReportOutcome(outcome, groups, systems, reports, tuple(analysed.broken_imports))
