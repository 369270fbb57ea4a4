"""`ssot-arch graph --format dot|mermaid|json`: a view of the import graph
(domain/graph_view.py) for Graphviz, for Markdown and pull-request comments, and for
graph tools. (GraphML is written by formats/graphml.py, with networkx's writer.)

Every name, file and title comes from the analysed tree and may hold anything: each
format writes it so that it stays text of one line, inside its string.

* DOT: ids and labels are double-quoted strings. An id is the name escaped without
  loss (backslashes doubled, `"` as `\\"`, control characters as `\\n`, `\\x1b`...,
  `<`, `>` and `&` as HTML entities), so two names never become one node; a label is
  the name as every format shows it (`printable`), then quoted the same way (Graphviz
  turns the entities of a label back into the characters).
* Mermaid: node ids are synthetic (`n0`, `n1`... in the view's order) and a label
  keeps only letters, digits and ` _.,/()~+-`; anything else is a Mermaid entity
  (`#35;` for `#`, `#34;` for `"`), which the diagram shows as the character. So no
  label can end its string, start a directive (`%%{`), close a Markdown code fence or
  hold markup, and the text is ASCII (its length is what Mermaid's `maxTextSize`
  measures).
* JSON: networkx's node-link shape; `<`, `>` and `&` are written as `\\u` escapes, so
  the document can be embedded in HTML as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ssot_arch.domain.graph_view import (
    EXTERNAL,
    MERMAID_MAX_EDGES,
    MERMAID_MAX_TEXT,
    PACKAGE,
    GraphView,
    ViewNode,
)
from ssot_arch.formats.common import document_header, json_text, printable

SCHEMA_VERSION = 1  # of `graph --format json` (graph-v1.json)

# --- DOT ---------------------------------------------------------------------------

_DOT_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': '\\"'}
_DOT_SPECIAL = re.compile('[&<>"]')


def _dot_markup(text: str) -> str:
    return _DOT_SPECIAL.sub(lambda m: _DOT_MARKUP[m.group()], text)


def dot_id(name: str) -> str:
    """`name` as a DOT quoted id, escaped without loss and on one line."""
    return '"' + _dot_markup(printable(name.replace("\\", "\\\\"))) + '"'


def dot_label(text: str) -> str:
    """`text` as a DOT quoted label: shown as `printable` shows it, on one line."""
    return '"' + _dot_markup(printable(text).replace("\\", "\\\\")) + '"'


def _attributes(pairs: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{key}={value}" for key, value in pairs) + "]"


def _dot_node(node: ViewNode) -> str:
    label = dot_label(node.name)
    if node.modules > 1:  # a second line: `\n` is DOT's own line break
        label = label[:-1] + f'\\n{node.modules} modules"'
    pairs = [("label", label)]
    if node.gateway:
        shape, styles = "box", ["bold"]
    elif node.kind == EXTERNAL:
        shape, styles = "ellipse", ["dashed"]
    elif node.kind == PACKAGE:
        shape, styles = "folder", []
    else:
        shape, styles = "box", ["rounded"]
    if node.restricted:
        styles.append("filled")
        pairs.append(("fillcolor", '"#ffcccc"'))
    if node.violator:
        pairs.append(("color", '"red"'))
    pairs.append(("shape", f'"{shape}"'))
    if styles:
        pairs.append(("style", '"' + ",".join(styles) + '"'))
    if node.file:
        pairs.append(("tooltip", dot_label(node.file)))
    return f"  {dot_id(node.name)} {_attributes(pairs)};"


def render_dot(view: GraphView) -> str:
    """`view` as a Graphviz `digraph imports`: violations and violators red, gateways
    bold boxes, external packages dashed ellipses, restricted modules filled red, a
    collapsed package a folder with its count of modules; an edge's label is its number
    of imports when more than one."""
    lines = [
        "digraph imports {",
        f'  graph [label={dot_label(view.title)}, labelloc="t", rankdir="LR"];',
        '  node [fontname="Helvetica"];',
    ]
    lines += [_dot_node(node) for node in view.nodes]
    for edge in view.edges:
        pairs = []
        if edge.imports > 1:
            pairs.append(("label", f'"{edge.imports}"'))
        if edge.violation:
            pairs += [("color", '"red"'), ("penwidth", '"2"')]
        attributes = f" {_attributes(pairs)}" if pairs else ""
        lines.append(f"  {dot_id(edge.source)} -> {dot_id(edge.target)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Mermaid -----------------------------------------------------------------------

_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,/()~+\-]")


def mermaid_text(text: str) -> str:
    """`text` (as `printable` shows it) with every character outside the few that are
    safe in a Mermaid string as a numeric entity (`#34;`): ASCII, one line."""
    return _MERMAID_UNSAFE.sub(lambda m: f"#{ord(m.group())};", printable(text))


def _mermaid_node(node: ViewNode, node_id: str) -> str:
    label = mermaid_text(node.name)
    if node.modules > 1:
        label += f" ({node.modules} modules)"
    if node.gateway and node.violator:  # a collapsed package holding both
        label += " (SSOT and violators)"
    elif node.gateway:
        label += " (SSOT)"
    if node.kind == EXTERNAL:
        return f'  {node_id}(["{label}"])'
    if node.kind == PACKAGE:
        return f'  {node_id}[["{label}"]]'
    return f'  {node_id}["{label}"]'


# No `;` ends these lines: Mermaid drops the last character of a `classDef` or `style`
# line holding `:...#...;` before it parses it.
_MERMAID_CLASSES = {
    "gateway": "stroke:#333,stroke-width:3px",
    "violator": "fill:#fdd,stroke:red,color:#000",
    "restricted": "fill:#f88,stroke:#900,color:#000",
    "external": "stroke-dasharray:5 5",
}


def render_mermaid(view: GraphView) -> str:
    """`view` as a Mermaid flowchart: `%% title` first, node ids `n0`, `n1`... in the
    view's order, external packages as stadiums, collapsed packages as subroutines
    with their count of modules, gateways marked ` (SSOT)`; one class a node marks
    it restricted, else a violator, else a gateway, else external, and `linkStyle`
    draws the violations red (by their position among the edges)."""
    ids = {node.name: f"n{i}" for i, node in enumerate(view.nodes)}
    lines = [f"%% {mermaid_text(view.title)}", "flowchart LR"]
    lines += [_mermaid_node(node, ids[node.name]) for node in view.nodes]
    red = []
    for i, edge in enumerate(view.edges):
        arrow = f"-->|{edge.imports}|" if edge.imports > 1 else "-->"
        lines.append(f"  {ids[edge.source]} {arrow} {ids[edge.target]}")
        if edge.violation:
            red.append(str(i))
    members: dict[str, list[str]] = {name: [] for name in _MERMAID_CLASSES}
    for node in view.nodes:
        # One class a node: the first that holds, so no box is styled both the SSOT
        # and a violator (a collapsed package may hold both: its label says so).
        chosen = next(
            (
                name
                for name, member in (
                    ("restricted", node.restricted),
                    ("violator", node.violator),
                    ("gateway", node.gateway),
                    ("external", node.kind == EXTERNAL),
                )
                if member
            ),
            None,
        )
        if chosen is not None:
            members[chosen].append(ids[node.name])
    for name, style in _MERMAID_CLASSES.items():
        if members[name]:
            lines.append(f"  classDef {name} {style}")
            lines.append(f"  class {','.join(members[name])} {name}")
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:red,stroke-width:2px")
    return "\n".join(lines) + "\n"


def mermaid_fits(view: GraphView) -> bool:
    """Whether Mermaid renders `view` with its default limits: at most 500 edges and
    50,000 characters of text."""
    return len(view.edges) <= MERMAID_MAX_EDGES and len(render_mermaid(view)) <= MERMAID_MAX_TEXT


# --- JSON --------------------------------------------------------------------------

_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def view_to_dict(view: GraphView) -> dict[str, Any]:
    """`view` in networkx's node-link shape (`node_link_graph(data, edges="links")`),
    after the header every JSON document has (schema graph-v1.json)."""
    return {
        **document_header(SCHEMA_VERSION),
        "directed": True,
        "multigraph": False,
        "graph": {"title": view.title, "collapsed_to": view.collapsed_to},
        "nodes": [
            {
                "id": n.name,
                "kind": n.kind,
                "file": n.file,
                "modules": n.modules,
                "gateway": n.gateway,
                "violator": n.violator,
                "restricted": n.restricted,
                "system": n.system,
            }
            for n in view.nodes
        ],
        "links": [
            {
                "source": e.source,
                "target": e.target,
                "imports": e.imports,
                "weight": e.imports,
                "line": e.line,
                "violation": e.violation,
            }
            for e in view.edges
        ],
    }


def render_json(view: GraphView) -> str:
    """`view` as node-link JSON (see `view_to_dict`), indented, with a final newline.
    (Outside strings JSON holds no `<`, `>` or `&`: replacing them anywhere in the text
    only touches strings, and leaves the same values.)"""
    text = json_text(view_to_dict(view), indent=2)
    return re.sub("[<>&]", lambda m: _HTML_UNSAFE[m.group()], text) + "\n"


# --- the formats -------------------------------------------------------------------


def render_graphml(view: GraphView) -> str:
    """`view` as GraphML (formats/graphml.py: networkx's writer, imported only here)."""
    from ssot_arch.formats.graphml import to_graphml

    return to_graphml(view)


# name -> (render, whether a view fits the format, None when every view does). The
# `graph` use case writes with these.
GRAPH_FORMATS: dict[str, tuple[Callable[[GraphView], str], Callable[[GraphView], bool] | None]] = {
    "dot": (render_dot, None),
    "mermaid": (render_mermaid, mermaid_fits),  # Mermaid draws nothing beyond its limits
    "json": (render_json, None),
    "graphml": (render_graphml, None),
}
