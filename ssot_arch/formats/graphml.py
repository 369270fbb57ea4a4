"""`ssot-arch graph --format graphml`: a view (domain/graph_view.py) as GraphML, for
graph tools (Gephi, yEd, Cytoscape, networkx's `read_graphml`).

networkx writes the XML and escapes markup (`<`, `&`, quotes) itself; what XML 1.0
cannot hold at all (most control characters, lone surrogates, U+FFFE and U+FFFF) is
written as a backslash escape first. Backslashes are doubled, so that two names never
become one id.
"""

from __future__ import annotations

import re

import networkx as nx

from ssot_arch.domain.graph_view import GraphView

# Characters that XML 1.0 cannot hold or that end a line (escaped as in
# domain/printable.py), and the backslash that starts an escape.
_ESCAPED = re.compile("[\\\\\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def xml_text(text: str) -> str:
    """`text` as XML 1.0 can hold it on one line: unchanged but for the characters above."""
    if _ESCAPED.search(text) is None:
        return text
    return _ESCAPED.sub(_escape, text)


def to_graphml(view: GraphView) -> str:
    """The GraphML document of `view`: node ids are the (escaped) names, with every
    attribute of its nodes and edges (an edge's `weight` is its `imports`), and the
    view's `title` (and `collapsed_to`) on the graph."""
    graph: nx.DiGraph[str] = nx.DiGraph(title=xml_text(view.title))
    if view.collapsed_to is not None:
        graph.graph["collapsed_to"] = view.collapsed_to
    for node in view.nodes:
        graph.add_node(
            xml_text(node.name),
            kind=node.kind,
            file=xml_text(node.file),
            modules=node.modules,
            gateway=node.gateway,
            violator=node.violator,
            restricted=node.restricted,
            system=xml_text(node.system),
        )
    for edge in view.edges:
        graph.add_edge(
            xml_text(edge.source),
            xml_text(edge.target),
            imports=edge.imports,
            weight=edge.imports,
            line=edge.line,
            violation=edge.violation,
        )
    return "\n".join(nx.generate_graphml(graph)) + "\n"
