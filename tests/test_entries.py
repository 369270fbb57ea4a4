"""Entry points (`report --entry`): the systems an entry's closure loads, with a shortest
chain to each and the closure's direct importers, equal to a brute-force search on
random graphs; and the command line on a fixture repository."""

from __future__ import annotations

import json

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.analysis.entries import entry_reports, missing_entries
from ssot_arch.analysis.systems import index_systems
from ssot_arch.domain.findings import PACKAGE_FIRST
from ssot_arch.domain.model import System
from tests import oracles
from tests.fakes import import_graph
from tests.helpers import make_repo, run_cli, validate_json

PACKAGES = ["app", "app.core", "lib", "lib.core"]
MODULES = [f"{p}.m{i}" for p in PACKAGES for i in range(4)]
EXTERNAL = ["logging", "loguru", "os"]


@st.composite
def cases(draw):
    modules = draw(st.lists(st.sampled_from(MODULES), min_size=2, max_size=14, unique=True))
    packages = draw(st.lists(st.sampled_from(PACKAGES), unique=True))
    files = modules + packages
    edges = draw(
        st.lists(st.tuples(st.sampled_from(files), st.sampled_from(files + EXTERNAL)), max_size=40)
    )
    graph = import_graph(
        *((u, v, line, f"import {v}") for line, (u, v) in enumerate(edges, 1) if u != v),
        modules=files,
        namespaces=[p for p in PACKAGES if p not in packages],
    )
    entry_sets = st.lists(st.sampled_from(files + EXTERNAL), min_size=1, max_size=2)
    chosen = draw(st.lists(entry_sets, min_size=1, max_size=3))
    systems = tuple(System(f"s{i}", tuple(sorted(set(e)))) for i, e in enumerate(chosen))
    entries = draw(st.lists(st.sampled_from(files), min_size=1, max_size=3))
    return graph, systems, entries


def _package_of(graph: nx.DiGraph, module: str) -> str | None:
    """The nearest package above `module` that is a node (brute force: every prefix)."""
    parts = module.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in graph:
            return ".".join(parts[:cut])
    return None


def _loading_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """The imports, plus an edge from each module to its package (run first)."""
    loading = nx.DiGraph(graph.edges)
    loading.add_nodes_from(graph)
    for node in graph:
        package = _package_of(graph, node)
        if package is not None:
            loading.add_edge(node, package)
    return loading


@settings(max_examples=300, deadline=None)
@given(cases())
def test_entry_reports_equal_brute_force(case):
    graph, systems, entries = case
    index = index_systems(graph, systems)
    reports = entry_reports(graph, index, entries)
    loading = _loading_graph(graph)
    assert sorted(reports) == sorted(set(entries))
    for entry, report in reports.items():
        distance = nx.single_source_shortest_path_length(loading, entry)
        closure = set(distance)
        assert report.closure_size == sum(1 for m in closure if "file" in graph.nodes[m])
        for system in systems:
            members = {m for m in graph if oracles.within(m, system.entries)}
            loaded = members & closure
            found = report.systems.get(system.name)
            assert (found is not None) == bool(loaded)
            if found is None:
                continue
            importers = {
                m for m in closure - members if any(s in members for s in graph.successors(m))
            }
            assert found.direct == len(importers)
            chain = found.chain
            assert len(chain) == min(distance[m] for m in loaded)
            if not chain:
                assert entry in members
                continue
            assert chain[0].importer == entry and chain[-1].imported in members
            for hop, following in zip(chain, chain[1:], strict=False):
                assert hop.imported == following.importer
            for hop in chain:
                if graph.has_edge(hop.importer, hop.imported):
                    assert hop.line == graph.edges[hop.importer, hop.imported]["imports"][0][0]
                else:
                    assert hop.line == PACKAGE_FIRST
                    assert hop.imported == _package_of(graph, hop.importer)


def test_missing_entries_are_named():
    graph = import_graph(("app.main", "logging"), modules=["app.main"])
    assert missing_entries(graph, ["app.main", "app.nope", "logging"]) == ["app.nope", "logging"]


REPO = {
    "app/__init__.py": "",
    "app/main.py": "from app.web import routes\nfrom app import logs\n",
    "app/logs.py": "import logging\n",
    "app/web/__init__.py": "from loguru import logger\n",  # run before routes
    "app/web/routes.py": "import json\n",
    "app/jobs.py": "import structlog\n",  # not loaded by app.main
}
SYSTEMS = ("--gateway", "app.logs", "--system", "ssot=app.logs")
SYSTEMS += ("--system", "stdlib=logging", "--system", "loguru=loguru")
SYSTEMS += ("--system", "structlog=structlog")


def test_report_entry_lists_the_systems_loaded_with_a_chain_through_a_package(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = run_cli(
        "report", str(repo), "--no-cache", *SYSTEMS, "--entry", "app.main", "--format", "json"
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    validate_json("report-v2", data)
    entry = data["contracts"][0]["entries"]["app.main"]
    assert entry["closure_size"] == 5  # app.main, app, app.web, app.web.routes, app.logs
    assert sorted(entry["systems"]) == ["loguru", "ssot", "stdlib"]  # not structlog
    assert entry["systems"]["loguru"] == {
        "direct": 1,
        "chain": [
            {"module": "app.main", "line": 1},
            {"module": "app.web.routes", "line": None},  # its package runs first
            {"module": "app.web", "line": 1},
            {"module": "loguru", "line": None},
        ],
    }
    # The SSOT's own import of logging is the only one: counted, as the process loads it.
    assert entry["systems"]["stdlib"]["direct"] == 1
    markdown = run_cli("report", str(repo), "--no-cache", *SYSTEMS, "--entry", "app.main").stdout
    assert "### Entry points" in markdown
    assert markdown.index("### Entry points") < markdown.index("### Compliance")
    assert "`app.web.routes` (its package) → `app.web` (l.1) → `loguru`" in markdown
    assert "| `app.main` | 5 | loaded (1 direct) | loaded (1 direct) | loaded (1 direct) | – |" in (
        markdown
    )


def test_entries_come_from_the_configuration_too(tmp_path):
    repo = make_repo(tmp_path, {**REPO, ".importlinter": "[ssot-arch]\nentries = app.main\n"})
    run = run_cli("report", str(repo), "--no-cache", *SYSTEMS, "--format", "json")
    assert run.exit_code == 0, run.output
    assert list(json.loads(run.stdout)["contracts"][0]["entries"]) == ["app.main"]


def test_an_entry_that_names_nothing_is_a_usage_error(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = run_cli("report", str(repo), "--no-cache", "--entry", "app.mian")
    assert run.exit_code == 2
    assert "--entry" in run.stderr and "'app.mian' matches no analysed module" in run.stderr
    configured = make_repo(tmp_path / "c", {**REPO, ".importlinter": "[ssot-arch]\nentries = x\n"})
    run = run_cli("report", str(configured), "--no-cache")
    assert run.exit_code == 2
    assert ".importlinter" in run.stderr and "entries" in run.stderr
