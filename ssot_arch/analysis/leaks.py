"""Transitive leaks, their causes, and which direct violators to fix first.

All functions take the import graph as a `networkx.DiGraph` (see
`adapters/scanning/nx_graph.py`) and return plain values; the backward searches also take an
`ImporterIndex` of that graph, which the caller builds once with `index_importers`.

Method
------
* A module *leaks* when it reaches a restricted module through a chain of modules
  none of which is a gateway, without importing a restricted module itself. Its
  evidence is a shortest chain, found by one breadth-first search backwards from
  the restricted modules (so every module gets its shortest chain at once). The
  chains share their tails: the analysis keeps each module's next hop once, and a
  leak its chain's length and cause, so that its size grows with the graph's, not
  with the sum of the chains' lengths.
* Every module that imports a restricted module directly and is no gateway is a
  *cause*. A leak's causes are all the causes it reaches (through non-gateway
  modules); they are computed for every module at once over the graph's
  condensation (strongly connected components, then one pass in reverse
  topological order, cause sets as bit sets).
* Fixing a violator removes its direct imports. A leak stops exactly when every
  cause it reaches is fixed, so the *fix impact* of a violator is the number of
  leaks whose only cause it is.
* Choosing the fewest violators that remove the most leaks is NP-hard in general
  (a leak needs all of its causes fixed), so the *fix-first* list is greedy: each
  step takes the violator that completes the most leaks; when no single violator
  completes any, the one that appears in the most remaining leaks' cause sets.
  Each step's count is exact for the set chosen so far. Leaks with more than 64
  causes are left out of this search (no list of 50 fixes could complete them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import networkx as nx

from ssot_arch.analysis.direct import is_excluded
from ssot_arch.domain.findings import FixStep, Hop, Leak, LeakAnalysis, LeakCause
from ssot_arch.domain.model import ContractSpec

MAX_FIX_STEPS = 50
# A leak that needs more fixes than this cannot be completed by the fix-first list; its
# (large) cause set is left out of the greedy search, which then stays linear.
MAX_CAUSES_PER_STEP_SEARCH = 64


def first_line(graph: nx.DiGraph[str], importer: str, imported: str) -> int:
    """The line of `importer`'s first import of `imported`."""
    line: int = graph.edges[importer, imported]["imports"][0][0]
    return line


@dataclass(frozen=True)
class ImporterIndex:
    """Each module's importers, in name order: what the backward searches walk."""

    importers: Mapping[str, Sequence[str]]


def index_importers(graph: nx.DiGraph[str]) -> ImporterIndex:
    """The importers of every node of `graph`, in name order."""
    return ImporterIndex({n: sorted(graph.predecessors(n)) for n in graph})


@dataclass(frozen=True)
class ShortestPaths:
    """What one backward search found for every node that reaches its targets."""

    following: Mapping[str, str]  # the next node on a shortest path
    length: Mapping[str, int]  # that path's hops
    last: Mapping[str, str]  # that path's last node before a target


def shortest_paths_to(
    index: ImporterIndex, targets: AbstractSet[str], passable: AbstractSet[str]
) -> ShortestPaths:
    """For every node of `passable` that reaches `targets`: its next node on a shortest
    path, the path's length and its last node before the targets.

    The search goes backwards from the targets, layer by layer in name order, so the
    path chosen among equally short ones is the same on every run. A node's length and
    last node are its next node's, one hop longer: they come in the same pass, without
    walking any path.
    """
    importers_of = index.importers
    following: dict[str, str] = {}
    length: dict[str, int] = {}
    last: dict[str, str] = {}
    layer = sorted(targets)
    unseen = set(passable)  # what the search may still reach
    unseen.difference_update(targets)
    depth = 0
    while layer:
        depth += 1
        next_layer: list[str] = []
        for node in layer:
            # Its importers not reached yet, found by one set operation (in C): most
            # importers were reached before, and only the new ones cost Python's time.
            found = unseen.intersection(importers_of[node])
            if not found:
                continue
            unseen.difference_update(found)
            end = last.get(node)  # a target has none: its importers are the last nodes
            for importer in found:
                following[importer] = node
                length[importer] = depth
                last[importer] = importer if end is None else end
            next_layer += found
        layer = sorted(next_layer)
    return ShortestPaths(following, length, last)


def hops_along(
    graph: nx.DiGraph[str], starts: Iterable[str], following: Mapping[str, str]
) -> dict[str, Hop]:
    """The next hop of every node on the paths from `starts` along `following`, by node.

    Paths to the same targets share their tails: each walk stops where it joins a path
    walked before, so this costs one step per node, not one per node and start.
    """
    hops: dict[str, Hop] = {}
    for start in starts:
        node = start
        while node in following and node not in hops:
            nxt = following[node]
            hops[node] = Hop(node, nxt, first_line(graph, node, nxt))
            node = nxt
    return dict(sorted(hops.items()))


def is_first_party_file(graph: nx.DiGraph[str], node: str) -> bool:
    """Whether `node` is an analysed file of the repository (not a namespace or external)."""
    return "file" in graph.nodes[node]


def first_party_files(graph: nx.DiGraph[str]) -> set[str]:
    """The nodes of `graph` that are analysed files (`is_first_party_file`), at once."""
    return {node for node, data in graph.nodes(data=True) if "file" in data}


def nodes_within(nodes: Iterable[str], names: Iterable[str]) -> set[str]:
    """`direct.modules_within`: the `nodes` that are one of `names` or a descendant of
    one, by prefix (one test per node, in C), not by each node's lineage."""
    wanted = frozenset(names)
    if not wanted:
        return set()
    below = tuple(name + "." for name in wanted)
    return {node for node in nodes if node in wanted or node.startswith(below)}


SATURATED = -1  # "more causes than anyone will fix one by one": all bits set


def cause_sets(
    graph: nx.DiGraph[str],
    passable: AbstractSet[str],
    causes: Sequence[str],
    tainting: Collection[str] = frozenset(),
    cap: int = MAX_CAUSES_PER_STEP_SEARCH,
) -> tuple[dict[str, int], set[str]]:
    """For every passable node, the causes it reaches (itself included), as a bit set;
    and the nodes that reach one of `tainting`.

    A set of more than `cap` causes is kept as SATURATED: fix impact needs only the
    single-cause sets and the fix-first search only small ones, and on a large
    repository most modules reach thousands of causes, whose bit sets would cost
    gigabytes.

    Tarjan's algorithm over the passable part of the graph, iteratively: it completes
    each strongly connected component only after every component reachable from it,
    so a component's causes are its members' own plus its successors', in one pass.
    (networkx's condensation does the same, but building the subgraph and the
    condensed graph costs five times as much on a large repository.)
    """
    index = {cause: i for i, cause in enumerate(causes)}
    tainted: set[str] = set()
    bits: dict[str, int] = {}  # a node's final set, once its component is complete
    # A node's order of discovery, until its component is complete: then `done`, which
    # no lowest reachable order ever is (so no separate "on the stack" set is needed).
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    done = len(passable)
    # Per node on the stack: its own cause bit and the sets of the complete components
    # it leads to (each edge is looked at once), and whether one of those is tainted.
    gathered: dict[str, int] = {}
    tainting_reached: dict[str, bool] = {}
    stack: list[str] = []
    successors = graph.successors

    def discover(node: str) -> None:
        order[node] = low[node] = len(order)
        gathered[node] = 1 << index[node] if node in index else 0
        tainting_reached[node] = node in tainting
        stack.append(node)

    for root in sorted(passable):
        if root in order:
            continue
        discover(root)
        work = [(root, successors(root))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in passable:
                    continue
                seen = order.get(child)
                if seen is None:
                    discover(child)
                    work.append((child, successors(child)))
                    break
                if seen == done:  # another component, complete
                    gathered[node] |= bits[child]
                    if child in tainted:
                        tainting_reached[node] = True
                elif seen < low[node]:  # on the stack: `node`'s own component
                    low[node] = seen
            else:
                work.pop()
                if low[node] == order[node]:  # `node` roots a component: pop it
                    members = []
                    value = 0
                    reaches_tainting = False
                    while True:
                        member = stack.pop()
                        members.append(member)
                        order[member] = done
                        value |= gathered.pop(member)
                        reaches_tainting = tainting_reached.pop(member) or reaches_tainting
                        if member == node:
                            break
                    if value != SATURATED and value.bit_count() > cap:
                        value = SATURATED
                    for member in members:
                        bits[member] = value
                    if reaches_tainting:
                        tainted.update(members)
                if work:
                    parent = work[-1][0]
                    if order[node] == done:
                        gathered[parent] |= bits[node]
                        if node in tainted:
                            tainting_reached[parent] = True
                    elif low[node] < low[parent]:
                        low[parent] = low[node]
    return bits, tainted


def find_transitive_leaks(
    graph: nx.DiGraph[str], spec: ContractSpec, importers: ImporterIndex
) -> LeakAnalysis:
    """The contract's transitive leaks with the next hops of their chains, their causes
    with the fix impact of each, and the fix-first list (see the module docstring).

    `importers` is `index_importers(graph)`.
    """
    restricted = nodes_within(graph, spec.restricted)
    gateways = nodes_within(graph, spec.gateways)
    passable = set(graph) - restricted - gateways
    # The importers of restricted modules, not each module's imports: far fewer edges.
    cause_set = {p for r in restricted for p in graph.predecessors(r)} & passable
    causes = sorted(cause_set)
    paths = shortest_paths_to(importers, restricted, passable)
    files = first_party_files(graph)
    leakers = sorted(
        n
        for n in paths.following
        if n not in cause_set and n in files and not is_excluded(n, spec.exclude)
    )
    leaks = tuple(Leak(n, paths.last[n], paths.length[n]) for n in leakers)

    violators = {c for c in causes if not is_excluded(c, spec.exclude)}
    # A leak that reaches an excluded module importing a restricted one cannot be
    # removed by fixing violators.
    bits, tainted = cause_sets(
        graph, passable, causes, cause_set - violators, cap=MAX_CAUSES_PER_STEP_SEARCH
    )
    leak_bits = Counter(bits[n] for n in leakers if n not in tainted)
    only_cause: Counter[str] = Counter()
    for value in leak_bits:
        if value != SATURATED and value & (value - 1) == 0:  # exactly one cause
            only_cause[causes[value.bit_length() - 1]] += leak_bits[value]
    chain_ends = Counter(leak.cause for leak in leaks)
    cause_rows = tuple(
        sorted(
            (
                LeakCause(c, chain_ends[c], only_cause[c], c in violators)
                for c in causes
                if chain_ends[c] or only_cause[c]
            ),
            key=lambda row: (-row.leaks, -row.fix_impact, row.module),
        )
    )
    small = {v: n for v, n in leak_bits.items() if v != SATURATED}
    return LeakAnalysis(
        leaks=leaks,
        causes=cause_rows,
        fix_first=tuple(greedy_fix_order(small, causes)),
        removable=sum(leak_bits.values()),
        hops=hops_along(graph, leakers, paths.following),
    )


def _bits_of(value: int) -> Iterable[int]:
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def greedy_fix_order(
    removable: Mapping[int, int], causes: Sequence[str], max_steps: int = MAX_FIX_STEPS
) -> list[FixStep]:
    """Violators in the order the greedy method fixes them (see the module docstring).

    `removable` maps each set of causes (a bit set) to the number of leaks that have
    exactly those causes. What each single fix would complete is kept up to date as
    groups lose causes, so a step costs only the groups its fixes touch.
    """
    remaining = dict(removable)
    unfixed = {value: value for value in remaining}
    groups_with: dict[int, list[int]] = {}
    completes: Counter[int] = Counter()  # cause bit -> leaks that fixing it alone completes
    for value, count in remaining.items():
        for bit in _bits_of(value):
            groups_with.setdefault(bit, []).append(value)
        if value & (value - 1) == 0:
            completes[value.bit_length() - 1] += count
    steps: list[FixStep] = []
    cumulative = 0
    while remaining and len(steps) < max_steps:
        best = max(((gain, -bit) for bit, gain in completes.items() if gain > 0), default=None)
        if best is not None:
            chosen = 1 << -best[1]
        else:
            # No single fix completes a leak: fix together the causes of the leaks that
            # need the fewest more fixes (most leaks first, then by name).
            chosen = unfixed[
                min(
                    remaining,
                    key=lambda v: (
                        bin(unfixed[v]).count("1"),
                        -remaining[v],
                        [causes[b] for b in _bits_of(unfixed[v])],
                    ),
                )
            ]
        removed = 0
        for bit in _bits_of(chosen):
            for value in groups_with[bit]:
                if value not in remaining:
                    continue
                old = unfixed[value]
                new = old & ~chosen
                if new == old:
                    continue
                count = remaining[value]
                if old & (old - 1) == 0:
                    completes[old.bit_length() - 1] -= count
                unfixed[value] = new
                if new == 0:
                    removed += count
                    del remaining[value]
                elif new & (new - 1) == 0:
                    completes[new.bit_length() - 1] += count
        cumulative += removed
        names = tuple(sorted(causes[b] for b in _bits_of(chosen)))
        steps.append(FixStep(names, removed, cumulative))
    return steps
