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

import networkx as nx

from ssot_arch.domain.model import ImportRecord, SourceFile


def to_networkx(
    analysed: Iterable[SourceFile],
    namespace_packages: Iterable[str],
    imports: Iterable[ImportRecord],
    *,
    include_type_checking: bool = True,
) -> nx.DiGraph[str]:
    """The import graph of the analysed modules (see the module docstring); with
    `include_type_checking` false, imports under `if TYPE_CHECKING:` are left out."""
    digraph: nx.DiGraph[str] = nx.DiGraph()
    files: Mapping[str, SourceFile] = {f.module: f for f in analysed}
    roots = {f.root for f in files.values()}
    nodes: list[tuple[str, dict[str, str | bool]]]
    nodes = [(m, {"root": f.root, "file": f.path}) for m, f in files.items()]
    nodes += [(n, {"root": n.split(".")[0]}) for n in namespace_packages if n not in files]
    edges: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for record in imports:
        if record.type_checking and not include_type_checking:
            continue
        edges.setdefault((record.importer, record.imported), []).append(
            (record.line, record.line_contents)
        )
    known = {name for name, _ in nodes}
    for _, imported in edges:
        if imported not in known:
            known.add(imported)
            if imported.split(".")[0] in roots:
                nodes.append((imported, {"root": imported.split(".")[0]}))
            else:
                nodes.append((imported, {"external": True}))
    # Insertion order is left as found: the analyses sort whatever decides an answer.
    digraph.add_nodes_from(nodes)
    digraph.add_edges_from(
        (u, v, {"imports": tuple(sorted(lines)) if len(lines) > 1 else tuple(lines)})
        for (u, v), lines in edges.items()
    )
    return digraph
