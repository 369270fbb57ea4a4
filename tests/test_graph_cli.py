"""`ssot-arch graph` on the command line: every format on the example, Mermaid fitted to
its limits on a large repository, errors naming the option, hostile names escaped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import networkx as nx

from tests.helpers import make_repo, run_cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monorepo"


def graph(repo, *args):
    run = run_cli("graph", str(repo), "--no-cache", *args)
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_every_format_on_the_example_carries_the_same_graph():
    data = json.loads(graph(EXAMPLE, "--format", "json"))
    loaded = nx.node_link_graph(data, edges="links")
    violations = {(u, v) for u, v, d in loaded.edges(data=True) if d["violation"]}
    check = run_cli("check", str(EXAMPLE), "--no-cache", "--format", "json").json
    expected = {(v["importer"], v["imported"]) for v in check["contracts"][0]["violations"]}
    assert violations == expected
    assert loaded.nodes["backend.app.core.unified_logging"]["gateway"]
    graphml = nx.parse_graphml(graph(EXAMPLE, "--format", "graphml"))
    assert set(graphml.edges) == set(loaded.edges)
    dot = graph(EXAMPLE, "--format", "dot")
    assert dot.startswith("digraph") and dot.count("->") == loaded.number_of_edges()
    assert dot.count('color="red"') >= len(violations)


def test_focus_chains_and_collapse():
    data = json.loads(graph(EXAMPLE, "--format", "json", "--focus", "loguru"))
    names = {node["id"] for node in data["nodes"]}
    assert "loguru" in names and "backend.app.core.unified_logging" in names
    collapsed = json.loads(graph(EXAMPLE, "--format", "json", "--collapse", "1"))
    assert {node["id"] for node in collapsed["nodes"]} >= {"backend", "auth_service"}
    assert all(link["source"] != link["target"] for link in collapsed["links"])


def test_mermaid_collapses_a_large_repository_until_it_fits(tmp_path):
    files = {"app/__init__.py": "", "app/logs.py": "import logging\n"}
    for p in range(30):
        files[f"app/p{p}/__init__.py"] = ""
        for m in range(25):
            following = f"app.p{(p + 1) % 30}.m{m}"
            files[f"app/p{p}/m{m}.py"] = f"import {following}\nimport logging\n"
    text = graph(make_repo(tmp_path, files), "--gateway", "app.logs", "--format", "mermaid")
    assert len(text) <= 50_000
    assert sum(1 for line in text.splitlines() if "-->" in line) <= 500
    assert "collapsed to depth 2" in text.splitlines()[0]


def test_an_option_that_names_nothing_is_a_usage_error():
    run = run_cli("graph", str(EXAMPLE), "--no-cache", "--focus", "no.such")
    assert run.exit_code == 2 and "--focus" in run.stderr
    run = run_cli("graph", str(EXAMPLE), "--no-cache", "--chains-of", "backend.app.main")
    assert run.exit_code == 2 and "--chains-of" in run.stderr


def test_hostile_names_are_escaped_in_every_format(tmp_path):
    hostile = 'x"onload=alert(1)<script>alert(2)<'
    repo = make_repo(tmp_path, {"app/__init__.py": "", f"app/{hostile}.py": "import logging\n"})
    mermaid = graph(repo, "--format", "mermaid")
    assert "<script>" not in mermaid and '"onload' not in mermaid
    dot = graph(repo, "--format", "dot")
    assert '\\"onload' in dot or "&quot;onload" in dot
    root = ElementTree.fromstring(graph(repo, "--format", "graphml"))
    assert f"app.{hostile}" in {node.get("id") for node in root.iter() if node.get("id")}
    data = json.loads(graph(repo, "--format", "json"))
    assert f"app.{hostile}" in {node["id"] for node in data["nodes"]}  # exact in JSON


def test_the_markdown_summary_draws_many_new_violations_by_service(tmp_path):
    files = {"app/__init__.py": "", "svc/__init__.py": ""}
    files |= {f"app/m{i}.py": "import logging\n" for i in range(20)}
    files |= {f"svc/m{i}.py": "from loguru import logger\n" for i in range(20)}
    run = run_cli("check", str(make_repo(tmp_path, files)), "--no-cache", "--format", "markdown")
    assert run.exit_code == 1
    diagram = run.stdout[run.stdout.index("```mermaid") :]
    diagram = diagram[: diagram.index("```\n", 3)]
    assert "%% what this change made worse, by service" in diagram
    assert '[["app (20 modules)"]]' in diagram and '[["svc (20 modules)"]]' in diagram
    assert diagram.count("-->") == 2
    ok = make_repo(tmp_path / "ok", {"app/a.py": "import os\n"})
    clean = run_cli("check", str(ok), "--no-cache", "--format", "markdown")
    assert clean.exit_code == 0 and "```mermaid" not in clean.stdout


def test_by_default_the_graph_is_the_first_party_and_restricted_modules():
    """Issue 22: the default Mermaid of a real project was 165 external boxes out of
    168; other external packages come with --externals, and the title says they left."""
    mermaid = graph(EXAMPLE, "--format", "mermaid")
    assert mermaid.startswith("%% whole graph, other external packages left out\n")
    assert '"typing"' not in mermaid and '(["loguru"])' in mermaid
    everything = graph(EXAMPLE, "--format", "mermaid", "--externals")
    assert everything.startswith("%% whole graph\n") and '(["typing"])' in everything
    data = json.loads(graph(EXAMPLE, "--format", "json"))
    externals = {n["id"] for n in data["nodes"] if n["kind"] == "external"}
    assert externals == {"logging", "loguru", "structlog"}


def test_help_names_each_view_with_an_example():
    text = run_cli("graph", "--help").stdout
    for example in ("--focus loguru", "--focus app.api", "--chains-of app.core", "--collapse 1"):
        assert f"ssot-arch graph {example}" in text


def test_every_format_the_command_offers_has_a_writer():
    """Issue 23: cli.py chose the writer, reaching into the adapters for GraphML; every
    format is now one of formats' GRAPH_FORMATS, GraphML included."""
    from ssot_arch.cli import graph as command
    from ssot_arch.formats.graph_export import GRAPH_FORMATS

    offered = next(p for p in command.params if p.name == "output_format").type.choices
    assert set(offered) == set(GRAPH_FORMATS)
