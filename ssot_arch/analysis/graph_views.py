"""The views `ssot-arch graph` draws of the import graph: the whole graph, the modules
around one module or system, the chains of one violator, each collapsed to a package
depth if asked.

All functions take the import graph as a `networkx.DiGraph` (see
`adapters/scanning/nx_graph.py`) and return a `GraphView` (domain/graph_view.py): plain values,
sorted, the same on every run.

Method
------
* Every node is marked on the whole graph, whatever the view shows: *restricted*
  (within a restricted module), *gateway* (within a gateway), *violator* (imports a
  restricted module directly and is neither within a gateway nor a restricted module,
  nor excluded: the importer of a direct violation), and its *system* (the first of
  the given systems whose entries cover it). An edge is a *violation* when a violator
  imports a restricted module through it; its weight is the number of import
  statements behind it, its line the first one's.
* `focus` on a system: its members and every module with a path to one of them (one
  backward search from all the members at once). On a module: it, everything that
  reaches it and everything it reaches. The edges shown are all the graph's edges
  between the nodes shown.
* `chains_of` a violator: the modules that reach it through modules that are neither
  gateways nor restricted (the leaks whose chains may end in it, and the modules on
  those chains), it, and its own imports of restricted modules.
* Without `externals`, an external package that is neither restricted nor a system's
  member is left out with its edges (`os`, `asyncio`: most of a whole graph's nodes,
  none of what the contract is about).
* `collapse` to depth D, after focusing: each first-party node becomes its package of
  D components (a name with fewer stays itself), external packages stay; the edges
  between two groups merge (weights summed, a violation if any is), the edges within
  one group are dropped. A group is flagged gateway, violator or restricted when one
  of its members is, and belongs to a system when all its members do.
* `collapse_to_fit` keeps a view within a renderer's limits (Mermaid's 500 edges and
  50,000 characters by default): the deepest collapse that fits, down to depth 1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import networkx as nx

from ssot_arch.analysis.direct import is_excluded
from ssot_arch.analysis.leaks import nodes_within
from ssot_arch.domain.graph_view import (
    EXTERNAL,
    MERMAID_MAX_EDGES,
    MODULE,
    PACKAGE,
    GraphView,
    ViewEdge,
    ViewNode,
)
from ssot_arch.domain.model import System

WHOLE_GRAPH = "whole graph"


class ViewOptionError(ValueError):
    """An option of `view` that selects nothing it can show; `option` names it
    (`focus`, `chains_of` or `collapse`)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class _Marks:
    """What the graph's nodes are, on the whole graph (see the module docstring)."""

    restricted: AbstractSet[str]
    gateways: AbstractSet[str]
    violators: AbstractSet[str]
    system_of: dict[str, str]


def _marks(
    graph: nx.DiGraph[str],
    restricted: Sequence[str],
    gateways: Sequence[str],
    systems: Sequence[System],
    exclude: Sequence[str],
) -> _Marks:
    restricted_nodes = nodes_within(graph, restricted)
    gateway_nodes = nodes_within(graph, gateways)
    importers = {p for r in restricted_nodes for p in graph.predecessors(r)}
    violators = {
        p for p in importers - gateway_nodes - restricted_nodes if not is_excluded(p, exclude)
    }
    system_of: dict[str, str] = {}
    for system in systems:
        for node in nodes_within(graph, system.entries):
            system_of.setdefault(node, system.name)
    return _Marks(restricted_nodes, gateway_nodes, violators, system_of)


def _reaching(
    graph: nx.DiGraph[str], starts: Iterable[str], through: AbstractSet[str] | None = None
) -> set[str]:
    """The nodes with a path to one of `starts` (the starts included), by one backward
    search; with `through`, only paths whose nodes (but the last) are all in it."""
    found = set(starts)
    stack = list(found)
    while stack:
        node = stack.pop()
        for importer in graph.predecessors(node):
            if importer not in found and (through is None or importer in through):
                found.add(importer)
                stack.append(importer)
    return found


def _edges_among(graph: nx.DiGraph[str], nodes: Collection[str]) -> Iterator[tuple[str, str]]:
    for source in nodes:
        for target in graph.successors(source):
            if target in nodes:
                yield source, target


def _select(
    graph: nx.DiGraph[str],
    marks: _Marks,
    systems: Sequence[System],
    focus: str | None,
    chains_of: str | None,
) -> tuple[str, Collection[str], Iterable[tuple[str, str]]]:
    """The title, nodes and edges that `focus` or `chains_of` select (or everything)."""
    if focus is not None and chains_of is not None:
        raise ViewOptionError(
            "chains_of", "give a focus or a violator whose chains to show, not both"
        )
    if chains_of is not None:
        if chains_of not in graph:
            raise ViewOptionError(
                "chains_of", f"no module {chains_of!r} in the graph, so no violator of that name"
            )
        if chains_of not in marks.violators:
            raise ViewOptionError(
                "chains_of",
                f"{chains_of!r} is no direct violator (it imports no restricted module "
                "directly, or is a gateway, a restricted module or excluded): no chain ends in it",
            )
        passable = set(graph) - marks.restricted - marks.gateways
        chain = _reaching(graph, [chains_of], through=passable)
        own = [(chains_of, r) for r in graph.successors(chains_of) if r in marks.restricted]
        nodes = chain | {r for _, r in own}
        return f"chains of {chains_of}", nodes, [*_edges_among(graph, chain), *own]
    if focus is None:
        return WHOLE_GRAPH, graph, graph.edges
    system = next((s for s in systems if s.name == focus), None)
    if system is not None:
        nodes = _reaching(graph, nodes_within(graph, system.entries))
        return f"modules reaching system {focus}", nodes, _edges_among(graph, nodes)
    if focus in graph:
        nodes = _reaching(graph, [focus]) | nx.descendants(graph, focus)
        return f"modules reaching or reached from {focus}", nodes, _edges_among(graph, nodes)
    names = list(dict.fromkeys(s.name for s in systems))
    known = ", ".join(map(repr, names[:10])) + (", ..." if len(names) > 10 else "")
    raise ViewOptionError(
        "focus",
        f"no module or system named {focus!r}" + (f" (systems: {known})" if systems else ""),
    )


def _node(graph: nx.DiGraph[str], name: str, marks: _Marks) -> ViewNode:
    data = graph.nodes[name]
    if data.get("external"):
        kind, file = EXTERNAL, ""
    elif "file" in data:
        kind, file = MODULE, str(data["file"])
    else:  # a namespace package (`root` alone), or an importer without attributes
        kind, file = (PACKAGE if "root" in data else MODULE), ""
    return ViewNode(
        name=name,
        kind=kind,
        file=file,
        gateway=name in marks.gateways,
        violator=name in marks.violators,
        restricted=name in marks.restricted,
        system=marks.system_of.get(name, ""),
    )


def _edge(graph: nx.DiGraph[str], source: str, target: str, marks: _Marks) -> ViewEdge:
    imports = graph.edges[source, target].get("imports", ())
    return ViewEdge(
        source=source,
        target=target,
        imports=len(imports),
        line=int(imports[0][0]) if imports else 0,
        violation=source in marks.violators and target in marks.restricted,
    )


def package_of(name: str, depth: int) -> str:
    """The package of `depth` components that `name` belongs to (`name` if shorter)."""
    return ".".join(name.split(".")[:depth])


def deepest(view: GraphView) -> int:
    """The most components of a first-party name in `view` (0 when it has none): a
    collapse to this depth or deeper changes nothing."""
    return max((n.name.count(".") + 1 for n in view.nodes if n.kind != EXTERNAL), default=0)


def collapse_view(view: GraphView, depth: int) -> GraphView:
    """`view` collapsed to packages of `depth` components (see the module docstring)."""
    if depth < 1:
        raise ViewOptionError("collapse", f"a collapse depth is at least 1, not {depth}")
    group_of = {
        n.name: n.name if n.kind == EXTERNAL else package_of(n.name, depth) for n in view.nodes
    }
    members: dict[str, list[ViewNode]] = {}
    for node in view.nodes:
        members.setdefault(group_of[node.name], []).append(node)
    nodes = []
    for name, inside in members.items():
        if len(inside) == 1 and inside[0].name == name:
            nodes.append(inside[0])
            continue
        systems = {n.system for n in inside}
        nodes.append(
            ViewNode(
                name=name,
                kind=PACKAGE,
                modules=sum(n.modules for n in inside),
                gateway=any(n.gateway for n in inside),
                violator=any(n.violator for n in inside),
                restricted=any(n.restricted for n in inside),
                system=systems.pop() if len(systems) == 1 else "",
            )
        )
    merged: dict[tuple[str, str], list[ViewEdge]] = {}
    for edge in view.edges:
        source, target = group_of[edge.source], group_of[edge.target]
        if source != target:
            merged.setdefault((source, target), []).append(edge)
    edges = [
        ViewEdge(
            source=source,
            target=target,
            imports=sum(e.imports for e in inside),
            line=inside[0].line if len(inside) == 1 else 0,
            violation=any(e.violation for e in inside),
        )
        for (source, target), inside in merged.items()
    ]
    base = view.title
    if view.collapsed_to is not None:
        base = base.removesuffix(f", collapsed to depth {view.collapsed_to}")
    return GraphView(
        nodes=tuple(sorted(nodes)),
        edges=tuple(sorted(edges)),
        title=f"{base}, collapsed to depth {depth}",
        collapsed_to=depth,
    )


def view(
    graph: nx.DiGraph[str],
    *,
    restricted: Sequence[str],
    gateways: Sequence[str],
    systems: Sequence[System] = (),
    exclude: Sequence[str] = (),
    collapse: int | None = None,
    focus: str | None = None,
    chains_of: str | None = None,
    externals: bool = True,
) -> GraphView:
    """The view of `graph` that the options select (see the module docstring).

    `focus` names a system (first) or a module; `chains_of` a direct violator; at most
    one of them. Raises `ViewOptionError` (a `ValueError` naming the option) for a name
    that is neither, a module that is no violator, both options, or a depth below 1.
    """
    if collapse is not None and collapse < 1:
        raise ViewOptionError("collapse", f"a collapse depth is at least 1, not {collapse}")
    marks = _marks(graph, restricted, gateways, systems, exclude)
    title, nodes, edges = _select(graph, marks, systems, focus, chains_of)
    if not externals:
        kept = {
            n
            for n in nodes
            if not graph.nodes[n].get("external") or n in marks.restricted or n in marks.system_of
        }
        if len(kept) < len(nodes):
            title += ", other external packages left out"
        nodes, edges = kept, [(s, t) for s, t in edges if s in kept and t in kept]
    whole = GraphView(
        nodes=tuple(sorted(_node(graph, n, marks) for n in nodes)),
        edges=tuple(sorted(_edge(graph, s, t, marks) for s, t in edges)),
        title=title,
    )
    return whole if collapse is None else collapse_view(whole, collapse)


def collapse_to_fit(
    graph: nx.DiGraph[str],
    fits: Callable[[GraphView], bool] | None = None,
    *,
    restricted: Sequence[str],
    gateways: Sequence[str],
    systems: Sequence[System] = (),
    exclude: Sequence[str] = (),
    focus: str | None = None,
    chains_of: str | None = None,
    max_edges: int = MERMAID_MAX_EDGES,
) -> GraphView:
    """The view (as `view` selects it) collapsed as little as it takes to fit: with at
    most `max_edges` edges and, if given, `fits(view)` true (such as a renderer's limit
    on its text). It tries the view itself, then depths from the deepest name's minus
    one down to 1, and returns the depth-1 view even when that does not fit either.
    """
    whole = view(
        graph,
        restricted=restricted,
        gateways=gateways,
        systems=systems,
        exclude=exclude,
        focus=focus,
        chains_of=chains_of,
    )
    return fit_view(whole, fits, max_edges)


def fit_view(
    whole: GraphView,
    fits: Callable[[GraphView], bool] | None = None,
    max_edges: int = MERMAID_MAX_EDGES,
) -> GraphView:
    """`whole` collapsed as little as it takes to fit (see `collapse_to_fit`)."""

    def fitting(candidate: GraphView) -> bool:
        return len(candidate.edges) <= max_edges and (fits is None or fits(candidate))

    if fitting(whole):
        return whole
    candidate = whole
    for depth in range(deepest(whole) - 1, 0, -1):
        candidate = collapse_view(whole, depth)
        if fitting(candidate):
            return candidate
    return candidate
