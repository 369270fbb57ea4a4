"""`ssot-arch graph`'s views (analysis/graph_views.py) equal brute-force searches on
random graphs, and its formats (formats/graph_export.py, formats/graphml.py) parse
back to the view, whatever the names hold."""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.analysis.graph_views import (
    ViewOptionError,
    collapse_to_fit,
    collapse_view,
    deepest,
    package_of,
    view,
)
from ssot_arch.domain.graph_view import (
    EXTERNAL,
    MERMAID_MAX_EDGES,
    MERMAID_MAX_TEXT,
    MODULE,
    PACKAGE,
    GraphView,
    ViewEdge,
    ViewNode,
)
from ssot_arch.domain.model import System
from ssot_arch.formats.common import printable
from ssot_arch.formats.graph_export import (
    dot_id,
    mermaid_fits,
    mermaid_text,
    render_dot,
    render_json,
    render_mermaid,
)
from ssot_arch.formats.graphml import to_graphml, xml_text
from tests import oracles
from tests.fakes import import_graph

MODULES = [
    "app",
    "app.a",
    "app.a.x",
    "app.a.y",
    "app.b.z",
    "app.b.c.d",
    "app.b.c.e",
    "app.log",
    "lib.m",
    "lib.n.o",
    "lib.n.p.q",
]
NAMESPACES = ["app.b", "app.b.c", "lib", "lib.n", "lib.n.p"]
EXTERNAL_PACKAGES = ["logging", "loguru", "os"]
RESTRICTED = ("logging", "loguru", "app.b.c.e")
SYSTEMS = (
    System("ssot", ("app.log",), ssot=True),
    System("stdlib", ("logging",)),
    System("loguru", ("loguru",)),
    System("deep", ("app.b.c",)),
)


@st.composite
def cases(draw):
    modules = draw(st.lists(st.sampled_from(MODULES), min_size=2, max_size=11, unique=True))
    targets = modules + EXTERNAL_PACKAGES + ["app.b.c.e"]
    edges = draw(
        st.lists(st.tuples(st.sampled_from(modules), st.sampled_from(targets)), max_size=40)
    )
    graph = import_graph(
        *((u, v, line, f"import {v}") for line, (u, v) in enumerate(edges, 1) if u != v),
        modules=modules,
        namespaces=NAMESPACES,
    )
    gateways = tuple(sorted(set(draw(st.lists(st.sampled_from(MODULES + NAMESPACES), max_size=3)))))
    exclude = tuple(draw(st.lists(st.sampled_from(["lib.*", "app.a.?"]), max_size=1)))
    return graph, gateways, exclude


def options(gateways, exclude=()):
    return {
        "restricted": RESTRICTED,
        "gateways": gateways,
        "systems": SYSTEMS,
        "exclude": exclude,
    }


# --- brute force -------------------------------------------------------------------


def is_violator(graph, node, gateways, exclude=()):
    if oracles.within(node, gateways) or oracles.within(node, RESTRICTED):
        return False
    if any(
        re.fullmatch(p.replace(".", r"\.").replace("*", ".*").replace("?", "."), node)
        for p in exclude
    ):
        return False
    return any(oracles.within(t, RESTRICTED) for t in graph.successors(node))


def expected_node(graph, name, gateways, exclude=()):
    data = graph.nodes[name]
    kind = EXTERNAL if data.get("external") else MODULE if "file" in data else PACKAGE
    system = next((s.name for s in SYSTEMS if oracles.within(name, s.entries)), "")
    return ViewNode(
        name,
        kind,
        data.get("file", ""),
        1,
        oracles.within(name, gateways),
        is_violator(graph, name, gateways, exclude),
        oracles.within(name, RESTRICTED),
        system,
    )


def expected_edge(graph, source, target, gateways, exclude=()):
    imports = graph.edges[source, target]["imports"]
    violation = is_violator(graph, source, gateways, exclude) and oracles.within(target, RESTRICTED)
    return ViewEdge(source, target, len(imports), min(imports)[0], violation)


def expected_view(graph, nodes, edges, gateways, exclude=()):
    return (
        tuple(sorted(expected_node(graph, n, gateways, exclude) for n in nodes)),
        tuple(sorted(expected_edge(graph, s, t, gateways, exclude) for s, t in edges)),
    )


def induced(graph, nodes):
    return [(s, t) for s, t in graph.edges if s in nodes and t in nodes]


# --- views -------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(cases())
def test_whole_graph_marks_every_node_and_edge(case):
    graph, gateways, exclude = case
    got = view(graph, **options(gateways, exclude))
    assert (got.nodes, got.edges) == expected_view(graph, graph, graph.edges, gateways, exclude)
    assert got.title == "whole graph" and got.collapsed_to is None


@settings(max_examples=200, deadline=None)
@given(cases(), st.sampled_from([s.name for s in SYSTEMS]))
def test_focus_on_a_system_is_what_reaches_its_members(case, name):
    graph, gateways, _ = case
    system = next(s for s in SYSTEMS if s.name == name)
    members = [n for n in graph if oracles.within(n, system.entries)]
    nodes = {n for n in graph if any(nx.has_path(graph, n, m) for m in members)}
    got = view(graph, **options(gateways), focus=name)
    assert (got.nodes, got.edges) == expected_view(graph, nodes, induced(graph, nodes), gateways)
    assert got.title == f"modules reaching system {name}"


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_focus_on_a_module_is_what_reaches_it_and_what_it_reaches(case, data):
    graph, gateways, _ = case
    module = data.draw(st.sampled_from(sorted(graph)))
    if module in {s.name for s in SYSTEMS}:
        return  # a system's name names the system
    nodes = {n for n in graph if nx.has_path(graph, n, module) or nx.has_path(graph, module, n)}
    got = view(graph, **options(gateways), focus=module)
    assert (got.nodes, got.edges) == expected_view(graph, nodes, induced(graph, nodes), gateways)


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_chains_of_a_violator_are_what_reaches_it_through_non_gateways(case, data):
    graph, gateways, exclude = case
    violators = sorted(n for n in graph if is_violator(graph, n, gateways, exclude))
    if not violators:
        return
    culprit = data.draw(st.sampled_from(violators))
    passable = [
        n for n in graph if not oracles.within(n, gateways) and not oracles.within(n, RESTRICTED)
    ]
    sub = graph.subgraph(passable)
    chain = {n for n in passable if nx.has_path(sub, n, culprit)}
    own = [(culprit, t) for t in graph.successors(culprit) if oracles.within(t, RESTRICTED)]
    nodes = chain | {t for _, t in own}
    got = view(graph, **options(gateways, exclude), chains_of=culprit)
    expected = expected_view(graph, nodes, induced(graph, chain) + own, gateways, exclude)
    assert (got.nodes, got.edges) == expected
    assert got.title == f"chains of {culprit}"


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(1, 4), st.sampled_from([None, "stdlib", "app.a.x"]))
def test_collapse_merges_every_edge_into_its_packages(case, depth, focus):
    graph, gateways, _ = case
    if focus is not None and focus not in graph and focus not in {s.name for s in SYSTEMS}:
        return
    whole = view(graph, **options(gateways), focus=focus)
    got = view(graph, **options(gateways), focus=focus, collapse=depth)
    assert got == collapse_view(whole, depth)
    assert got.collapsed_to == depth and got.title == f"{whole.title}, collapsed to depth {depth}"

    def group(node):
        return node.name if node.kind == EXTERNAL else package_of(node.name, depth)

    members = {}
    for node in whole.nodes:
        members.setdefault(group(node), []).append(node)
    assert [n.name for n in got.nodes] == sorted(members)
    for node in got.nodes:
        inside = members[node.name]
        assert node.modules == len(inside)
        assert node.gateway == any(n.gateway for n in inside)
        assert node.violator == any(n.violator for n in inside)
        assert node.restricted == any(n.restricted for n in inside)
        if len(inside) == 1 and inside[0].name == node.name:
            assert node == inside[0]
        else:
            assert node.kind == PACKAGE and node.file == ""
    by_name = {n.name: n for n in whole.nodes}
    merged = {}
    for edge in whole.edges:
        pair = (group(by_name[edge.source]), group(by_name[edge.target]))
        if pair[0] != pair[1]:
            merged.setdefault(pair, []).append(edge)
    assert [(e.source, e.target) for e in got.edges] == sorted(merged)
    for edge in got.edges:
        inside = merged[edge.source, edge.target]
        assert edge.imports == sum(e.imports for e in inside)
        assert edge.violation == any(e.violation for e in inside)
        assert edge.line == (inside[0].line if len(inside) == 1 else 0)
    assert sum(e.imports for e in got.edges) == sum(
        e.imports for e in whole.edges if group(by_name[e.source]) != group(by_name[e.target])
    )


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(0, 12))
def test_collapse_to_fit_picks_the_deepest_collapse_that_fits(case, max_edges):
    graph, gateways, _ = case
    whole = view(graph, **options(gateways))
    candidates = [whole] + [view(graph, **options(gateways), collapse=d) for d in range(10, 0, -1)]
    fitting = [c for c in candidates if len(c.edges) <= max_edges]
    got = collapse_to_fit(graph, **options(gateways), max_edges=max_edges)
    if fitting:
        # The deepest: the first that fits, or one that equals it (deeper than every name).
        assert (got.nodes, got.edges) == (fitting[0].nodes, fitting[0].edges)
        assert got.collapsed_to is None or got.collapsed_to < deepest(whole)
    else:
        assert got == candidates[-1] or (deepest(whole) <= 1 and got == whole)


def test_collapse_to_fit_keeps_mermaid_within_its_limits():
    edges = [
        (f"app.p{i}.m{j}", f"app.p{(i + 1) % 40}.m{(j * 7) % 20}", 3)
        for i in range(40)
        for j in range(20)
    ] + [(f"app.p{i}.m0", "logging", 9) for i in range(40)]
    graph = import_graph(*edges)
    whole = view(graph, restricted=["logging"], gateways=["app.p0"])
    assert len(whole.edges) > MERMAID_MAX_EDGES
    got = collapse_to_fit(graph, mermaid_fits, restricted=["logging"], gateways=["app.p0"])
    assert got.collapsed_to == 2 and mermaid_fits(got)
    assert len(render_mermaid(got)) <= MERMAID_MAX_TEXT
    tiny = collapse_to_fit(
        graph, lambda v: len(v.nodes) < 3, restricted=["logging"], gateways=["app.p0"]
    )
    assert tiny.collapsed_to == 1  # nothing fits: depth 1 all the same
    assert [n.name for n in tiny.nodes] == ["app", "logging"]
    assert tiny.edges == (ViewEdge("app", "logging", 40, 0, True),)


def test_views_do_not_depend_on_the_graph_s_insertion_order():
    edges = [
        ("app.a", "app.b", 2),
        ("app.b", "logging", 3),
        ("app.c.d", "app.a", 1),
        ("app.b", "app.c.e", 4),
        ("lib.x", "app.b", 5),
        ("app.c.e", "loguru", 6),
    ]
    texts = set()
    for seed in range(10):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        graph = import_graph(*shuffled)
        for kwargs in ({}, {"collapse": 1}, {"focus": "app.b"}, {"chains_of": "app.b"}):
            got = view(graph, restricted=["logging", "loguru"], gateways=["lib"], **kwargs)
            texts.add((seed, repr(kwargs), render_dot(got) + render_mermaid(got)))
    assert len({(k, t) for _, k, t in texts}) == 4


def test_options_that_select_nothing_are_errors_naming_the_option():
    graph = import_graph(("app.a", "logging"), ("app.gw", "logging"), ("app.b", "app.a"))
    base = {"restricted": ["logging"], "gateways": ["app.gw"], "systems": SYSTEMS}
    with pytest.raises(ViewOptionError, match="no module or system named 'nope'") as error:
        view(graph, **base, focus="nope")
    assert error.value.option == "focus" and isinstance(error.value, ValueError)
    assert "'stdlib'" in str(error.value)
    for name, why in [
        ("app.b", "no direct violator"),
        ("app.gw", "no direct violator"),
        ("logging", "no direct violator"),
        ("app.zzz", "no module 'app.zzz'"),
    ]:
        with pytest.raises(ViewOptionError, match=why) as error:
            view(graph, **base, chains_of=name)
        assert error.value.option == "chains_of"
    with pytest.raises(ViewOptionError, match="not both"):
        view(graph, **base, focus="app.a", chains_of="app.a")
    for depth in (0, -1):
        with pytest.raises(ViewOptionError, match="at least 1") as error:
            view(graph, **base, collapse=depth)
        assert error.value.option == "collapse"
    with pytest.raises(ViewOptionError, match="no direct violator"):
        view(graph, **base, exclude=["app.a"], chains_of="app.a")
    hostile = "x\n\x1b[2J"
    with pytest.raises(ViewOptionError) as error:
        view(graph, **base, focus=hostile)
    assert printable(str(error.value)) == str(error.value)


def test_a_system_name_is_focused_before_a_module_of_that_name():
    graph = import_graph(("app.a", "logging"), ("app.b", "app.a"), ("logging2", "x"))
    got = view(graph, restricted=["logging"], gateways=[], systems=SYSTEMS, focus="stdlib")
    assert [n.name for n in got.nodes] == ["app.a", "app.b", "logging"]
    assert [n.system for n in got.nodes] == ["", "", "stdlib"]


# --- formats -----------------------------------------------------------------------

HOSTILE = [
    "app.x</script><script>alert(1)</script>",
    'app."onload=alert(1)',
    "app.new\nline",
    "app.cr\rreturn\x1b[31m\u2028",
    "app.back\\slash\\",
    "app.%%{init: {'theme':'dark'}}%%",
    "app.```fence",
    "app.#quot;entity;",
    "app.style:x#1;",
    "app.ünïcode\udcff",
    "app.tab\there",
]


def hostile_view() -> GraphView:
    nodes = [
        ViewNode(
            name,
            MODULE,
            file=f'"onload=alert(1).py{i}',
            violator=i % 2 == 0,
            gateway=i == 3,
            system="</script>",
        )
        for i, name in enumerate(HOSTILE)
    ]
    nodes.append(ViewNode("logging", EXTERNAL, restricted=True))
    nodes.append(ViewNode("app.<pkg>", PACKAGE, modules=3))
    edges = [ViewEdge(name, "logging", i + 1, i, i % 2 == 0) for i, name in enumerate(HOSTILE)]
    edges.append(ViewEdge(HOSTILE[1], HOSTILE[2], 1, 7, False))
    edges.append(ViewEdge("app.<pkg>", HOSTILE[0], 5, 0, False))
    return GraphView(
        tuple(sorted(nodes)), tuple(sorted(edges)), 'chains of </script>\n"x"', collapsed_to=2
    )


_QID = r'"(?:[^"\\\n]|\\.)*"'
_ATTRS = rf"\[\w+=(?:{_QID})(?:, \w+=(?:{_QID}))*\]"
_DOT_NODE = re.compile(rf"  ({_QID}) ({_ATTRS});")
_DOT_EDGE = re.compile(rf"  ({_QID}) -> ({_QID})(?: ({_ATTRS}))?;")


def dot_statements(text):
    """The node and edge statements of `render_dot`'s output, checked line by line."""
    lines = text.split("\n")
    assert lines[0] == "digraph imports {" and lines[-2:] == ["}", ""]
    assert re.fullmatch(rf'  graph \[label={_QID}, labelloc="t", rankdir="LR"\];', lines[1])
    nodes, edges = {}, []
    for line in lines[3:-2]:
        if match := _DOT_NODE.fullmatch(line):
            nodes[match.group(1)] = match.group(2)
        else:
            match = _DOT_EDGE.fullmatch(line)
            assert match, line
            edges.append((match.group(1), match.group(2), match.group(3) or ""))
    return nodes, edges


def check_dot(got: GraphView, text: str):
    nodes, edges = dot_statements(text)
    assert list(nodes) == [dot_id(n.name) for n in got.nodes]
    assert len(set(nodes)) == len(got.nodes)  # no two names made one id
    assert [(s, t) for s, t, _ in edges] == [
        (dot_id(e.source), dot_id(e.target)) for e in got.edges
    ]
    for edge, (_, _, attributes) in zip(got.edges, edges, strict=True):
        assert ('color="red"' in attributes) == edge.violation
        assert (f'label="{edge.imports}"' in attributes) == (edge.imports > 1)
    for node, attributes in zip(got.nodes, nodes.values(), strict=True):
        assert ('color="red"' in attributes) == node.violator
        assert ('style="bold' in attributes) == node.gateway
        assert ('fillcolor="#ffcccc"' in attributes) == node.restricted


def test_dot_escapes_every_name():
    got = hostile_view()
    text = render_dot(got)
    check_dot(got, text)
    assert "<script>" not in text and "</script>" not in text
    assert len(text.split("\n")) == 3 + len(got.nodes) + len(got.edges) + 2
    assert "\r" not in text and "\x1b" not in text and "\u2028" not in text
    assert '"app.new\\nline"' in text  # the id, one line
    assert 'label="app.new\\\\nline"' in text  # the label shows `\n`
    assert 'label="app.&lt;pkg&gt;\\n3 modules"' in text
    text.encode("utf-8")  # a lone surrogate is escaped


def unentity(label):
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


_MERMAID_LABEL = re.compile(r'  (n\d+)(\(\[|\[\[|\[)"([^"]*)"(\]\)|\]\]|\])')
_MERMAID_EDGE = re.compile(r"  (n\d+) -->(?:\|(\d+)\|)? (n\d+)")


def check_mermaid(got: GraphView, text: str):
    assert text.isascii() and text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert lines[0] == f"%% {mermaid_text(got.title)}" and lines[1] == "flowchart LR"
    ids = {}
    for i, node in enumerate(got.nodes):
        match = _MERMAID_LABEL.fullmatch(lines[2 + i])
        assert match and match.group(1) == f"n{i}", lines[2 + i]
        label = printable(node.name)
        label += f" ({node.modules} modules)" if node.modules > 1 else ""
        if node.gateway:
            label += " (SSOT and violators)" if node.violator else " (SSOT)"
        assert unentity(match.group(3)) == label
        ids[node.name] = f"n{i}"
    rest = lines[2 + len(got.nodes) :]
    for edge, line in zip(got.edges, rest, strict=False):
        match = _MERMAID_EDGE.fullmatch(line)
        assert match, line
        assert (match.group(1), match.group(3)) == (ids[edge.source], ids[edge.target])
        assert match.group(2) == (str(edge.imports) if edge.imports > 1 else None)
    styles = rest[len(got.edges) :]
    red = [str(i) for i, e in enumerate(got.edges) if e.violation]
    link = [line for line in styles if line.startswith("  linkStyle ")]
    assert link == ([f"  linkStyle {','.join(red)} stroke:red,stroke-width:2px"] if red else [])
    classes = dict(
        (line.split()[2], set(line.split()[1].split(",")))
        for line in styles
        if line.startswith("  class ")
    )
    # One class a node (issue 22: never styled both the SSOT and a violator).
    for name, wanted in [
        ("restricted", [n for n in got.nodes if n.restricted]),
        ("violator", [n for n in got.nodes if n.violator and not n.restricted]),
        ("gateway", [n for n in got.nodes if n.gateway and not (n.violator or n.restricted)]),
    ]:
        assert classes.get(name, set()) == {ids[n.name] for n in wanted}
    assert sum(len(members) for members in classes.values()) == len(
        set().union(*classes.values()) if classes else set()
    )
    for line in styles:  # nothing Mermaid would cut (`...:...#...;`)
        assert ";" not in line


def test_mermaid_escapes_every_name():
    got = hostile_view()
    text = render_mermaid(got)
    check_mermaid(got, text)
    labels = "\n".join(text.split("\n")[: 2 + len(got.nodes)])
    for raw in ("<", ">", "%%{", "```", "#quot;", ":", "\\", '\\"', "\t"):
        assert raw not in labels
    assert text.count("\n") == len(text.splitlines())


def test_json_round_trips_through_networkx():
    got = hostile_view()
    text = render_json(got)
    assert text.endswith("}\n") and "<" not in text and "&" not in text
    assert len(text.splitlines()) == text.count("\n")
    data = json.loads(text)
    graph = nx.node_link_graph(data, edges="links")
    assert graph.is_directed() and not graph.is_multigraph()
    assert graph.graph == {"title": got.title, "collapsed_to": 2}
    assert sorted(graph) == [n.name for n in got.nodes]
    for node in got.nodes:
        assert graph.nodes[node.name] == {
            "kind": node.kind,
            "file": node.file,
            "modules": node.modules,
            "gateway": node.gateway,
            "violator": node.violator,
            "restricted": node.restricted,
            "system": node.system,
        }
    assert sorted(graph.edges) == [(e.source, e.target) for e in got.edges]
    for edge in got.edges:
        assert graph.edges[edge.source, edge.target] == {
            "imports": edge.imports,
            "weight": edge.imports,
            "line": edge.line,
            "violation": edge.violation,
        }


def check_graphml(got: GraphView, text: str):
    ET.fromstring(text)  # well-formed XML 1.0
    graph = nx.parse_graphml(text)
    assert graph.is_directed()
    assert graph.graph["title"] == xml_text(got.title)
    if got.collapsed_to is not None:
        assert graph.graph["collapsed_to"] == got.collapsed_to
    assert sorted(graph) == sorted(xml_text(n.name) for n in got.nodes)
    for node in got.nodes:
        data = graph.nodes[xml_text(node.name)]
        assert data == {
            "kind": node.kind,
            "file": xml_text(node.file),
            "modules": node.modules,
            "gateway": node.gateway,
            "violator": node.violator,
            "restricted": node.restricted,
            "system": xml_text(node.system),
        }
    assert graph.number_of_edges() == len(got.edges)
    for edge in got.edges:
        data = graph.edges[xml_text(edge.source), xml_text(edge.target)]
        assert data == {
            "imports": edge.imports,
            "weight": edge.imports,
            "line": edge.line,
            "violation": edge.violation,
        }


def test_graphml_is_valid_xml_with_every_attribute():
    got = hostile_view()
    text = to_graphml(got)
    check_graphml(got, text)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\x1b" not in text and "\r" not in text
    root = ET.fromstring(text)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = [n.get("id") for n in root.iterfind("g:graph/g:node", ns)]
    assert "app.x</script><script>alert(1)</script>" in ids
    assert "app.new\\nline" in ids and "app.back\\\\slash\\\\" in ids


# Names of any characters, a few of them often: hypothesis' text alone rarely draws two
# names that escape alike.
names = st.text(
    alphabet=st.one_of(
        st.sampled_from('\\n"<>&#;:%{}`\n\r\x00\x1b\u2028\ufffe\udcff .'), st.characters()
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def views(draw):
    node_names = draw(st.lists(names, min_size=1, max_size=8, unique=True))
    nodes = tuple(
        sorted(
            ViewNode(
                name,
                draw(st.sampled_from([MODULE, PACKAGE, EXTERNAL])),
                draw(names),
                draw(st.integers(1, 5)),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(st.booleans()),
                draw(names),
            )
            for name in node_names
        )
    )
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(node_names), st.sampled_from(node_names)), unique=True)
    )
    edges = tuple(
        sorted(
            ViewEdge(s, t, draw(st.integers(1, 9)), draw(st.integers(0, 99)), draw(st.booleans()))
            for s, t in pairs
        )
    )
    return GraphView(nodes, edges, draw(names), draw(st.none() | st.integers(1, 5)))


@settings(max_examples=300, deadline=None)
@given(views())
def test_every_format_holds_any_names(got):
    check_dot(got, render_dot(got))
    check_mermaid(got, render_mermaid(got))
    check_graphml(got, to_graphml(got))
    data = json.loads(render_json(got))
    assert [n["id"] for n in data["nodes"]] == [n.name for n in got.nodes]
    assert [(e["source"], e["target"]) for e in data["links"]] == [
        (e.source, e.target) for e in got.edges
    ]


@given(names, names)
def test_ids_never_merge_two_names(a, b):
    if a != b:
        assert dot_id(a) != dot_id(b)
        assert xml_text(a) != xml_text(b)


def test_the_formats_of_a_real_view():
    graph = import_graph(
        ("app.core.bad", "logging", 3, "import logging"),
        ("app.core.bad", "logging", 9, "from logging import x"),
        ("app.core.log", "logging"),
        ("app.api.view", "app.core.bad"),
        ("app.api.view", "app.core.log"),
    )
    got = view(graph, restricted=["logging"], gateways=["app.core.log"], collapse=2)
    assert [(n.name, n.kind, n.modules, n.gateway, n.violator) for n in got.nodes] == [
        ("app.api", PACKAGE, 1, False, False),
        ("app.core", PACKAGE, 2, True, True),
        ("logging", EXTERNAL, 1, False, False),
    ]
    assert got.edges == (
        ViewEdge("app.api", "app.core", 2, 0, False),
        ViewEdge("app.core", "logging", 3, 0, True),
    )
    assert render_mermaid(got) == (
        "%% whole graph, collapsed to depth 2\n"
        "flowchart LR\n"
        '  n0[["app.api"]]\n'
        '  n1[["app.core (2 modules) (SSOT and violators)"]]\n'
        '  n2(["logging"])\n'
        "  n0 -->|2| n1\n"
        "  n1 -->|3| n2\n"
        "  classDef violator fill:#fdd,stroke:red,color:#000\n"
        "  class n1 violator\n"
        "  classDef restricted fill:#f88,stroke:#900,color:#000\n"
        "  class n2 restricted\n"
        "  linkStyle 1 stroke:red,stroke-width:2px\n"
    )
