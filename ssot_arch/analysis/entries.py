"""Entry points: which logging systems run together in one process.

Per-package reach says what each package *could* pull in; an entry point says what one
process does. A module's *entry closure* is every module that importing it loads:
its imports, their imports, and so on, through any module (gateways and the systems'
own modules included), and the package of each loaded module, which Python runs
before the module itself (`import a.b.c` runs `a/__init__.py` and `a/b/__init__.py`
first). An entry *loads* a system when its closure holds one of the system's modules.

For each system an entry loads, the report gives one shortest chain from the entry to
the system (first by name among the shortest) and how many modules of the closure
import the system directly (the system's own modules not counted): the places to
change for the process to stop loading it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

import networkx as nx

from ssot_arch.analysis.systems import SystemIndex
from ssot_arch.domain.findings import PACKAGE_FIRST, EntryReport, EntrySystem, Hop


def in_graph(graph: nx.DiGraph[str], module: str) -> bool:
    """Whether `module` is one of the first-party modules of `graph`."""
    return module in graph and not graph.nodes[module].get("external")


def missing_entries(graph: nx.DiGraph[str], entries: Sequence[str]) -> list[str]:
    """The entries that name no first-party module of `graph`."""
    return [e for e in entries if not in_graph(graph, e)]


def _loads(graph: nx.DiGraph[str], module: str) -> Iterator[tuple[str, int]]:
    """What loading `module` loads next, with the line of the import (PACKAGE_FIRST for
    its package, which is not imported by a line but run first), in name order. A
    package the module also imports by a line is reached by that line."""
    nexts = {imported: data["imports"][0][0] for imported, data in graph.succ[module].items()}
    package = module.rpartition(".")[0]
    while package and package not in graph:  # (the graph has every package: be sure)
        package = package.rpartition(".")[0]
    if package and package not in nexts:
        nexts[package] = PACKAGE_FIRST
    for name in sorted(nexts):
        yield name, nexts[name]


def entry_closure(
    graph: nx.DiGraph[str], entry: str | Sequence[str]
) -> tuple[dict[str, Hop], dict[str, int]]:
    """Breadth-first from `entry` (or from several entries at once): each loaded
    module's hop from the module that loads it first (entries excluded) and its
    distance in hops from the nearest entry (an entry: 0)."""
    frontier = sorted({entry} if isinstance(entry, str) else set(entry))
    came_from: dict[str, Hop] = {}
    distance = dict.fromkeys(frontier, 0)
    while frontier:
        following = []
        for module in frontier:
            for loaded, line in _loads(graph, module):
                if loaded not in distance:
                    distance[loaded] = distance[module] + 1
                    came_from[loaded] = Hop(module, loaded, line)
                    following.append(loaded)
        frontier = following
    return came_from, distance


def closure_size(graph: nx.DiGraph[str], distance: Mapping[str, int]) -> int:
    """The first-party modules (files) of an `entry_closure`."""
    return sum(1 for m in distance if "file" in graph.nodes[m])


def nearest_chain(
    came_from: Mapping[str, Hop], distance: Mapping[str, int], members: Collection[str]
) -> tuple[Hop, ...] | None:
    """A shortest chain of an `entry_closure` to one of `members` (first by name among
    the nearest); None when the closure holds none."""
    loaded = [m for m in distance if m in members]
    if not loaded:
        return None
    return chain_to(came_from, min(loaded, key=lambda m: (distance[m], m)))


def chain_to(came_from: Mapping[str, Hop], target: str) -> tuple[Hop, ...]:
    """The hops from an entry of `entry_closure` to `target`."""
    chain = []
    while target in came_from:
        hop = came_from[target]
        chain.append(hop)
        target = hop.importer
    return tuple(reversed(chain))


def entry_reports(
    graph: nx.DiGraph[str], index: SystemIndex, entries: Sequence[str]
) -> dict[str, EntryReport]:
    """Per entry: the first-party modules of its closure and, per system it loads, the
    closure's modules importing that system directly and one shortest chain to it.

    `index` is `index_systems(graph, systems)`; every entry must be in `graph`
    (see `missing_entries`).
    """
    reports = {}
    for entry in sorted(set(entries)):
        came_from, distance = entry_closure(graph, entry)
        systems = {}
        for system in index.systems:
            members = index.members[system.name]
            chain = nearest_chain(came_from, distance, members)
            if chain is None:
                continue
            direct = sum(
                1 for m in distance if m not in members and system.name in index.imports.get(m, ())
            )
            systems[system.name] = EntrySystem(direct, chain)
        reports[entry] = EntryReport(closure_size(graph, distance), systems)
    return reports
