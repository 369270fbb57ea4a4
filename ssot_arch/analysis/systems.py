"""Which competing logging systems each package reaches, and how compliant each is.

* A *system* is a name and entry modules (a package entry covers its descendants).
  A module inside any system is a *member*: it is never a starting point, so the
  SSOT's own `import logging` does not make its package "reach stdlib".
* Package P *reaches* system S directly through modules that import an entry of S,
  and transitively through modules with a chain to an entry of S whose interior
  modules belong to no system. `transitive` counts every module that reaches S, the
  direct ones included; the example chain is a shortest one (first by name).
* A package that reaches more than one system is *fragmented*.
* *Compliance*: among a group's non-member modules that import any system directly,
  the share that import only SSOT systems.

Both analyses read a `SystemIndex` of the graph and the contract's systems, which the
caller builds once with `index_systems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from ssot_arch.analysis.direct import is_within, lineage, modules_within
from ssot_arch.analysis.leaks import (
    ImporterIndex,
    hops_along,
    is_first_party_file,
    shortest_paths_to,
)
from ssot_arch.domain.findings import ComplianceRow, Hop, ReachCell
from ssot_arch.domain.model import ContractSpec, System, Violation

Groups = Mapping[str, Sequence[str]]  # group name -> module prefixes


def default_systems(spec: ContractSpec) -> tuple[System, ...]:
    """The systems a contract's report analyses.

    Without configured systems: one per restricted module, and the gateways as the SSOT.
    With systems but no `ssot_systems`: each system that contains a gateway is an SSOT one.
    """
    if spec.systems:
        if any(s.ssot for s in spec.systems):
            return spec.systems
        return tuple(
            replace(s, ssot=any(is_within(g, s.entries) for g in spec.gateways))
            for s in spec.systems
        )
    systems = [System(name, (name,)) for name in spec.restricted]
    if spec.gateways:
        systems.insert(0, System("ssot", spec.gateways, ssot=True))
    return tuple(systems)


def groups_by_depth(modules: Iterable[str], depth: int) -> dict[str, list[str]]:
    """Every package at `depth` (1: the roots) as a group of its own."""
    return {
        prefix: [prefix] for prefix in sorted({".".join(m.split(".")[:depth]) for m in modules})
    }


@dataclass(frozen=True)
class SystemIndex:
    """A contract's systems on one graph: what reach and compliance both need."""

    systems: tuple[System, ...]
    members: Mapping[str, frozenset[str]]  # system -> its modules
    every_member: frozenset[str]
    imports: Mapping[str, frozenset[str]]  # module -> the systems it imports directly


def index_systems(graph: nx.DiGraph[str], systems: Sequence[System]) -> SystemIndex:
    """The members of each of `systems` in `graph`, and the systems each module imports."""
    members = {s.name: frozenset(modules_within(graph, s.entries)) for s in systems}
    system_of: dict[str, list[str]] = {}
    for name, nodes in members.items():
        for node in nodes:
            system_of.setdefault(node, []).append(name)
    imports = {}
    for node in graph:
        used = {name for s in graph.successors(node) for name in system_of.get(s, ())}
        if used:
            imports[node] = frozenset(used)
    return SystemIndex(tuple(systems), members, frozenset(system_of), imports)


def _groups_by_prefix(groups: Groups) -> dict[str, list[str]]:
    """Each prefix, and the groups that name it."""
    found: dict[str, list[str]] = {}
    for group in sorted(groups):
        for prefix in groups[group]:
            found.setdefault(prefix, []).append(group)
    return found


def _groups_of(module: str, by_prefix: Mapping[str, Sequence[str]]) -> set[str]:
    """The groups `module` belongs to: those naming it or a package above it."""
    return {group for name in lineage(module) for group in by_prefix.get(name, ())}


def files_by_group(graph: nx.DiGraph[str], groups: Groups) -> dict[str, list[str]]:
    """Each group's analysed files, in name order, in one pass over the graph.

    (Selecting each group's modules from the whole graph costs groups × modules, and
    with `--group-depth` there may be nearly as many groups as modules.)
    """
    by_prefix = _groups_by_prefix(groups)
    found: dict[str, list[str]] = {group: [] for group in groups}
    for node in sorted(graph):
        if is_first_party_file(graph, node):
            for group in _groups_of(node, by_prefix):
                found[group].append(node)
    return found


def systems_reach(
    graph: nx.DiGraph[str], index: SystemIndex, groups: Groups, importers: ImporterIndex
) -> tuple[dict[str, dict[str, ReachCell]], tuple[str, ...], dict[str, dict[str, Hop]]]:
    """Per group and system: the modules importing it directly, those reaching it, and
    where a shortest example chain starts; the groups that reach more than one system;
    and per system the next hop of every module on those chains.

    `index` is `index_systems(graph, systems)`, `importers` is `index_importers(graph)`.
    """
    systems = index.systems
    members, every_member = index.members, index.every_member
    passable = set(graph) - every_member
    routes = {s.name: shortest_paths_to(importers, members[s.name], passable) for s in systems}
    reach: dict[str, dict[str, ReachCell]] = {}
    fragmented = []
    starts: dict[str, list[str]] = {s.name: [] for s in systems}
    files = files_by_group(graph, groups)
    for group in sorted(groups):
        modules = [m for m in files[group] if m not in every_member]
        row = {}
        for system in systems:
            paths = routes[system.name]
            reaching = [m for m in modules if m in paths.following]
            direct = sum(1 for m in modules if system.name in index.imports.get(m, ()))
            cell = ReachCell(direct, len(reaching))
            if reaching:
                start = min(reaching, key=lambda m: (paths.length[m], m))
                cell = ReachCell(direct, len(reaching), start, paths.length[start])
                starts[system.name].append(start)
            row[system.name] = cell
        reach[group] = row
        if sum(1 for cell in row.values() if cell.transitive) > 1:
            fragmented.append(group)
    hops = {
        name: hops_along(graph, starts[name], routes[name].following)
        for name in sorted(starts)
        if starts[name]
    }
    return reach, tuple(fragmented), hops


def compliance(
    graph: nx.DiGraph[str],
    index: SystemIndex,
    groups: Groups,
    violations: Sequence[Violation],
) -> tuple[ComplianceRow, ...]:
    """Per group: its files, those that import a system, the share of those that import
    only SSOT systems, and its direct violations.

    `index` is `index_systems(graph, systems)`.
    """
    ssot = {s.name for s in index.systems if s.ssot}
    files_of = files_by_group(graph, groups)
    by_prefix = _groups_by_prefix(groups)
    violations_of: dict[str, list[Violation]] = {group: [] for group in groups}
    for violation in violations:
        for group in _groups_of(violation.importer, by_prefix):
            violations_of[group].append(violation)
    rows = []
    for group in sorted(groups):
        files = files_of[group]
        logging_files = compliant = 0
        for module in files:
            if module in index.every_member:
                continue  # a system's own modules are no starting points
            used = index.imports.get(module)
            if used:
                logging_files += 1
                compliant += used <= ssot
        in_group = violations_of[group]
        rows.append(
            ComplianceRow(
                group=group,
                files=len(files),
                logging_files=logging_files,
                compliant_files=compliant,
                violations=len(in_group),
                violating_files=len({v.importer for v in in_group}),
            )
        )
    return tuple(rows)
