"""Turn the analysed grimp graph into a `networkx.DiGraph` for the analyses.

Nodes are module names, with `root` and `file` for first-party modules (absent for
namespace packages without a file) and `external=True` for squashed external
packages. Each edge carries every import behind it: `imports`, a sorted tuple of
(line, line_contents).
"""

from __future__ import annotations

from collections.abc import Mapping

import grimp
import networkx as nx

from ssot_arch.domain.model import SourceFile


def to_networkx(
    graph: grimp.ImportGraph, files: Mapping[str, SourceFile], roots: set[str]
) -> nx.DiGraph:
    digraph = nx.DiGraph()
    for module in sorted(graph.modules):
        source = files.get(module)
        if source is not None:
            digraph.add_node(module, root=source.root, file=source.path)
        elif module.split(".")[0] in roots:
            digraph.add_node(module, root=module.split(".")[0])
        else:
            digraph.add_node(module, external=True)
    edges = []
    for importer in sorted(files):
        if importer not in digraph:
            continue  # not analysed
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            details = graph.get_import_details(importer=importer, imported=imported)
            imports = tuple(sorted((d["line_number"], d["line_contents"]) for d in details))
            edges.append((importer, imported, {"imports": imports}))
    digraph.add_edges_from(edges)
    return digraph
