"""Which competing logging systems each package reaches, and how compliant each is.

* A *system* is a name and entry modules (a package entry covers its descendants).
  A module inside any system is a *member*: it is never a starting point, so the
  SSOT's own `import logging` does not make its package "reach stdlib".
* Package P *reaches* system S directly through modules that import an entry of S,
  and transitively through modules with a chain to an entry of S whose interior
  modules belong to no system. `transitive` counts every module that reaches S, the
  direct ones included; the example chain is a shortest one (first by name).
* *Compliance*: among a group's non-member modules that import any system directly
  (its *logging modules*), the share that import only SSOT systems.
* A package that reaches more than one system is *fragmented*. How much
  (`fragmentation`): the number of systems it reaches, and for each system the share of
  its logging modules that import it directly.

Reach and compliance read a `SystemIndex` of the graph and the contract's systems,
which the caller builds once with `index_systems`; fragmentation reads what they found.

A *group* is a `Group` (module prefixes, minus excluded ones), or just its prefixes
(as configured: `[ssot-arch] groups`, `--group`). `--group-depth N` makes groups that
partition the modules, each module in exactly one (`groups_by_depth`):

* N = 1: one group per root, named by it.
* N ≥ 2: one group per *package* at depth N, a name of N parts some module's name
  starts with (followed by a dot; namespace packages included), holding its own module
  and every module below it; and for each root, `ROOT (top level)` holding the rest of
  it (its `__init__`, its modules above depth N, its single-file modules at depth N),
  when it has any: the root minus its packages at depth N.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import networkx as nx

from ssot_arch.analysis.direct import is_within
from ssot_arch.analysis.leaks import (
    ImporterIndex,
    first_party_files,
    hops_along,
    nodes_within,
    shortest_paths_to,
)
from ssot_arch.domain.findings import (
    ComplianceRow,
    FragmentationRow,
    Group,
    GroupIndex,
    Hop,
    ReachCell,
)
from ssot_arch.domain.model import ContractSpec, System, Violation

Groups = Mapping[str, Group | Sequence[str]]  # group name -> its group, or its prefixes


def as_group(members: Group | Sequence[str]) -> Group:
    """`members` as a `Group`: a configured group's prefixes exclude nothing."""
    return members if isinstance(members, Group) else Group(tuple(members))


def top_level_group(root: str) -> str:
    """The name of the group of a root's modules in no package at the depth."""
    return f"{root} (top level)"


def default_systems(spec: ContractSpec) -> tuple[System, ...]:
    """The systems a contract's report analyses.

    Without configured systems: one per restricted module, and the gateways as the SSOT.
    With systems but no `ssot_systems`: each system that contains a gateway is an SSOT one.
    """
    if spec.systems:
        if any(s.ssot for s in spec.systems):
            named = "--ssot-system" if spec.id == "cli" else "ssot_systems"
            return tuple(replace(s, why=f"named by {named}") if s.ssot else s for s in spec.systems)
        found = []
        for system in spec.systems:
            held = [g for g in spec.gateways if is_within(g, system.entries)]
            why = f"holds the gateway{'s' if len(held) > 1 else ''} {', '.join(held)}"
            found.append(replace(system, ssot=True, why=why) if held else system)
        return tuple(found)
    systems = [System(name, (name,)) for name in spec.restricted]
    if spec.gateways:
        systems.insert(0, System("ssot", spec.gateways, ssot=True, why="the gateways"))
    return tuple(systems)


def groups_by_depth(modules: Iterable[str], depth: int) -> dict[str, Group]:
    """The groups of `--group-depth`, by name: a partition of `modules` (each in exactly
    one group; no group empty).

    `depth` 1: one group per root, named by it. `depth` d ≥ 2: one group per package at
    depth d (a name of d parts that some module's name starts with, followed by a dot),
    and per root with modules in none of them, `ROOT (top level)`: the root minus its
    packages at depth d.
    """
    if depth < 1:
        raise ValueError(f"a group depth is at least 1, not {depth}")
    names = set(modules)
    if depth == 1:
        return {root: Group((root,)) for root in sorted({m.split(".")[0] for m in names})}
    packages: dict[str, set[str]] = {}  # root -> its packages at `depth`
    for module in names:
        parts = module.split(".", depth)
        if len(parts) > depth:  # below a package at `depth`
            packages.setdefault(parts[0], set()).add(".".join(parts[:depth]))
    found = {p: Group((p,)) for inside in packages.values() for p in inside}
    for root in {m.split(".")[0] for m in names if m not in found and m.count(".") < depth}:
        found[top_level_group(root)] = Group((root,), tuple(sorted(packages.get(root, ()))))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class SystemIndex:
    """A contract's systems on one graph: what reach and compliance both need."""

    systems: tuple[System, ...]
    members: Mapping[str, frozenset[str]]  # system -> its modules
    every_member: frozenset[str]
    imports: Mapping[str, frozenset[str]]  # module -> the systems it imports directly


def index_systems(graph: nx.DiGraph[str], systems: Sequence[System]) -> SystemIndex:
    """The members of each of `systems` in `graph`, and the systems each module imports."""
    members = {s.name: frozenset(nodes_within(graph, s.entries)) for s in systems}
    system_of: dict[str, list[str]] = {}
    for name, nodes in members.items():
        for node in nodes:
            system_of.setdefault(node, []).append(name)
    # Only the members' importers import a system: their edges, not every module's.
    used: dict[str, set[str]] = {}
    for member, names in system_of.items():
        for importer in graph.predecessors(member):
            used.setdefault(importer, set()).update(names)
    imports = {node: frozenset(used[node]) for node in graph if node in used}
    return SystemIndex(tuple(systems), members, frozenset(system_of), imports)


def files_by_group(graph: nx.DiGraph[str], groups: Groups) -> dict[str, list[str]]:
    """Each group's analysed files, in name order, in one pass over the graph.

    (Selecting each group's modules from the whole graph costs groups × modules, and
    with `--group-depth` there may be nearly as many groups as modules.)
    """
    groups_of = GroupIndex({name: as_group(g) for name, g in groups.items()})
    found: dict[str, list[str]] = {group: [] for group in groups}
    for node in sorted(first_party_files(graph)):
        for group in groups_of(node):
            found[group].append(node)
    return found


def systems_reach(
    graph: nx.DiGraph[str],
    index: SystemIndex,
    groups: Groups,
    importers: ImporterIndex,
    violators: AbstractSet[str] = frozenset(),
) -> tuple[dict[str, dict[str, ReachCell]], tuple[str, ...], dict[str, dict[str, Hop]]]:
    """Per group and system: the modules importing it directly, those reaching it, and
    where a shortest example chain starts; the groups that reach more than one system;
    and per system the next hop of every module on those chains.

    A system's own modules are no starting points and no steps, unless they are among
    the contract's `violators`: a member that imports a restricted module itself is a
    violator like any other module, and what imports it reaches what it imports.

    `index` is `index_systems(graph, systems)`, `importers` is `index_importers(graph)`.
    """
    systems = index.systems
    members = index.members
    every_member = index.every_member - violators
    passable = set(graph) - every_member
    routes = {s.name: shortest_paths_to(importers, members[s.name], passable) for s in systems}
    reach: dict[str, dict[str, ReachCell]] = {}
    fragmented = []
    starts: dict[str, list[str]] = {s.name: [] for s in systems}
    files = files_by_group(graph, groups)
    importing: dict[str, set[str]] = {s.name: set() for s in systems}  # system -> importers
    for module, used in index.imports.items():
        for name in used:
            importing[name].add(module)
    for group in sorted(groups):
        modules = [m for m in files[group] if m not in every_member]  # in name order
        row = {}
        for system in systems:
            paths = routes[system.name]
            reaching = [m for m in modules if m in paths.following]  # members: targets
            # A violating member of the system is part of it, not one of its users.
            direct = len(importing[system.name].intersection(modules) - members[system.name])
            cell = ReachCell(direct, len(reaching))
            if reaching:
                # The first by name among the shortest.
                shortest = min(map(paths.length.__getitem__, reaching))
                start = next(m for m in reaching if paths.length[m] == shortest)
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
    """Per group: its files, those that import a system (and the contract's violators,
    members of a system included), the share of those that import only SSOT systems and
    violate nothing, and its direct violations.

    `index` is `index_systems(graph, systems)`.
    """
    ssot = {s.name for s in index.systems if s.ssot}
    violators = {v.importer for v in violations}
    files_of = files_by_group(graph, groups)
    groups_of = GroupIndex({name: as_group(g) for name, g in groups.items()})
    violations_of: dict[str, list[Violation]] = {group: [] for group in groups}
    for violation in violations:
        for group in groups_of(violation.importer):
            violations_of[group].append(violation)
    rows = []
    for group in sorted(groups):
        files = files_of[group]
        logging_files = compliant = 0
        for module in files:
            violating = module in violators
            if module in index.every_member and not violating:
                continue  # a system's own modules are no starting points
            used = index.imports.get(module)
            if used or violating:  # a violator is one, in a system or not
                logging_files += 1
                compliant += bool(used is not None and used <= ssot and not violating)
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


def fragmentation(
    reach: Mapping[str, Mapping[str, ReachCell]], rows: Iterable[ComplianceRow]
) -> dict[str, FragmentationRow]:
    """Per group, by name: how fragmented it is, from what `systems_reach` (`reach`)
    and `compliance` (`rows`) found for the same groups, without another pass.

    A reach cell's `direct` already counts the group's logging modules that import its
    system, and a compliance row's `logging_files` the group's logging modules.
    """
    logging_modules = {row.group: row.logging_files for row in rows}
    return {
        group: FragmentationRow(
            systems_reached=sum(1 for cell in cells.values() if cell.transitive),
            logging_modules=logging_modules[group],
            by_system={system: cell.direct for system, cell in cells.items()},
        )
        for group, cells in sorted(reach.items())
    }
