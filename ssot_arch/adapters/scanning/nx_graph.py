"""Build the `networkx.DiGraph` the analyses run on, from the analysed imports.

It holds exactly what the grimp graph of the check holds (the same import records
build both; reading them back out of grimp edge by edge costs more than building
from the records). Nodes are module names, with `root` and `file` for analysed
first-party modules, `root` alone for namespace packages, and `external=True` for
external packages (squashed to their top-level name, as grimp does). Each edge
carries every import behind it: `imports`, a sorted tuple of (line, line_contents).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from ssot_arch.adapters.processes.collector import collector_paused
from ssot_arch.domain.model import ImportRecord, SourceFile


@collector_paused()  # a few objects per import: see collector.py
def to_networkx(
    analysed: Iterable[SourceFile],
    namespace_packages: Iterable[str],
    imports: Iterable[ImportRecord],
    *,
    include_type_checking: bool = True,
) -> nx.DiGraph[str]:
    """The import graph of the analysed modules (see the module docstring); with
    `include_type_checking` false, imports under `if TYPE_CHECKING:` are left out.

    The graph's dictionaries are filled directly, with what `add_nodes_from` and
    `add_edges_from` would put there: on a large repository those methods' per-edge
    bookkeeping costs more than everything else here.
    """
    files: Mapping[str, SourceFile] = {f.module: f for f in analysed}
    roots = {f.root for f in files.values()}
    nodes: dict[str, dict[str, str | bool]] = {
        m: {"root": f.root, "file": f.path} for m, f in files.items()
    }
    for n in namespace_packages:
        if n not in files:
            nodes[n] = {"root": n.split(".")[0]}
    # Insertion order is left as found: the analyses sort whatever decides an answer.
    succ: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in nodes}
    pred: dict[str, dict[str, dict[str, Any]]] = {n: {} for n in nodes}
    # An edge's imports are a tuple from its first import on (most edges have one); an
    # edge with more holds a list until all are in, then their sorted tuple.
    several: list[dict[str, Any]] = []
    importer_before: str | None = None
    targets: dict[str, dict[str, Any]] = {}
    for importer, imported, line, line_contents, type_checking in imports:
        if type_checking and not include_type_checking:
            continue
        if importer is not importer_before:  # a module's imports come together
            importer_before = importer
            if importer not in succ:  # as add_edges_from does: a node without attributes
                nodes[importer], succ[importer], pred[importer] = {}, {}, {}
            targets = succ[importer]
        data = targets.get(imported)
        if data is None:
            targets[imported] = {"imports": ((line, line_contents),)}
            continue
        if isinstance(data["imports"], tuple):
            data["imports"] = list(data["imports"])
            several.append(data)
        data["imports"].append((line, line_contents))
    for data in several:
        data["imports"] = tuple(sorted(data["imports"]))
    for importer, edges in succ.items():
        for imported, data in edges.items():
            importers = pred.get(imported)
            if importers is None:
                top = imported.split(".")[0]
                nodes[imported] = {"root": top} if top in roots else {"external": True}
                importers = pred[imported] = {}
            importers[importer] = data
    for name in nodes:
        if name not in succ:  # an imported node just added
            succ[name] = {}
    # A graph is these three dictionaries; networkx supports setting them (the graph
    # resets its cached views), and it costs a fraction of adding edge by edge.
    digraph: nx.DiGraph[str] = nx.DiGraph()
    digraph._node, digraph._adj, digraph._pred = nodes, succ, pred  # type: ignore[attr-defined]
    return digraph
