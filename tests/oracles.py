"""Brute-force oracles for the graph analyses, written independently of ssot_arch.

Each search starts from one module and walks forward, so none of them shares the
backward-search, condensation or bit-set machinery they check.
"""

from __future__ import annotations

from collections import deque

import networkx as nx


def within(name: str, names) -> bool:
    return any(name == n or name.startswith(n + ".") for n in names)


def forward_distance(graph: nx.DiGraph, start: str, targets: set[str], passable) -> int | None:
    """Length of the shortest path start -> target whose nodes before the target pass."""
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        node, dist = queue.popleft()
        for nxt in graph.successors(node):
            if nxt in targets:
                return dist + 1
            if nxt not in seen and passable(nxt):
                seen.add(nxt)
                queue.append((nxt, dist + 1))
    return None


def leakers(graph, restricted, gateways, excluded=()) -> dict[str, int]:
    """module -> shortest chain length, for every leaking module."""
    targets = {n for n in graph if within(n, restricted)}

    def passable(node):
        return node not in targets and not within(node, gateways)

    found = {}
    for node in graph:
        if "file" not in graph.nodes[node] or not passable(node):
            continue
        if any(s in targets for s in graph.successors(node)):
            continue  # a direct importer
        if any(node == p or node.startswith(p.rstrip("*")) for p in excluded):
            continue
        dist = forward_distance(graph, node, targets, passable)
        if dist is not None:
            found[node] = dist
    return found


def without_direct_imports(graph, fixed, restricted) -> nx.DiGraph:
    copy = graph.copy()
    copy.remove_edges_from([(u, v) for u, v in graph.edges if u in fixed and within(v, restricted)])
    return copy


def reach(graph, systems, prefixes, violators=frozenset()):
    """system -> (direct, transitive, shortest length) for the modules under `prefixes`."""
    files = [n for n in graph if within(n, prefixes) and "file" in graph.nodes[n]]
    return reach_from(graph, systems, files, violators)


def reach_from(graph, systems, modules, violators=frozenset()):
    """system -> (direct, transitive, shortest length) for the group of `modules`. A
    system's members are no starts and no steps, unless they are `violators`; a
    violating member is still no user of its own system."""
    members = {s.name: {n for n in graph if within(n, s.entries)} for s in systems}
    every = set().union(*members.values()) - set(violators)
    result = {}
    for system in systems:
        targets = members[system.name]
        starts = [n for n in modules if n not in every and n not in targets]
        direct = sum(1 for n in starts if any(s in targets for s in graph.successors(n)))
        lengths = [
            d
            for n in starts
            if (d := forward_distance(graph, n, targets, lambda x: x not in every)) is not None
        ]
        result[system.name] = (direct, len(lengths), min(lengths) if lengths else 0)
    return result


def shortest_chain(graph, start: str, restricted, gateways) -> list[tuple[str, str, int]]:
    """The shortest chain `start` -> restricted module the report shows, hop by hop as
    (importer, imported, first line): at each step the first successor by name that
    is one import closer, through no gateway. (The report's search goes backwards
    layer by layer in name order, which picks exactly that successor.)"""
    targets = {n for n in graph if within(n, restricted)}

    def passable(node):
        return node not in targets and not within(node, gateways)

    def distance(node):
        if node in targets:
            return 0
        return forward_distance(graph, node, targets, passable) if passable(node) else None

    chain = []
    node, left = start, distance(start)
    while node not in targets:
        nxt = min(s for s in graph.successors(node) if distance(s) == left - 1)
        chain.append((node, nxt, graph.edges[node, nxt]["imports"][0][0]))
        node, left = nxt, left - 1
    return chain
