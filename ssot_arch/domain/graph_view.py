"""What `ssot-arch graph` draws: the import graph, or a focused or collapsed view of
it, as plain values (analysis/graph_views.py builds them, formats/graph_export.py and
formats/graphml.py write them).

Names come from the analysed tree unchanged: every writer escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass

MODULE, PACKAGE, EXTERNAL = "module", "package", "external"  # a node's kind

# What Mermaid renders by default (its `maxEdges` and `maxTextSize`): a larger diagram
# shows an error instead.
MERMAID_MAX_EDGES = 500
MERMAID_MAX_TEXT = 50_000


@dataclass(frozen=True, order=True)
class ViewNode:
    """A node of a view: a module, a package (a namespace package, or the modules a
    collapse merged) or an external package."""

    name: str
    kind: str  # MODULE, PACKAGE or EXTERNAL
    file: str = ""  # an analysed module's file; empty for anything else
    modules: int = 1  # the graph nodes it stands for (more than 1 only when collapsed)
    gateway: bool = False  # it is (or, collapsed, holds) a gateway
    violator: bool = False  # it is (holds) a module that imports a restricted one directly
    restricted: bool = False  # it is (holds) a restricted module
    system: str = ""  # the first system whose entries cover it (collapsed: all its members)


@dataclass(frozen=True, order=True)
class ViewEdge:
    """`source` imports `target`: the import statements behind it (its weight), the line
    of the first, and whether it is a direct violation."""

    source: str
    target: str
    imports: int
    line: int  # the first import's line; 0 when it merges the edges of several modules
    violation: bool  # a direct violation (or, collapsed, merges one)


@dataclass(frozen=True)
class GraphView:
    """The nodes and edges of a view, sorted, and what it shows."""

    nodes: tuple[ViewNode, ...]
    edges: tuple[ViewEdge, ...]
    title: str  # "whole graph", "chains of app.bad, collapsed to depth 2", ...
    collapsed_to: int | None = None  # the package depth it is collapsed to, if any
